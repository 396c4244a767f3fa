"""Where an apply keeps its plan and journal files: the one place that tells a saved plan from
desired-state files and works out the journal path (used by `apply_sources` and `apply_status`,
hence by `sync apply` and `sync status` alike)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .._private import private_dir
from .._runlock import RunLock, journal_lock
from .plan.types import PLAN_FORMAT, Plan

__all__ = ["ApplyFiles", "apply_files", "is_saved_plan", "read_plan", "state_dir"]


def state_dir() -> Path:
    """``$WECOM_STATE_DIR``, else ``$XDG_STATE_HOME/wecom-contacts`` (``~/.local/state/…``)."""
    explicit = os.environ.get("WECOM_STATE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(home) / "wecom-contacts"


def is_saved_plan(path: Path) -> bool:
    """A JSON file written by `sync plan -o` (not a desired-state document)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return f'"format": "{PLAN_FORMAT}"' in head or f'"format":"{PLAN_FORMAT}"' in head


def read_plan(path: Path) -> Plan:
    """The plan saved in ``path`` (SyncError when it is not a plan file)."""
    return Plan.from_json(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ApplyFiles:
    """The journal of an apply and, for a desired-state source, the plan made from it."""

    journal: Path
    plan: Path | None  # None: the source is itself a saved plan
    saved: Plan | None = None  # the saved plan given as the source, if it is one

    @classmethod
    def for_plan(cls, plan_file: Path, plan: Plan, journal: Path | None) -> ApplyFiles:
        # One journal per plan: applying the same plan again finds (and resumes) it.
        return cls(journal or state_dir() / f"plan-{plan.digest[:16]}.journal", None, plan)

    @classmethod
    def for_desired(cls, sources: list[Path], target: str, journal: Path | None) -> ApplyFiles:
        key = json.dumps([str(p.resolve()) for p in sources] + [target])
        name = f"{sources[0].stem}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
        journal = journal or state_dir() / f"{name}.journal"
        return cls(journal, journal.with_name(journal.name + ".plan.json"))

    def locks(self, target: str, corp_id: str) -> ExitStack:
        """The journal's lock, then the target corp's (in the state directory), held for the
        whole apply; `RunLockedError` names the process already applying (docs/hardening.md:
        two plans applied at once to one corp are refused, not warned about)."""
        digest = hashlib.sha256(target.encode()).hexdigest()[:16]
        stack = ExitStack()
        try:
            stack.enter_context(journal_lock(self.journal, what=f"corp {corp_id}"))
            stack.enter_context(RunLock(
                state_dir() / f"corp-{digest}.lock", purpose=f"an apply to corp {corp_id}",
                what=f"journal {self.journal}"))
        except BaseException:
            stack.close()
            raise
        return stack

    def prepare(self) -> None:
        private_dir(self.journal.parent)  # journals hold members' data: a 0700 directory

    def discard(self) -> None:
        """Forget an earlier apply of this source (a fresh plan replaces it)."""
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.journal) + suffix).unlink(missing_ok=True)
        if self.plan is not None:
            self.plan.unlink(missing_ok=True)


def apply_files(
    sources: Sequence[str | os.PathLike[str]],
    *,
    target: str,
    journal: str | os.PathLike[str] | None,
) -> ApplyFiles:
    """The files of an apply of ``sources``: one saved plan, or desired-state file(s).

    ``target`` names the directory applied to (``corp_id@base_url``): the same files applied
    to another corp get another journal. ``journal`` overrides the journal path.
    """
    paths = [Path(s) for s in sources]
    given = Path(journal) if journal is not None else None
    if len(paths) == 1 and is_saved_plan(paths[0]):
        return ApplyFiles.for_plan(paths[0], read_plan(paths[0]), given)
    return ApplyFiles.for_desired(paths, target, given)
