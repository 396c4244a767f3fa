"""Directory-sync errors: bad desired state, impossible plans, drift, deletion caps, journals.

    SyncError
    ├── DesiredStateError     the desired file is wrong: says where (line / row / JSON pointer)
    ├── PlanError             desired and live cannot be reconciled as asked
    │   └── DeletionCapError  apply refused: over a deletion cap (allow_deletes=True lifts)
    ├── DriftError            the live directory changed since the plan was made
    └── JournalError          the journal belongs to another plan, or the apply already ran

    ApplyInterrupted (a KeyboardInterrupt)  Ctrl-C during ``apply_sources``; names the journal
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import WeComError

__all__ = [
    "ApplyInterrupted",
    "DeletionCapError",
    "DesiredStateError",
    "DriftError",
    "JournalError",
    "PlanError",
    "SyncError",
]


class SyncError(WeComError):
    """Root of the directory-sync errors (itself a ``WeComError``)."""


class DesiredStateError(SyncError):
    """A desired-state document is invalid; ``where`` names the file and the place in it.

    ``where`` is ``"org.yaml, line 12"``, ``"users.csv, row 7, column 手机号"`` or
    ``"org.json, /users/3/mobile (line 40)"``; ``field`` is the offending key, if any.
    """

    def __init__(self, message: str, *, where: str = "", field: str | None = None) -> None:
        self.message = message
        self.where = where
        self.field = field
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{message}")


class PlanError(SyncError):
    """The desired state cannot be planned against the live directory (see ``problems``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"cannot plan ({len(problems)} problem(s)):\n{lines}")


class DeletionCapError(PlanError):
    """The plan exceeds a deletion cap (caps.py); nothing was applied."""

    def __init__(self, message: str, *, deletions: int, limit: int) -> None:
        self.deletions = deletions
        self.limit = limit
        super().__init__([message])


class DriftError(SyncError):
    """The live directory's fingerprint differs from the one the plan was made from."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"the live directory changed since this plan was made (plan fingerprint "
            f"{expected[:19]}…, live now {actual[:19]}…); nothing was applied. Make a new plan "
            "against the current directory and apply that one."
        )


class JournalError(SyncError):
    """The journal file cannot be used for this apply (other plan, or already started)."""


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C during an apply of files; ``journal`` records every step, to resume from.

    A KeyboardInterrupt still (``except KeyboardInterrupt`` catches it), not a SyncError:
    an interruption is the user's, not a failure of the sync.
    """

    def __init__(self, journal: os.PathLike[str] | str) -> None:
        self.journal = Path(journal)
        super().__init__(f"interrupted; the journal {self.journal} records every step")
