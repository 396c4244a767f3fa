"""The diff between what a target holds and what WeCom holds: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Generic, TypeVar

from .errors import MirrorDeletionCapError
from .snapshot import DepartmentRow, MemberRow, Snapshot, TagRow

__all__ = ["DeletionCap", "Diff", "RowChanges", "check_deletion_cap", "diff_snapshots",
           "render_diff"]

R = TypeVar("R", DepartmentRow, MemberRow, TagRow)


@dataclass
class RowChanges(Generic[R]):
    """Rows to add, (old, new) pairs to change, rows to remove."""

    added: list[R] = field(default_factory=list)
    changed: list[tuple[R, R]] = field(default_factory=list)
    removed: list[R] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass
class Diff:
    departments: RowChanges[DepartmentRow] = field(default_factory=RowChanges)
    members: RowChanges[MemberRow] = field(default_factory=RowChanges)
    tags: RowChanges[TagRow] = field(default_factory=RowChanges)

    def __len__(self) -> int:
        return len(self.departments) + len(self.members) + len(self.tags)

    @property
    def deletions(self) -> int:
        return len(self.departments.removed) + len(self.members.removed) + len(self.tags.removed)

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"members": {"added": n, "changed": n, "removed": n}, …}`` for reports."""
        return {
            name: {"added": len(c.added), "changed": len(c.changed), "removed": len(c.removed)}
            for name, c in self._parts()
        }

    def _parts(self) -> Iterator[tuple[str, RowChanges[DepartmentRow] | RowChanges[MemberRow]
                                       | RowChanges[TagRow]]]:
        yield "departments", self.departments
        yield "members", self.members
        yield "tags", self.tags


def _diff_rows(old: dict[object, R], new: dict[object, R]) -> RowChanges[R]:
    changes: RowChanges[R] = RowChanges()
    for key in sorted(new, key=str):
        row = new[key]
        before = old.get(key)
        if before is None:
            changes.added.append(row)
        elif before != row:
            changes.changed.append((before, row))
    changes.removed = [old[k] for k in sorted(old, key=str) if k not in new]
    return changes


def diff_snapshots(target: Snapshot, live: Snapshot) -> Diff:
    """What must change in ``target`` so that it equals ``live``."""
    return Diff(
        departments=_diff_rows(target.departments, live.departments),  # type: ignore[arg-type]
        members=_diff_rows(target.members, live.members),  # type: ignore[arg-type]
        tags=_diff_rows(target.tags, live.tags),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class DeletionCap:
    """More deletions than ``max_deletes`` or than ``max_delete_ratio`` of what the target
    holds is refused unless ``allow_deletes`` (the same rule as ``sync``)."""

    max_deletes: int = 50
    max_delete_ratio: float = 0.10
    allow_deletes: bool = False


def check_deletion_cap(diff: Diff, target: Snapshot, cap: DeletionCap) -> None:
    """Raise ``MirrorDeletionCapError`` when the diff removes more than the cap allows."""
    if cap.allow_deletes or not diff.deletions:
        return
    held = target.size()
    ratio_limit = int(cap.max_delete_ratio * held)
    limit = min(cap.max_deletes, ratio_limit)
    if diff.deletions <= limit:
        return
    detail = ", ".join(f"{c['removed']} {name}" for name, c in diff.counts().items()
                       if c["removed"])
    raise MirrorDeletionCapError(
        f"the mirror would delete {diff.deletions} rows/entries ({detail}); the cap is "
        f"{cap.max_deletes} or {cap.max_delete_ratio:.0%} of the {held} the target holds "
        f"({ratio_limit}), whichever is smaller. Nothing was written. Check that WeCom really "
        "lost them; to go ahead pass --allow-deletes or raise --max-deletes / "
        "--max-delete-ratio",
        deletions=diff.deletions, limit=limit,
    )


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def _changed(old: object, new: object) -> str:
    parts = []
    for f in fields(old):  # type: ignore[arg-type]
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            parts.append(f"{f.name}: {_show(a)} → {_show(b)}")
    return "; ".join(parts)


def render_diff(diff: Diff) -> str:
    """The diff for a human: ``+`` added, ``~`` changed (field: old → new), ``-`` removed."""
    lines: list[str] = []
    for d in diff.departments.added:
        lines.append(f"+ department {d.id} {d.name!r} (parent {d.parent_id})")
    for a, b in diff.departments.changed:
        lines.append(f"~ department {b.id}: {_changed(a, b)}")
    for m in diff.members.added:
        depts = ",".join(str(x.department_id) for x in m.departments)
        lines.append(f"+ member {m.userid} {m.name!r} (departments {depts})")
    for a2, b2 in diff.members.changed:
        lines.append(f"~ member {b2.userid}: {_changed(a2, b2)}")
    for t in diff.tags.added:
        lines.append(f"+ tag {t.id} {t.name!r} ({len(t.users)} users, "
                     f"{len(t.departments)} departments)")
    for a3, b3 in diff.tags.changed:
        lines.append(f"~ tag {b3.id}: {_changed(a3, b3)}")
    for t in diff.tags.removed:
        lines.append(f"- tag {t.id} {t.name!r}")
    for m in diff.members.removed:
        lines.append(f"- member {m.userid} {m.name!r}")
    for d in diff.departments.removed:
        lines.append(f"- department {d.id} {d.name!r}")
    counts = diff.counts()
    summary = ", ".join(
        f"{name} +{c['added']} ~{c['changed']} -{c['removed']}" for name, c in counts.items())
    lines.append(f"{len(diff)} change(s): {summary}" if len(diff) else "no change")
    return "\n".join(lines)
