"""The import-job path of apply: long runs of member creates and updates as batch/syncuser jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Union

from ...errors import Conflict, WeComError, error_for
from ...jobs import JobError
from ...models.batch import JobResult, JobRowResult
from ..plan.types import Plan, Step
from .bulk_rows import fits_template, import_file, live_members, may_pass, member_row
from .execute import user_matches

if TYPE_CHECKING:
    from ...client import Client

__all__ = ["DEFAULT_THRESHOLD", "BulkRunner", "ImportJobRunner", "JobSubmitted", "StepOutcome"]

DEFAULT_THRESHOLD = 500
StepOutcome = Union[dict[str, Any], WeComError, None]  # noqa: UP007 (runtime alias, 3.10)
"""A step's result, its error, or None: not taken, send it as one call."""
JobSubmitted = Callable[[str, list[int]], None]
"""Told (job id, step ids) as soon as WeCom accepted a job, before it is waited for."""
_ANOTHER_JOB_RUNNING = 302008


class BulkRunner(Protocol):
    """Applies groups of steps other than one call each (the CSV import-job path).

    ``apply_plan`` runs a group when it reaches the group's first step; steps between the
    group's members that are not in it run after it, so ``groups`` must only leave out steps
    no member needs. Every step is still journaled: running before, done or failed after.
    """

    def groups(self, plan: Plan) -> list[list[int]]:
        """Step ids (in plan order) to apply together, one list per job."""
        ...

    def run(self, client: Client, steps: Sequence[Step], params: Sequence[dict[str, Any]],
            submitted: JobSubmitted) -> list[StepOutcome]:
        """Apply the steps; one outcome per step, in order. Calls ``submitted`` per job."""
        ...

    def collect(self, client: Client, job_id: str, steps: Sequence[Step],
                params: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """The steps a job submitted by an interrupted run applied (None: not known done)."""
        ...

    def reconcile(self, client: Client, steps: Sequence[Step],
                  params: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Which of these steps (left running or failed) the live directory already shows."""
        ...


@dataclass(frozen=True)
class ImportJobRunner:
    """Sends runs of at least ``threshold`` member creates / updates as one ``batch/syncuser``.

    Only steps whose every field has a column in the member template join a run (see
    ``bulk_rows.fits_template``); the rest stay single calls. ``threshold`` 0 turns the path
    off. ``timeout`` bounds the wait for a job (and for another import job to end first).
    """

    threshold: int = DEFAULT_THRESHOLD
    timeout: float = 1800.0
    poll_interval: float = 0.2

    def groups(self, plan: Plan) -> list[list[int]]:
        if self.threshold <= 0:
            return []
        found: list[list[int]] = []
        run = _OpenRun()
        for step in plan.steps:
            if fits_template(step):
                if run.rows and not run.takes(step):
                    found += run.close(self.threshold)
                run.add(step)
            elif run.rows and may_pass(step):
                run.inside.add(step.id)
            else:
                found += run.close(self.threshold)
        return found + run.close(self.threshold)

    def run(self, client: Client, steps: Sequence[Step], params: Sequence[dict[str, Any]],
            submitted: JobSubmitted) -> list[StepOutcome]:
        outcomes: list[StepOutcome] = [None] * len(steps)
        updates = [p["userid"] for s, p in zip(steps, params, strict=True)
                   if s.op == "user.update"]
        try:
            live = live_members(client, updates)
        except WeComError as exc:
            return [exc] * len(steps)
        rows = [None if s.op == "user.update" and p["userid"].lower() not in live
                else member_row(p, live.get(p["userid"].lower()))
                for s, p in zip(steps, params, strict=True)]
        data, taken = import_file(rows)
        if data is None or len(taken) < max(self.threshold, 1):
            return outcomes  # too few rows left for a job to pay off: one call each
        invite = all(params[i].get("to_invite", True) for i in taken)
        try:
            job_id = self._submit(client, data, invite)
            submitted(job_id, [steps[i].id for i in taken])
            result = client.batch.wait(job_id, timeout=self.timeout,
                                       poll_interval=self.poll_interval)
        except WeComError as exc:  # the job failed as a whole, or its outcome is unknown
            for i in taken:
                outcomes[i] = exc
            return outcomes
        rows_of = _rows_by_userid(result)
        for i in taken:
            outcomes[i] = _outcome(rows_of.get(params[i]["userid"].lower()), job_id,
                                   params[i]["userid"])
        return outcomes

    def _submit(self, client: Client, data: bytes, invite: bool) -> str:
        media_id = client.media.upload(data, "members.csv")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return client.batch.sync_users(media_id, to_invite=invite)
            except Conflict as exc:
                # one import job at a time: e.g. the one an interrupted run left behind
                if exc.errcode != _ANOTHER_JOB_RUNNING or time.monotonic() > deadline:
                    raise
                time.sleep(1.0)

    def collect(self, client: Client, job_id: str, steps: Sequence[Step],
                params: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        try:
            result = client.batch.wait(job_id, timeout=self.timeout,
                                       poll_interval=self.poll_interval)
        except WeComError:  # result purged (40088 / 40089) or the job failed: look instead
            return [None] * len(steps)
        rows_of = _rows_by_userid(result)
        found: list[dict[str, Any] | None] = []
        for p in params:
            row = rows_of.get(p["userid"].lower())
            found.append({"job": job_id, "reconciled": True} if row and row.ok else None)
        return found

    def reconcile(self, client: Client, steps: Sequence[Step],
                  params: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        live = live_members(client, [p["userid"] for p in params])
        found: list[dict[str, Any] | None] = []
        for p in params:
            raw = live.get(p["userid"].lower())
            found.append({"reconciled": True} if raw is not None and user_matches(raw, p)
                         else None)
        return found


@dataclass
class _OpenRun:
    """The run ``groups`` is collecting: its rows, and the single steps it goes ahead of."""

    rows: list[int] = field(default_factory=list)
    inside: set[int] = field(default_factory=set)  # its rows and the steps it goes ahead of
    userids: set[str] = field(default_factory=set)
    invite: bool | None = None  # to_invite of its creates: one value per job

    def takes(self, step: Step) -> bool:
        """May ``step`` be a row of the same job?"""
        if self.inside.intersection(step.depends_on):
            return False  # what it needs has not happened when the job runs
        if step.params["userid"].lower() in self.userids:
            return False  # one row per member (302003)
        invite = step.params.get("to_invite", True)
        return step.op != "user.create" or self.invite in (None, invite)

    def add(self, step: Step) -> None:
        self.rows.append(step.id)
        self.inside.add(step.id)
        self.userids.add(step.params["userid"].lower())
        if step.op == "user.create":
            self.invite = step.params.get("to_invite", True)

    def close(self, threshold: int) -> list[list[int]]:
        """The run as a group if it is long enough; starts a new run."""
        done = [self.rows] if len(self.rows) >= threshold else []
        self.rows, self.inside, self.userids, self.invite = [], set(), set(), None
        return done


def _rows_by_userid(result: JobResult) -> dict[str, JobRowResult]:
    return {row.userid.lower(): row for row in result.result if row.userid}


def _outcome(row: JobRowResult | None, job_id: str, userid: str) -> StepOutcome:
    if row is None:
        return JobError(f"job {job_id} reported no result for member {userid}", job_id=job_id)
    if row.ok:
        return {"job": job_id}
    return error_for(row.errcode, row.errmsg, endpoint="batch/syncuser")
