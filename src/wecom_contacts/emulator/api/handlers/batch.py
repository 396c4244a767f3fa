"""batch/syncuser, replaceuser, replaceparty and getresult: submit a job, read its result."""

from __future__ import annotations

from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import Params
from ...store.jobs import Job, Jobs

_STATUS = {"pending": 1, "running": 2, "done": 3}  # batch.md §5.4: started, running, finished


def _media_id(ctx: Ctx, p: Params) -> str:
    media_id = p.text("media_id")
    if not media_id:
        raise ApiError(41006)
    media = ctx.store.media.get(media_id)
    if media is None or media.expires_at <= ctx.now:
        raise ApiError(40007, "unknown or expired media_id (media lives 3 days)")
    return media_id


def _callback(p: Params) -> dict[str, str] | None:
    box = p.mapping("callback")
    if box is None:
        return None
    fields = {k: box[k] for k in ("url", "token", "encodingaeskey") if isinstance(box.get(k), str)}
    url = fields.get("url", "")
    if url and not url.startswith(("http://", "https://")):
        raise ApiError(40058, "callback.url must be an http or https URL")
    return fields or None


def _submit(ctx: Ctx, p: Params, job_type: str) -> dict[str, Any]:
    media_id = _media_id(ctx, p)
    if ctx.store.jobs.unfinished("import"):
        raise ApiError(302008, "another import job is still running")
    request: dict[str, Any] = {"media_id": media_id}
    if job_type != "replace_party":
        invite = p.flag("to_invite")
        request["to_invite"] = True if invite is None else invite
    callback = _callback(p)
    if callback:
        request["callback"] = callback
    job = Job(Jobs.new_id(), "import", job_type, ctx.caller.name, request, created_at=ctx.now)
    ctx.store.jobs.add(job)
    ctx.store.jobs.purge_older("import", ctx.config.job_results_kept)
    return {"jobid": job.jobid}


def syncuser(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "sync_user")


def replaceuser(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "replace_user")


def replaceparty(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "replace_party")


def getresult(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Progress while the job runs; the rows once finished; a failed job's own errcode."""
    jobid = p.text("jobid") or ""
    job = ctx.store.jobs.get(jobid) if len(jobid.encode()) <= 64 else None
    if job is None or job.family != "import":
        raise ApiError(40088, f"jobid {jobid!r} not found")
    if job.purged:
        raise ApiError(40089, f"only the last {ctx.config.job_results_kept} results are kept")
    if job.state == "done" and job.errcode:
        # the codes a whole job fails with are listed on this page (batch.md §5.4)
        raise ApiError(job.errcode, job.errmsg)
    done = job.state == "done"
    return {
        "status": _STATUS[job.state],
        "type": job.type,
        "total": job.total,
        "percentage": job.percentage,
        "result": ctx.store.jobs.results(job.jobid) if done else [],
    }
