"""export/simple_user, user, department, taguser and get_result (export.md)."""

from __future__ import annotations

import re
from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import INT32_MAX, Params
from ...store.jobs import Job, Jobs

# API path → JobType of the batch_job_result event (export.md "Completion event")
EXPORT_TYPES = {
    "export/simple_user": "export_simple_user",
    "export/user": "export_user",
    "export/department": "export_department",
    "export/taguser": "export_taguser",
}
_KEY = re.compile(r"[A-Za-z0-9]{43}")
_STATUS = {"pending": 0, "running": 1, "done": 2}  # 3 = failed (export.md)
FILES_PATH = "/_emulator/files/"


def _submit(ctx: Ctx, p: Params, path: str, **extra: Any) -> dict[str, Any]:
    cfg = ctx.config
    key = p.text("encoding_aeskey")
    if not key or not _KEY.fullmatch(key):
        raise ApiError(40058, "encoding_aeskey must be 43 characters from A-Z a-z 0-9")
    size = p.integer("block_size")
    size = cfg.export_max_block_size if size is None else size
    if not cfg.export_min_block_size <= size <= cfg.export_max_block_size:
        raise ApiError(40058, f"block_size must be {cfg.export_min_block_size}-"
                              f"{cfg.export_max_block_size}")
    request = {"encoding_aeskey": key, "block_size": size, **extra}
    job = Job(Jobs.new_id(), "export", EXPORT_TYPES[path], ctx.caller.name, request,
              created_at=ctx.now)
    ctx.store.jobs.add(job)
    return {"jobid": job.jobid}


def simple_user(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "export/simple_user")


def user(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "export/user")


def department(ctx: Ctx, p: Params) -> dict[str, Any]:
    return _submit(ctx, p, "export/department")


def taguser(ctx: Ctx, p: Params) -> dict[str, Any]:
    tagid = p.integer("tagid")
    if tagid is None:
        raise ApiError(41017)
    if not 0 <= tagid <= INT32_MAX or ctx.store.tags.get(tagid) is None:
        raise ApiError(40068, f"tag {tagid} not found")
    return _submit(ctx, p, "export/taguser", tagid=tagid)


def get_result(ctx: Ctx, p: Params) -> dict[str, Any]:
    jobid = p.text("jobid") or ""
    job = ctx.store.jobs.get(jobid)
    if job is None or job.family != "export":
        raise ApiError(40088, f"jobid {jobid!r} not found")
    if job.caller != ctx.caller.name:
        # export.md: only the secret that submitted the job may read it (code unconfirmed)
        raise ApiError(60011, "the job was submitted with another secret")
    if job.state == "done" and job.errcode:
        return {"status": 3, "data_list": []}
    files = ctx.store.media.export_files_of(jobid) if job.state == "done" else []
    return {
        "status": _STATUS[job.state],
        "data_list": [{"url": f"{ctx.base_url}{FILES_PATH}{file_id}", "size": size, "md5": md5}
                      for file_id, size, md5 in files],
    }
