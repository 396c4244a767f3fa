"""One apply run: steps sent one call each or as import jobs, every state change journaled."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...errors import WeComError
from ..plan.types import Plan, Step
from .bulk import BulkRunner
from .execute import IncompleteStep, reconcile_step, resolve_params, run_step
from .journal import Journal
from .report import ApplyReport, ProgressEvent, StepFailure

if TYPE_CHECKING:
    from ...client import Client

__all__ = ["ProgressCallback", "StepRunner"]

ProgressCallback = Callable[[ProgressEvent], None]


def _ambiguous(exc: WeComError) -> bool:
    """Might the call have been applied although it raised? (decided in errors.py)"""
    return exc.may_have_been_applied


class StepRunner:
    """Settles the steps of one plan against the journal (statuses survive a kill)."""

    def __init__(self, client: Client, plan: Plan, journal: Journal,
                 progress: ProgressCallback | None) -> None:
        self.client = client
        self.plan = plan
        self.journal = journal
        self.progress = progress
        self.state = journal.statuses()
        self.results = journal.results()
        self.report = ApplyReport(total=len(plan.steps), journal_path=journal.path)
        self.report.already_done = sum(1 for s in self.state.values() if s == "done")
        self.completed = self.report.already_done

    def settle(self, step: Step, status: str, *, result: dict[str, Any] | None = None,
               error: BaseException | None = None, reason: str = "") -> None:
        if status == "done":
            self.journal.mark_done(step.id, result or {})
            self.results[step.id] = result or {}
            self.report.done += 1
            if (result or {}).get("reconciled"):
                self.report.reconciled += 1
        elif status == "failed":
            assert error is not None
            failure = StepFailure.of(step, error)
            self.journal.mark_failed(step.id, failure.to_dict())
            self.report.failures.append(failure)
        else:
            self.journal.mark_skipped(step.id, reason)
            self.report.skipped_steps.append((step.id, reason))
        self.state[step.id] = status
        self.completed += 1
        if self.progress is not None:
            self.progress(ProgressEvent(step, status, self.completed, len(self.plan.steps)))

    def blocked(self, step: Step) -> str:
        bad = [d for d in step.depends_on if self.state.get(d) in ("failed", "skipped")]
        return f"depends on step(s) {', '.join(map(str, bad))}, which did not succeed" \
            if bad else ""

    def unsure(self, step: Step) -> bool:
        """Did an earlier run leave this step with an unknown outcome (or failed)?"""
        return self.state[step.id] in ("running", "failed")

    def one(self, step: Step) -> None:
        reason = self.blocked(step)
        if reason:
            self.settle(step, "skipped", reason=reason)
            return
        params: dict[str, Any] = resolve_params(step.params, self.results)
        if self.unsure(step):
            # an earlier run stopped inside this step (or it failed): look before resending
            found, params = reconcile_step(self.client, step, params)
            if found is not None:
                self.settle(step, "done", result=found)
                return
        self.send(step, params)

    def send(self, step: Step, params: dict[str, Any]) -> None:
        """The step's single call, journaled "running" first."""
        self.journal.mark_running(step.id)
        self.state[step.id] = "running"
        self.report.sent += 1
        try:
            result = run_step(self.client, step, params)
        except IncompleteStep as exc:
            self.settle(step, "failed", error=exc)
        except WeComError as exc:
            if _ambiguous(exc):
                found, _ = reconcile_step(self.client, step, params)
                if found is not None:
                    self.settle(step, "done", result=found)
                    return
            self.settle(step, "failed", error=exc)
        else:
            self.settle(step, "done", result=result)

    def collect_jobs(self, bulk: BulkRunner) -> None:
        """Wait for the import jobs an interrupted run left and settle the rows they applied;
        rows they refused stay unsure, to be reconciled and retried with the others."""
        by_id = {s.id: s for s in self.plan.steps}
        for job_id, ids in self.journal.open_jobs():
            steps = [by_id[i] for i in ids if i in by_id and self.unsure(by_id[i])]
            if steps:
                params = [resolve_params(s.params, self.results) for s in steps]
                found = bulk.collect(self.client, job_id, steps, params)
                with self.journal.transaction():
                    for step, result in zip(steps, found, strict=True):
                        if result is not None:
                            self.settle(step, "done", result=result)
            self.journal.close_job(job_id)

    def group(self, steps: list[Step], bulk: BulkRunner) -> None:
        """Apply a group the bulk runner claimed; what it does not take goes one call each."""
        ready: list[Step] = []
        for step in steps:
            if self.state[step.id] == "done":
                continue
            reason = self.blocked(step)
            if reason:
                self.settle(step, "skipped", reason=reason)
            else:
                ready.append(step)
        params = {s.id: resolve_params(s.params, self.results) for s in ready}
        unsure = [s for s in ready if self.unsure(s)]
        if unsure:
            found = bulk.reconcile(self.client, unsure, [params[s.id] for s in unsure])
            with self.journal.transaction():
                for step, result in zip(unsure, found, strict=True):
                    if result is not None:
                        self.settle(step, "done", result=result)
        ready = [s for s in ready if self.state[s.id] != "done"]
        if not ready:
            return
        with self.journal.transaction():
            for step in ready:
                self.journal.mark_running(step.id)
                self.state[step.id] = "running"
        jobs: dict[str, list[int]] = {}

        def submitted(job_id: str, ids: list[int]) -> None:
            self.journal.record_job(job_id, ids)
            self.report.sent += len(ids)
            self.report.jobs += 1
            self.report.job_rows += len(ids)
            jobs[job_id] = ids

        outcomes = bulk.run(self.client, ready, [params[s.id] for s in ready], submitted)
        with self.journal.transaction():
            for step, outcome in zip(ready, outcomes, strict=True):
                if isinstance(outcome, dict):
                    self.settle(step, "done", result=outcome)
                elif outcome is not None:
                    self.settle(step, "failed", error=outcome)
            for job_id, ids in jobs.items():
                # a job with a failed row stays on record: a resume reads its result first
                if all(self.state[i] == "done" for i in ids):
                    self.journal.close_job(job_id)
        for step, outcome in zip(ready, outcomes, strict=True):
            if outcome is None:  # not taken by the job: known not sent, no need to look
                self.send(step, params[step.id])
