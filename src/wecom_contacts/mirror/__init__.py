"""Mirror WeCom into SQL (SQLite, PostgreSQL) or LDAP: full passes, callbacks, reconcile.

    target = open_target("sqlite:///mirror.db")
    report = mirror_sync(client, target)          # read live → diff → write what changed
    print(render_diff(report.diff))

See docs/mirror.md for the schema, the LDAP layout, the safety rules and ``mirror serve``.
"""

from .diff import DeletionCap, Diff, RowChanges, check_deletion_cap, diff_snapshots, render_diff
from .errors import (
    IncompleteReadError,
    MirrorDeletionCapError,
    MirrorError,
    SchemaError,
    TargetError,
    TargetURLError,
)
from .full import SyncReport, apply_snapshot, mirror_sync, read_snapshot
from .snapshot import DepartmentRow, MemberRow, Membership, Snapshot, TagRow, snapshot_from_live
from .target import Target, open_target

__all__ = [
    "DeletionCap",
    "DepartmentRow",
    "Diff",
    "IncompleteReadError",
    "MemberRow",
    "Membership",
    "MirrorDeletionCapError",
    "MirrorError",
    "RowChanges",
    "SchemaError",
    "Snapshot",
    "SyncReport",
    "TagRow",
    "Target",
    "TargetError",
    "TargetURLError",
    "apply_snapshot",
    "check_deletion_cap",
    "diff_snapshots",
    "mirror_sync",
    "open_target",
    "read_snapshot",
    "render_diff",
    "snapshot_from_live",
]
