"""notice_for: what a run's outcome tells people (markdown for WeCom, plain text for mail)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .notify import Notice

if TYPE_CHECKING:
    from .result import RunResult

__all__ = ["notice_for"]

_HEAD = {
    "applied": "applied", "no-changes": "no changes", "capped": "waiting for approval",
    "source-shrank": "refused: the source shrank", "partial": "some steps failed",
    "failed": "failed", "interrupted": "interrupted", "busy": "skipped: another run is busy",
}


def notice_for(result: RunResult, source: str) -> Notice:
    names = ", ".join(Path(p.strip()).name for p in source.split(","))
    head = _HEAD.get(result.outcome, result.outcome)
    title = f"wecom-contacts sync {head}: {names} (run {result.run_id})"
    lines = [f"**wecom-contacts sync: {head}** (run {result.run_id})", f"> source: {names}"]
    if result.fingerprint is not None:
        lines.append(f"> source fingerprint: {result.fingerprint}")
    if result.counts:
        shown = ", ".join(f"{result.counts.get(k, 0)} {k}"
                          for k in ("create", "update", "move", "disable", "delete"))
        lines.append(f"> changes: {shown}; {result.counts.get('risky', 0)} risky")
    if result.apply is not None:
        lines.append(f"> steps: {result.apply['done']} of {result.apply['total']} done, "
                     f"{result.apply['failed']} failed")
    lines.append(f"> {result.message}")
    if result.report:
        lines.append(f"> report: `{result.report}`")
    return Notice(result.outcome, title, "\n".join(lines), result.to_dict())
