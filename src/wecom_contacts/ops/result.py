"""The outcome of one sync run (what `sync run` prints, reports, records and tells) and
the exit code of each outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .fingerprint import RunFingerprint
from .notify import Delivery

__all__ = ["EXIT_CODES", "RunResult"]

# outcome → exit code of `sync run` ("failed" takes the error's own code: 1, 2 or 3)
EXIT_CODES: dict[str, int] = {
    "applied": 0, "no-changes": 0, "capped": 4, "source-shrank": 4, "partial": 5,
    "failed": 1, "busy": 6, "interrupted": 130,
}


@dataclass
class RunResult:
    run_id: int
    outcome: str
    exit_code: int
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    report: str = ""
    html: str = ""
    plan: str = ""  # a capped plan saved for approval
    fingerprint: RunFingerprint | None = None
    apply: dict[str, Any] | None = None
    caps: dict[str, Any] | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        fp = self.fingerprint
        return {
            "run": self.run_id, "outcome": self.outcome, "exit_code": self.exit_code,
            "message": self.message, "counts": self.counts, "report": self.report,
            "html": self.html, "plan": self.plan,
            "source_fingerprint": {"members": fp.members, "sha256": fp.sha256} if fp else None,
            "apply": self.apply, "caps": self.caps,
            "notifications": [d.to_dict() for d in self.deliveries],
        }
