"""The background worker that runs import and export jobs: at once, paced, or on advance.

A job never holds the store for long: rows are applied in short transactions (each row in a
savepoint, so a refused row leaves nothing behind), and API calls interleave between them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..config import EmulatorConfig
from ..context import Caller, Ctx
from ..errors import ApiError
from ..store.facade import Store
from ..store.jobs import Job
from .exporting import export_files
from .importing import ImportPlan, plan_import, row_error

log = logging.getLogger("wecom_contacts.emulator.jobs")
CHUNK = 100  # steps per transaction
_IDLE_WAIT = 0.5
_PACED_WAIT = 0.05


def job_actor(jobid: str) -> str:
    """The actor of changes a job makes (not the submitting secret: WeCom, not the caller,
    writes them, so a deliverer does not drop them as the contacts-sync tool's own)."""
    return f"batch_job:{jobid}"


class JobRunner:
    """One daemon thread per emulator; `advance()` finishes everything from any thread.

    It is given what it uses: the store, the current settings (they change at run time) and
    the emulator's clock.
    """

    def __init__(
        self, store: Store, settings: Callable[[], EmulatorConfig], now: Callable[[], float]
    ) -> None:
        self._store = store
        self._settings = settings
        self._now = now
        self._plans: dict[str, ImportPlan] = {}
        self._work = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._allowance = 0.0
        self._last = time.monotonic()
        store.jobs.on_added = self._wake.set
        self._fail_orphans()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name="wecom-emulator-jobs")
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def advance(self) -> list[str]:
        """Finish every pending job now, whatever the pace; returns their job ids."""
        with self._work:
            finished: list[str] = []
            while jobs := self._store.jobs.unfinished():
                for job in jobs:
                    while not self._step(job, None):
                        pass
                    finished.append(job.jobid)
            return finished

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stopping.is_set():
            paced = self._settings().job_rows_per_second is not None
            self._wake.wait(_PACED_WAIT if paced else _IDLE_WAIT)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._tick()
            except Exception:  # pragma: no cover - a bug must not kill the worker
                log.exception("job runner step failed")

    def _budget(self) -> int | None:
        """Steps allowed now: None for no limit, else what the pace has earned since."""
        rate = self._settings().job_rows_per_second
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        if rate is None:
            self._allowance = 0.0
            return None
        # no bursts after an idle spell: at most a tenth of a second's worth (or one row)
        self._allowance = min(self._allowance + rate * elapsed, max(rate * 0.1, 1.0))
        steps = int(self._allowance)
        self._allowance -= steps
        return steps

    def _tick(self) -> None:
        if not self._settings().job_auto_advance:
            return
        budget = self._budget()
        with self._work:
            for job in self._store.jobs.unfinished():
                if budget is None:
                    while not self._stopping.is_set() and not self._step(job, None):
                        pass
                    continue
                if budget <= 0:
                    return
                self._step(job, budget)
                budget = 0

    # -- one transaction of work ----------------------------------------------------------

    def _ctx(self, job: Job, caller: Caller | None = None) -> Ctx:
        caller = caller or Caller("sync", job_actor(job.jobid))
        return Ctx(self._store, self._settings(), caller, self._now())

    def _step(self, job: Job, budget: int | None) -> bool:
        """Do up to ``budget`` steps (a chunk when None); True once the job is finished."""
        store = self._store
        with store.transaction():
            current = store.jobs.get(job.jobid)
            if current is None or current.state == "done":  # reset, or finished elsewhere
                self._plans.pop(job.jobid, None)
                return True
            if current.family == "export":
                self._export(current)
                return True
            return self._import(current, CHUNK if budget is None else min(budget, CHUNK))

    def _export(self, job: Job) -> None:
        ctx = self._ctx(job, self._submitter(job))
        try:
            files = export_files(ctx, job)
        except ApiError as error:
            self._finish(job, error)
            return
        expires = ctx.now + self._settings().export_file_lifetime
        for idx, data in enumerate(files):
            self._store.media.put_export_file(job.jobid, idx, data, expires)
        self._store.jobs.progress(job.jobid, total=len(files), steps=len(files), done=len(files))
        self._finish(job)

    def _submitter(self, job: Job) -> Caller:
        """An export sees what the secret that submitted it sees."""
        default = self._settings().hide_sensitive_fields_for_apps
        for secret in self._store.secrets.all():
            if secret.name == job.caller:
                return Caller.from_secret(secret, hide_sensitive_default=default)
        return Caller("app", job.caller)  # the app was removed meanwhile: it sees nothing

    def _import(self, job: Job, limit: int) -> bool:
        store = self._store
        ctx = self._ctx(job)
        plan = self._plans.get(job.jobid)
        if plan is None:
            try:
                plan = plan_import(ctx, job)
            except ApiError as error:
                self._finish(job, error)
                return True
            self._plans[job.jobid] = plan
        start = job.done
        results: list[dict[str, Any]] = []
        for index in range(start, min(start + limit, len(plan.steps))):
            store.execute("SAVEPOINT job_step")
            try:
                outcome = plan.steps[index](ctx)
                refused = bool(outcome and outcome.get("errcode"))
            except ApiError as error:  # a follow-up step the rules refused: skip it
                outcome, refused = None, True
                log.debug("job %s step %d: %s", job.jobid, index, error)
            if refused:  # nothing of a refused row stays behind
                store.execute("ROLLBACK TO job_step")
            store.execute("RELEASE job_step")
            if outcome is not None:
                results.append(outcome)
        done = min(start + limit, len(plan.steps))
        store.jobs.add_results(job.jobid, self._rows_before(job, start, plan), results)
        store.jobs.progress(job.jobid, total=plan.rows, steps=len(plan.steps), done=done)
        if done < len(plan.steps):
            return False
        self._plans.pop(job.jobid, None)
        self._finish(job)
        return True

    @staticmethod
    def _rows_before(job: Job, start: int, plan: ImportPlan) -> int:
        # row steps come first in every plan, so the results so far are min(start, rows)
        return min(start, plan.rows)

    def _finish(self, job: Job, error: ApiError | None = None) -> None:
        """Mark the job done (keeping a job-level error's detail) and record its event."""
        errcode, errmsg = row_error(error) if error else (0, "ok")
        self._store.jobs.finish(job.jobid, self._now(), errcode, error.detail if error else "ok")
        fields: dict[str, Any] = {"jobid": job.jobid, "jobtype": job.type, "errcode": errcode,
                                  "errmsg": errmsg, "caller": job.caller}
        if job.request.get("callback"):
            fields["callback"] = job.request["callback"]
        self._store.record_change("batch_job_result", job.jobid, fields, job_actor(job.jobid))

    def _fail_orphans(self) -> None:
        """Jobs a previous run left unfinished (with --db) cannot resume: they fail."""
        store = self._store
        with store.transaction():
            for job in store.jobs.unfinished():
                self._finish(job, ApiError(302005, "the emulator restarted while the job ran"))
