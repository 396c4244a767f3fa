"""What an apply reports: counts, failures with their errcode and meaning, progress events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import ApiError
from ..plan.types import Step

__all__ = ["ApplyReport", "ProgressEvent", "StepFailure"]


@dataclass(frozen=True)
class ProgressEvent:
    """Sent after each step settles; ``completed`` counts steps done in earlier runs too."""

    step: Step
    status: str  # "done" | "failed" | "skipped"
    completed: int
    total: int


@dataclass(frozen=True)
class StepFailure:
    """A step that failed: WeCom's errcode and errmsg, and the errcode table's meaning."""

    step_id: int
    op: str
    target: str
    message: str
    errcode: int | None = None
    errmsg: str = ""
    meaning: str = ""
    hint: str = ""

    @classmethod
    def of(cls, step: Step, exc: BaseException) -> StepFailure:
        if isinstance(exc, ApiError):
            return cls(step.id, step.op, step.target, str(exc), exc.errcode, exc.errmsg,
                       exc.meaning, exc.hint)
        return cls(step.id, step.op, step.target, str(exc) or type(exc).__name__)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}

    def __str__(self) -> str:
        code = f"errcode {self.errcode} ({self.meaning})" if self.errcode is not None else ""
        return f"step {self.step_id} {self.op} {self.target}: {code or self.message}"


@dataclass
class ApplyReport:
    """The outcome of ``apply_plan``. ``exit_code`` is 0 when every step is done."""

    total: int
    journal_path: str = ""
    done: int = 0  # including steps done by an earlier, interrupted run
    already_done: int = 0
    reconciled: int = 0  # found already applied by reading the live directory
    sent: int = 0  # steps sent in this run: one write call each, or a row of an import job
    jobs: int = 0  # import jobs (batch/syncuser) submitted in this run
    job_rows: int = 0  # of the steps sent, those sent as rows of these jobs
    failures: list[StepFailure] = field(default_factory=list)
    skipped_steps: list[tuple[int, str]] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def skipped(self) -> int:
        return len(self.skipped_steps)

    @property
    def ok(self) -> bool:
        return self.done == self.total

    @property
    def exit_code(self) -> int:
        """0 when every step is done, else 1 (the CLI exits 5 then: see docs/cli.md)."""
        return 0 if self.ok else 1

    def summary(self) -> str:
        lines = [
            f"{self.done} of {self.total} steps done ({self.already_done} in an earlier run, "
            f"{self.reconciled} found already applied), {self.failed} failed, "
            f"{self.skipped} skipped; {self.sent} sent{self._jobs_note()} in {self.elapsed:.1f}s."
        ]
        lines += [f"  failed: {f}" for f in self.failures]
        if self.skipped_steps:
            lines.append(f"  skipped: {self.skipped} step(s) whose prerequisites failed")
        if not self.ok:
            lines.append(f"  journal: {self.journal_path} (fix the cause, then apply again "
                         "with resume=True / --resume)")
        return "\n".join(lines)

    def _jobs_note(self) -> str:
        if not self.jobs:
            return ""
        return f" ({self.job_rows} of them in {self.jobs} import job{'s' * (self.jobs > 1)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "total": self.total,
            "done": self.done,
            "already_done": self.already_done,
            "reconciled": self.reconciled,
            "failed": self.failed,
            "skipped": self.skipped,
            "sent": self.sent,
            "jobs": self.jobs,
            "job_rows": self.job_rows,
            "elapsed": round(self.elapsed, 3),
            "journal": self.journal_path,
            "failures": [f.to_dict() for f in self.failures],
            "skipped_steps": [{"step": i, "reason": r} for i, r in self.skipped_steps],
        }
