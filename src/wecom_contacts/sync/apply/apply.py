"""apply_plan: run a plan through the client (calls and import jobs), journaled, resumable."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from ..._runlock import journal_lock
from ..desired.model import DesiredDirectory
from ..errors import DriftError, JournalError
from ..live.details import ReadVia
from ..live.read import read_live
from ..plan.caps import CapLimits, enforce_caps, evaluate_caps
from ..plan.make import make_plan
from ..plan.scope import fingerprint, scope_for
from ..plan.types import Plan, PlanOptions
from .bulk import BulkRunner, ImportJobRunner
from .journal import Journal
from .report import ApplyReport
from .runner import ProgressCallback, StepRunner

if TYPE_CHECKING:
    from ...client import Client

__all__ = [
    "DEFAULT_BULK", "BulkRunner", "ProgressCallback", "apply_plan", "check_drift",
    "plan_and_apply",
]

DEFAULT_BULK = ImportJobRunner()
"""What ``apply_plan`` uses unless told otherwise: runs of 500+ member steps as one job."""


def check_drift(client: Client, plan: Plan, *, read_via: ReadVia = "auto") -> None:
    """Raise DriftError when the live directory is no longer the one the plan was made from."""
    live = read_live(client, subtree=plan.options.subtree, via=read_via)
    actual = fingerprint(live, scope_for(live, plan.options))
    if actual != plan.fingerprint:
        raise DriftError(plan.fingerprint, actual)


def apply_plan(
    client: Client,
    plan: Plan,
    journal_path: str | os.PathLike[str],
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    check: bool = True,
    bulk: BulkRunner | None = DEFAULT_BULK,
    durable: bool = True,
    read_via: ReadVia = "auto",
    caps: CapLimits | None = None,
) -> ApplyReport:
    """Apply ``plan``; every step is journaled in ``journal_path`` before and after it runs.

    Raises DriftError (nothing applied) when the live directory changed since the plan, and
    JournalError when the journal belongs to another plan or the apply already started
    (pass ``resume=True`` to continue it: steps left "running" are reconciled against the
    live directory, never resent blindly). A failed step skips the steps that depend on it;
    the others still run. ``check=False`` skips the drift check (the plan was just made).

    ``bulk`` sends the groups it claims as import jobs: by default runs of at least 500
    member creates / updates the member template can express (``ImportJobRunner``); None
    sends every step as its own call. ``read_via`` is how the drift check reads the live
    directory (``read_live``).

    Raises DeletionCapError (nothing applied) when the plan exceeds the deletion caps:
    ``caps`` (default: from the plan's options; ``CapLimits(lifted=True)`` approves it). A
    resumed apply was approved when it started and is not checked again.
    """
    # Held for the whole apply (the CLI already holds it: the same thread may nest): a second
    # apply of this journal is refused, and the OS frees it if this process dies.
    with journal_lock(journal_path, what=f"corp {client.corp_id}"):
        return _apply_plan(client, plan, journal_path, resume=resume, progress=progress,
                           check=check, bulk=bulk, durable=durable, read_via=read_via,
                           caps=caps)


def _apply_plan(
    client: Client, plan: Plan, journal_path: str | os.PathLike[str], *, resume: bool,
    progress: ProgressCallback | None, check: bool, bulk: BulkRunner | None, durable: bool,
    read_via: ReadVia, caps: CapLimits | None,
) -> ApplyReport:
    started_before = False
    if os.path.exists(journal_path):
        journal = Journal.open(journal_path, plan, durable=durable)
        started_before = any(s != "pending" for s in journal.statuses().values())
        journal.close()
        if started_before and not resume:
            raise JournalError(
                f"the journal {os.fspath(journal_path)} shows this plan was already applied "
                "(in part); pass resume=True (CLI: --resume) to continue it"
            )
    if not started_before:
        enforce_caps(evaluate_caps(plan, caps))
    if check and not started_before:
        # (not on a resume: the resumed apply itself has changed the directory)
        check_drift(client, plan, read_via=read_via)
    journal = Journal.open(journal_path, plan, durable=durable)
    began = time.monotonic()
    try:
        run = StepRunner(client, plan, journal, progress)
        # an import job may have been left running: its rows settle before anything is resent
        run.collect_jobs(bulk if bulk is not None else ImportJobRunner())
        by_id = {s.id: s for s in plan.steps}
        grouped = {ids[0]: [by_id[i] for i in ids]
                   for ids in (bulk.groups(plan) if bulk is not None else ()) if ids}
        in_group = {s.id for g in grouped.values() for s in g[1:]}
        for step in plan.steps:
            if step.id in grouped and bulk is not None:
                run.group(grouped[step.id], bulk)
            elif run.state[step.id] != "done" and step.id not in in_group:
                run.one(step)
        journal.set_meta("finished_at", str(time.time()))
    finally:
        journal.close()
    run.report.elapsed = time.monotonic() - began
    run.report.done += run.report.already_done
    return run.report


def plan_and_apply(
    client: Client,
    desired: DesiredDirectory,
    journal_path: str | os.PathLike[str],
    options: PlanOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    bulk: BulkRunner | None = DEFAULT_BULK,
    read_via: ReadVia = "auto",
) -> tuple[Plan, ApplyReport]:
    """Read the live directory, plan against it and apply at once (no drift check needed)."""
    live = read_live(client, subtree=options.subtree if options else None, via=read_via)
    plan = make_plan(desired, live, options)
    report = apply_plan(client, plan, journal_path, progress=progress, check=False, bulk=bulk)
    return plan, report
