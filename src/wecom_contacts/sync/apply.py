"""apply_plan: run a plan step by step through the client, journaled and resumable."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Conflict, TransportError, WeComError
from .errors import DriftError, JournalError
from .execute import IncompleteStep, reconcile_step, resolve_params, run_step
from .journal import Journal
from .model import DesiredDirectory
from .plan import make_plan
from .plan_types import Plan, PlanOptions, Step
from .read import read_live
from .report import ApplyReport, ProgressEvent, StepFailure
from .scope import fingerprint, scope_for

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["BulkRunner", "ProgressCallback", "apply_plan", "check_drift", "plan_and_apply"]

ProgressCallback = Callable[[ProgressEvent], None]


class BulkRunner(Protocol):
    """The import-job path (CSV upload + ``batch/syncuser`` …) for large change sets.

    ``apply_plan(..., bulk=runner)`` hands each group the runner names to ``run`` instead of
    sending its steps one by one. Steps stay journaled one by one (marked running before the
    job, done or failed after), so resume and reconciliation work unchanged.
    """

    def groups(self, plan: Plan) -> list[list[int]]:
        """Runs of consecutive step ids to apply as one job each (may be empty)."""
        ...

    def run(self, client: Client, steps: Sequence[Step],
            params: Sequence[dict[str, Any]]) -> list[dict[str, Any] | WeComError]:
        """Apply the steps; one result (or the error) per step, in order."""
        ...


def check_drift(client: Client, plan: Plan) -> None:
    """Raise DriftError when the live directory is no longer the one the plan was made from."""
    live = read_live(client, subtree=plan.options.subtree)
    actual = fingerprint(live, scope_for(live, plan.options))
    if actual != plan.fingerprint:
        raise DriftError(plan.fingerprint, actual)


def _ambiguous(exc: WeComError) -> bool:
    """Might the call have been applied although it raised?"""
    if isinstance(exc, TransportError):
        return exc.may_have_been_applied
    return isinstance(exc, Conflict) and exc.resent


class _Run:
    def __init__(self, client: Client, plan: Plan, journal: Journal,
                 progress: ProgressCallback | None) -> None:
        self.client = client
        self.plan = plan
        self.journal = journal
        self.progress = progress
        self.state = journal.statuses()
        self.results = journal.results()
        self.report = ApplyReport(total=len(plan.steps), journal_path=journal.path)
        self.completed = 0

    def settle(self, step: Step, status: str, *, result: dict[str, Any] | None = None,
               error: WeComError | Exception | None = None, reason: str = "") -> None:
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

    def one(self, step: Step) -> None:
        reason = self.blocked(step)
        if reason:
            self.settle(step, "skipped", reason=reason)
            return
        params: dict[str, Any] = resolve_params(step.params, self.results)
        if self.state[step.id] in ("running", "failed"):
            # an earlier run stopped inside this step (or it failed): look before resending
            found, params = reconcile_step(self.client, step, params)
            if found is not None:
                self.settle(step, "done", result=found)
                return
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

    def group(self, steps: list[Step], bulk: BulkRunner) -> None:
        ready = [s for s in steps if not self.blocked(s)]
        for step in steps:
            if step not in ready:
                self.settle(step, "skipped", reason=self.blocked(step))
        params = [resolve_params(s.params, self.results) for s in ready]
        for step in ready:
            self.journal.mark_running(step.id)
        self.report.sent += len(ready)
        outcomes = bulk.run(self.client, ready, params)
        for step, outcome in zip(ready, outcomes, strict=True):
            if isinstance(outcome, dict):
                self.settle(step, "done", result=outcome)
            else:
                self.settle(step, "failed", error=outcome)


def apply_plan(
    client: Client,
    plan: Plan,
    journal_path: str | os.PathLike[str],
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    check: bool = True,
    bulk: BulkRunner | None = None,
    durable: bool = True,
) -> ApplyReport:
    """Apply ``plan``; every step is journaled in ``journal_path`` before and after it runs.

    Raises DriftError (nothing applied) when the live directory changed since the plan, and
    JournalError when the journal belongs to another plan or the apply already started
    (pass ``resume=True`` to continue it: steps left "running" are reconciled against the
    live directory, never resent blindly). A failed step skips the steps that depend on it;
    the others still run. ``check=False`` skips the drift check (the plan was just made).
    """
    started_before = False
    if os.path.exists(journal_path):
        journal = Journal.open(journal_path, plan, durable=durable)
        started_before = any(s != "pending" for s in journal.statuses().values())
        journal.close()
        if started_before and not resume:
            raise JournalError(
                f"the journal {os.fspath(journal_path)} shows this plan was already applied "
                "(in part); pass resume=True (CLI: --resume) to continue it"
            )
    if check and not started_before:
        check_drift(client, plan)  # a resumed apply has changed the directory itself
    journal = Journal.open(journal_path, plan, durable=durable)
    began = time.monotonic()
    try:
        run = _Run(client, plan, journal, progress)
        run.report.already_done = sum(1 for s in run.state.values() if s == "done")
        run.completed = run.report.already_done
        by_id = {s.id: s for s in plan.steps}
        grouped: dict[int, list[Step]] = {}
        for ids in bulk.groups(plan) if bulk is not None else ():
            grouped[ids[0]] = [by_id[i] for i in ids]
        in_group = {s.id for g in grouped.values() for s in g[1:]}
        for step in plan.steps:
            if run.state[step.id] == "done" or step.id in in_group:
                continue
            if step.id in grouped and bulk is not None and all(
                    run.state[s.id] == "pending" for s in grouped[step.id]):
                run.group(grouped[step.id], bulk)
            elif step.id in grouped:  # a group cut by a crash finishes one step at a time
                for member in grouped[step.id]:
                    if run.state[member.id] != "done":
                        run.one(member)
            else:
                run.one(step)
        journal.set_meta("finished_at", str(time.time()))
    finally:
        journal.close()
    run.report.elapsed = time.monotonic() - began
    run.report.done += run.report.already_done
    return run.report



def plan_and_apply(
    client: Client,
    desired: DesiredDirectory,
    journal_path: str | os.PathLike[str],
    options: PlanOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    bulk: BulkRunner | None = None,
) -> tuple[Plan, ApplyReport]:
    """Read the live directory, plan against it and apply at once (no drift check needed)."""
    live = read_live(client, subtree=options.subtree if options else None)
    plan = make_plan(desired, live, options)
    report = apply_plan(client, plan, journal_path, progress=progress, check=False, bulk=bulk)
    return plan, report
