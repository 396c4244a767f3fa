"""Mirror errors.

    MirrorError                 (a WeComError)
    ├── IncompleteReadError     the live read cannot be whole; nothing was written
    ├── MirrorDeletionCapError  more deletions than the cap; nothing was written
    ├── TargetError             the target refused or could not be reached
    │   └── SchemaError         the target's schema is newer than this toolkit, or not ours
    └── TargetURLError          the --target URL is not one the mirror can write
"""

from __future__ import annotations

from ..errors import WeComError

__all__ = [
    "IncompleteReadError",
    "MirrorDeletionCapError",
    "MirrorError",
    "SchemaError",
    "TargetError",
    "TargetURLError",
]


class MirrorError(WeComError):
    """Root of the mirror's own errors."""


class IncompleteReadError(MirrorError):
    """The live directory could not be read whole; the target was left as it was."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the live read is incomplete, nothing was written:\n{lines}")


class MirrorDeletionCapError(MirrorError):
    """The diff deletes more than allowed; nothing was written."""

    def __init__(self, message: str, *, deletions: int, limit: int) -> None:
        self.deletions = deletions
        self.limit = limit
        super().__init__(message)


class TargetError(MirrorError):
    """The target could not be read or written (down, refused, not ours)."""


class SchemaError(TargetError):
    """The target's schema cannot be used by this version."""


class TargetURLError(MirrorError):
    """A target URL the mirror does not know how to write."""
