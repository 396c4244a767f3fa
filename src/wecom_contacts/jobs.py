"""Waiting on asynchronous jobs: the polling backoff and the errors of jobs and their files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import WeComError

__all__ = [
    "ExportFailed",
    "ExportFileError",
    "JobError",
    "JobTimeout",
    "next_poll_delay",
    "poll_delays",
]

# a pause the progress so far asks for may be longer than the plain backoff's cap
ESTIMATE_CAP = 30.0


class JobError(WeComError):
    """An asynchronous job (import or export) did not give a usable result."""

    def __init__(self, message: str, *, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(message)


class JobTimeout(JobError, TimeoutError):
    """The job had not finished when the wait ran out; ``last`` is the last result read."""

    def __init__(self, job_id: str, timeout: float, last: Any) -> None:
        self.timeout = timeout
        self.last = last
        progress = getattr(last, "percentage", None)
        at = f" (at {progress}%)" if progress is not None else ""
        super().__init__(f"job {job_id} not finished after {timeout:g}s{at}", job_id=job_id)


class ExportFailed(JobError):
    """``export/get_result`` reported status 3 (failed)."""


class ExportFileError(JobError):
    """A downloaded export file is not what get_result announced, or does not decrypt."""


def poll_delays(first: float = 0.2, *, factor: float = 1.5, cap: float = 5.0) -> Iterator[float]:
    """Seconds to sleep between polls: ``first``, growing by ``factor`` up to ``cap``, forever."""
    if first <= 0 or factor < 1 or cap < first:
        raise ValueError("need 0 < first <= cap and factor >= 1")
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)


def next_poll_delay(backoff: float, before: tuple[float, int] | None,
                    now: tuple[float, int]) -> float:
    """The pause before the next poll: the backoff step, or longer when the progress between
    the last two polls, ``before`` and ``now`` as (seconds, percentage), says the job still
    needs longer (at most ESTIMATE_CAP)."""
    if before is not None:
        (t0, p0), (t1, p1) = before, now
        if p0 < p1 < 100 and t1 > t0:
            remaining = (100 - p1) * (t1 - t0) / (p1 - p0)
            return max(backoff, min(remaining, ESTIMATE_CAP))
    return backoff
