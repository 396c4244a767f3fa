"""One full pass: read WeCom whole → diff against the target → write only what changed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..sync import ReadVia, read_live
from .diff import DeletionCap, Diff, check_deletion_cap, diff_snapshots
from .snapshot import Snapshot, snapshot_from_live
from .target import Target

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["SyncReport", "apply_snapshot", "mirror_sync", "read_snapshot"]


@dataclass
class SyncReport:
    """What a pass found and did. ``applied`` is False for a dry run."""

    diff: Diff
    applied: bool
    read_seconds: float
    write_seconds: float
    live_counts: dict[str, int] = field(default_factory=dict)
    started_at: str = ""
    held_size: int = 0  # rows the target held before the pass

    def to_dict(self) -> dict[str, object]:
        return {"applied": self.applied, "changes": self.diff.counts(),
                "total_changes": len(self.diff), "live": self.live_counts,
                "read_seconds": round(self.read_seconds, 3),
                "write_seconds": round(self.write_seconds, 3), "started_at": self.started_at}


def read_snapshot(client: Client, *, via: ReadVia = "auto") -> Snapshot:
    """The live directory as rows; any failed or incomplete read raises before anything is
    compared (a failed export job, 48009 with ``via="lists"``, a member in a department the
    read did not return)."""
    return snapshot_from_live(read_live(client, via=via))


def mirror_sync(client: Client, target: Target, *, dry_run: bool = False,
                cap: DeletionCap | None = None, via: ReadVia = "auto") -> SyncReport:
    """Make ``target`` equal to WeCom. The deletion cap is checked before anything is written;
    with ``dry_run`` nothing is written at all."""
    # full precision: a kept event received in the same second must not count as covered
    started = datetime.now(timezone.utc).isoformat()
    t0 = time.perf_counter()
    live = read_snapshot(client, via=via)
    read_seconds = time.perf_counter() - t0
    return apply_snapshot(target, live, dry_run=dry_run, cap=cap, started_at=started,
                          read_seconds=read_seconds)


def apply_snapshot(target: Target, live: Snapshot, *, dry_run: bool = False,
                   cap: DeletionCap | None = None, started_at: str = "",
                   read_seconds: float = 0.0) -> SyncReport:
    """Diff a complete live snapshot against ``target`` and write the difference."""
    t1 = time.perf_counter()
    held = target.load()
    diff = diff_snapshots(held, live)
    check_deletion_cap(diff, held, cap or DeletionCap())
    counts = {"departments": len(live.departments), "members": len(live.members),
              "tags": len(live.tags)}
    if not dry_run:
        target.apply(diff)
        target.set_state({"last_full_sync_at": started_at or _now(),
                          "last_full_sync_changes": str(len(diff))})
    return SyncReport(diff, not dry_run, read_seconds, time.perf_counter() - t1, counts,
                      started_at, held.size())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
