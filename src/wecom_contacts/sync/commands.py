"""One call per sync command: files in, a plan or an apply report out.

`sync plan`, `sync apply` and `sync status` in the CLI each parse their flags, make one of these
calls and render what it returns; a program gets the same behaviour (the same saved-plan
detection, journal path, resume rules and drift check) without the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .._private import write_private
from .apply.apply import DEFAULT_BULK, apply_plan
from .apply.bulk import BulkRunner
from .apply.journal import JournalState, read_journal
from .apply.report import ApplyReport
from .apply.runner import ProgressCallback
from .desired.model import DesiredDirectory
from .desired.sources import load_desired
from .errors import ApplyInterrupted, SyncError
from .files import ApplyFiles, apply_files, read_plan
from .live.details import ReadVia
from .live.read import read_live
from .plan.caps import CapLimits
from .plan.make import make_plan
from .plan.types import Plan, PlanOptions

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["FileApply", "apply_sources", "apply_status", "plan_from_files"]

Source = str | os.PathLike[str]
Load = Callable[..., DesiredDirectory]
"""How files become the desired state: ``load_desired`` by default; the CLI passes
``wecom_contacts.sources.loader()`` so that mapping files and workbooks plan too."""


def plan_from_files(
    client: Client,
    sources: Sequence[Source],
    options: PlanOptions | None = None,
    *,
    read_via: ReadVia = "auto",
    load: Load = load_desired,
) -> Plan:
    """Load the desired state from ``sources``, read the live directory, and plan.

    ``load(*sources)`` runs before any call to WeCom: a source that cannot be read sends
    nothing."""
    desired = load(*sources)
    live = read_live(client, subtree=options.subtree if options else None, via=read_via)
    return make_plan(desired, live, options)


@dataclass(frozen=True)
class FileApply:
    """What ``apply_sources`` did: the plan, its journal, and the report (None: not applied)."""

    plan: Plan
    journal: Path
    report: ApplyReport | None
    already_applied: bool = False  # every step of the plan was done before: nothing sent


def apply_sources(
    client: Client,
    sources: Sequence[Source],
    *,
    target: str | None = None,
    journal: Source | None = None,
    resume: bool = False,
    options: PlanOptions | None = None,
    confirm: Callable[[Plan], bool] | None = None,
    progress: ProgressCallback | None = None,
    bulk: BulkRunner | None = DEFAULT_BULK,
    read_via: ReadVia = "auto",
    load: Load = load_desired,
    allow_deletes: bool | None = None,
    max_deletes: int | None = None,
    max_delete_ratio: float | None = None,
) -> FileApply:
    """Apply a saved plan, or plan desired-state file(s) and apply the result, journaled.

    A saved plan (one file written from ``Plan.to_json``) is applied after a drift check; it
    keeps its own options (SyncError when ``options`` are given too). Desired-state files are
    planned now, and the plan is kept beside the journal so that ``resume=True`` continues
    that same plan (SyncError when there is none to resume). ``target`` (default
    ``corp_id@base_url`` of ``client``) and ``journal`` pick the journal as `sync status`
    finds it. ``confirm(plan)`` is asked before anything is written; False stops with
    ``report=None``. An empty plan is never applied. Ctrl-C raises ``ApplyInterrupted``
    (a KeyboardInterrupt) naming the journal to resume from.

    A plan whose every step its journal shows done is not applied again
    (``already_applied=True``). ``allow_deletes`` / ``max_deletes`` / ``max_delete_ratio``,
    when given, replace the plan's own deletion caps (also for a saved plan: the reviewer
    approves the plan they read); a capped plan raises DeletionCapError, nothing applied.
    """
    where = target if target is not None else f"{client.corp_id}@{client.base_url}"
    files = apply_files(sources, target=where, journal=journal)
    # Held before anything is read, discarded or sent, until the apply ends.
    with files.locks(where, client.corp_id):
        caps = _CapArgs(allow_deletes, max_deletes, max_delete_ratio)
        return _apply_locked(client, sources, files, resume, options, confirm, progress, bulk,
                             read_via, load, caps)


class _CapArgs(NamedTuple):
    """The cap settings given to `apply_sources`, passed through the lock."""

    allow_deletes: bool | None
    max_deletes: int | None
    max_delete_ratio: float | None


def _apply_locked(
    client: Client, sources: Sequence[Source], files: ApplyFiles, resume: bool,
    options: PlanOptions | None, confirm: Callable[[Plan], bool] | None,
    progress: ProgressCallback | None, bulk: BulkRunner | None, read_via: ReadVia, load: Load,
    cap_args: _CapArgs,
) -> FileApply:
    if files.saved is not None:
        if options is not None:
            raise SyncError("plan options belong to `sync plan`; a saved plan keeps its own "
                            "(only the cap settings may be given with it)")
        todo, check = files.saved, True
    elif resume:
        assert files.plan is not None
        if not files.plan.exists():
            raise SyncError(f"nothing to resume: no earlier apply of {sources[0]} was found")
        todo, check = read_plan(files.plan), True
    else:
        files.discard()
        todo = plan_from_files(client, sources, options, read_via=read_via, load=load)
        check = False
    if todo.is_empty:
        return FileApply(todo, files.journal, None)
    if files.journal.exists() and read_journal(files.journal).finished:
        return FileApply(todo, files.journal, None, already_applied=True)
    if confirm is not None and not confirm(todo):
        return FileApply(todo, files.journal, None)
    caps = CapLimits.from_options(todo.options, allow_deletes=cap_args.allow_deletes,
                                  max_deletes=cap_args.max_deletes,
                                  max_delete_ratio=cap_args.max_delete_ratio)
    files.prepare()
    if files.plan is not None:
        write_private(files.plan, todo.to_json())  # members' mobiles and e-mails: 0600
    try:
        report = apply_plan(
            client, todo, files.journal, resume=resume, progress=progress, check=check,
            bulk=bulk, read_via=read_via, caps=caps,
        )
    except KeyboardInterrupt as exc:
        raise ApplyInterrupted(files.journal) from exc
    return FileApply(todo, files.journal, report)


def apply_status(
    sources: Sequence[Source], *, target: str, journal: Source | None = None
) -> JournalState:
    """How far an apply of ``sources`` to ``target`` got, from its journal (no call to WeCom).

    SyncError when there is no journal: nothing was applied from these files to that target.
    """
    if journal is not None:
        path = Path(journal)
    elif not sources:
        raise SyncError("give the file(s) given to `sync apply`, or --journal PATH")
    else:
        path = apply_files(sources, target=target, journal=None).journal
    if not path.exists():
        raise SyncError(f"no apply journal at {path}: nothing was applied from this source "
                        "with these settings (or pass --journal PATH)")
    return read_journal(path)
