"""Import jobs as steps: each file row through the same handler as the single API call.

The handlers bring the rules, the errcodes and the change log; job-level checks (40092,
302003-302007, 45026) fail the whole job before any row is applied.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..api.handlers import departments, users
from ..context import Ctx
from ..errors import ApiError, errmsg_text
from ..rules.common import Params
from ..store.jobs import Job
from ..store.keys import userid_key
from .csvfile import (
    DepartmentLine,
    MemberLine,
    member_body,
    read_department_file,
    read_member_file,
)

ROOT_ID = 1
# where a member file's unknown department ids are created (batch.md §5.1, since 2024-05)
UNSORTED_DEPARTMENT = "其他（待设置部门）"
ACTION_CREATED, ACTION_RENAMED, ACTION_MOVED, ACTION_ORDER = 1, 2, 4, 8

Step = Callable[[Ctx], "dict[str, Any] | None"]  # a row's result, or None for follow-up work


@dataclass
class ImportPlan:
    """The steps of one job in order; ``rows`` of them yield the per-row results."""

    steps: list[Step]
    rows: int


def row_error(error: ApiError) -> tuple[int, str]:
    text = errmsg_text(error.errcode).strip()
    return error.errcode, f"{text} ({error.detail})" if error.detail else text


def _ensure_departments(ctx: Ctx, ids: list[int]) -> None:
    """Unknown ids: created under 其他（待设置部门）, or 40066 when switched to "reject"."""
    missing = [d for d in ids if ctx.store.departments.get(d) is None]
    if not missing:
        return
    if ctx.config.import_missing_department == "reject":
        raise ApiError(40066, f"department {missing[0]} not found")
    holder = next((d for d in ctx.store.departments.children(ROOT_ID)
                   if d.name == UNSORTED_DEPARTMENT), None)
    if holder is None:
        made = departments.create(
            ctx, Params({"name": UNSORTED_DEPARTMENT, "parentid": ROOT_ID}, strict=True)
        )
        holder_id = int(made["id"])
    else:
        holder_id = holder.id
    for dept_id in missing:
        departments.create(ctx, Params({"name": str(dept_id), "parentid": holder_id,
                                        "id": dept_id}, strict=True))


def _member_step(line: MemberLine) -> Step:
    def run(ctx: Ctx) -> dict[str, Any]:
        try:
            body = member_body(line)
            _ensure_departments(ctx, body.get("department", []))
            handler = users.update if ctx.find_user(line.userid) else users.create
            handler(ctx, Params(body, strict=True))
        except ApiError as error:
            code, text = row_error(error)
            return {"userid": line.userid, "errcode": code, "errmsg": text}
        return {"userid": line.userid, "errcode": 0, "errmsg": "ok"}

    return run


def _delete_user_step(userid: str) -> Step:
    def run(ctx: Ctx) -> None:
        try:
            users.delete(ctx, Params({"userid": userid}, strict=True))
        except ApiError:
            pass  # the corp creator, or a member another call removed meanwhile
        return None

    return run


def check_delete_brake(deleting: int, members: int) -> None:
    """replaceuser's safety stop (batch.md §5.2, limits.md §3)."""
    if members and ((deleting > 50 and deleting * 5 > members)
                    or (deleting < 50 and deleting * 5 > members * 4)):
        raise ApiError(45026, f"the file would delete {deleting} of {members} members")


def plan_members(ctx: Ctx, job: Job, data: bytes) -> ImportPlan:
    lines = read_member_file(data)
    steps = [_member_step(line) for line in lines]
    if job.type == "replace_user":
        keep = {userid_key(line.userid) for line in lines}
        doomed = [u.userid for u in ctx.store.users.all() if userid_key(u.userid) not in keep]
        check_delete_brake(len(doomed), ctx.store.users.count())
        steps += [_delete_user_step(userid) for userid in doomed]
    steps.append(sweep_departments)
    return ImportPlan(steps, len(lines))


def _top_down(lines: list[DepartmentLine]) -> list[DepartmentLine]:
    """The file's departments parents first (the file was checked to be a tree)."""
    children: dict[int, list[DepartmentLine]] = {}
    for line in lines:
        children.setdefault(line.parentid if line.id != ROOT_ID else 0, []).append(line)
    ordered: list[DepartmentLine] = list(children.get(0, []))
    queue = deque([ROOT_ID])
    while queue:
        for child in children.get(queue.popleft(), []):
            if child.id != ROOT_ID:
                ordered.append(child)
                queue.append(child.id)
    return ordered


def _department_step(line: DepartmentLine) -> Step:
    def run(ctx: Ctx) -> dict[str, Any]:
        action = 0
        try:
            current = ctx.store.departments.get(line.id)
            ctx.store.jobs.mark_department_for_deletion(line.id, False)
            if current is None:
                fields: dict[str, Any] = {"id": line.id, "name": line.name,
                                          "parentid": line.parentid}
                if line.order is not None:
                    fields["order"] = line.order
                departments.create(ctx, Params(fields, strict=True))
                action = ACTION_CREATED
            else:
                changes: dict[str, Any] = {}
                if line.name != current.name:
                    changes["name"], action = line.name, action | ACTION_RENAMED
                if line.id != ROOT_ID and line.parentid != current.parentid:
                    changes["parentid"], action = line.parentid, action | ACTION_MOVED
                # an empty or 0 order keeps the department's order (batch.md §5.3)
                if line.order is not None and line.order != current.order:
                    changes["order"], action = line.order, action | ACTION_ORDER
                if changes:
                    departments.update(ctx, Params({"id": line.id, **changes}, strict=True))
        except ApiError as error:
            code, text = row_error(error)
            return {"action": 0, "partyid": line.id, "errcode": code, "errmsg": text}
        return {"action": action, "partyid": line.id, "errcode": 0, "errmsg": "ok"}

    return run


def _mark_missing_step(keep: set[int]) -> Step:
    def run(ctx: Ctx) -> None:
        for dept in ctx.store.departments.all():
            if dept.id != ROOT_ID and dept.id not in keep:
                ctx.store.jobs.mark_department_for_deletion(dept.id, True)
        return None

    return run


def sweep_departments(ctx: Ctx) -> None:
    """Delete departments replaceparty left out, deepest first, once they are empty."""
    store = ctx.store
    marked = store.jobs.departments_to_delete()
    for dept_id in sorted(marked, key=store.departments.depth, reverse=True):
        dept = store.departments.get(dept_id)
        if dept is None:
            store.jobs.mark_department_for_deletion(dept_id, False)
        elif not store.departments.member_count(dept_id) and not store.departments.children(
            dept_id
        ):
            departments.delete(ctx, Params({"id": dept_id}, strict=True))
            store.jobs.mark_department_for_deletion(dept_id, False)


def plan_departments(ctx: Ctx, job: Job, data: bytes) -> ImportPlan:
    lines = _top_down(read_department_file(data))
    steps: list[Step] = [_department_step(line) for line in lines]
    steps += [_mark_missing_step({line.id for line in lines}), sweep_departments]
    return ImportPlan(steps, len(lines))


def plan_import(ctx: Ctx, job: Job) -> ImportPlan:
    """The steps of an import job; ApiError when the job fails as a whole."""
    media = ctx.store.media.get(str(job.request.get("media_id", "")))
    if media is None or media.expires_at <= ctx.now:
        raise ApiError(40007, "the media_id expired before the job started")
    if job.type == "replace_party":
        return plan_departments(ctx, job, media.data)
    return plan_members(ctx, job, media.data)
