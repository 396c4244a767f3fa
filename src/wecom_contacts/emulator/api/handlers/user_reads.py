"""user/get, simplelist, list and list_id (cursor paging that survives directory changes)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import Params, check_int32
from ...store.records import User
from ..render import leader_names, render_simple_user, render_user
from .departments import visible_tree
from .users import existing_user


def get(ctx: Ctx, p: Params) -> dict[str, Any]:
    userid = p.text("userid")
    if not userid:
        raise ApiError(41009)
    user = existing_user(ctx, userid)
    if not ctx.scope().sees_user(user.seq):
        raise ApiError(60011, f"userid {userid!r} is outside the app's visible scope")
    return render_user(ctx, user, leader_names(ctx, [user]))


def members(ctx: Ctx, p: Params) -> list[User]:
    """Members of department_id (and, with fetch_child=1, of its descendants in tree order),
    each once; within a department by order (larger first), then by creation."""
    dept_id = p.integer("department_id")
    if dept_id is None:
        raise ApiError(60003, "department_id missing")
    check_int32(dept_id, "department_id")
    tree = visible_tree(ctx, dept_id)  # 60003 / 60011
    ids = (
        [d.id for d in tree]
        if p.integer("fetch_child") == 1 and ctx.config.honour_fetch_child
        else [dept_id]
    )
    users = ctx.store.users.by_seqs(ctx.store.users.seqs_in_departments(ids))
    by_dept: dict[int, list[tuple[int, int, User]]] = {d: [] for d in ids}
    for user in users:
        for pos, d in enumerate(user.departments):
            if d in by_dept:
                by_dept[d].append((-user.orders[pos], user.seq, user))
    seen: set[int] = set()
    out: list[User] = []
    for d in ids:
        for _, seq, user in sorted(by_dept[d], key=lambda t: t[:2]):
            if seq not in seen:
                seen.add(seq)
                out.append(user)
    limit = ctx.config.max_list_users
    if limit is not None and len(out) > limit:
        raise ApiError(45029, "query department by department")
    return out


def simplelist(ctx: Ctx, p: Params) -> dict[str, Any]:
    return {"userlist": [render_simple_user(ctx, u) for u in members(ctx, p)]}


def list_(ctx: Ctx, p: Params) -> dict[str, Any]:
    users = members(ctx, p)
    leaders = leader_names(ctx, users)
    return {"userlist": [render_user(ctx, u, leaders) for u in users]}


def _cursor_check(ctx: Ctx, body: str) -> str:
    return hashlib.sha256(f"{ctx.config.corp_id}:{body}".encode()).hexdigest()[:8]


def encode_cursor(ctx: Ctx, seq: int, dept: int) -> str:
    body = f"{seq}.{dept}"
    raw = f"{body}.{_cursor_check(ctx, body)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(ctx: Ctx, cursor: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        seq, dept, check = text.split(".")
        if check != _cursor_check(ctx, f"{seq}.{dept}"):
            raise ValueError(cursor)
        return int(seq), int(dept)
    except ValueError:
        raise ApiError(50100, "cursor was not issued by this corp") from None


def list_id(ctx: Ctx, p: Params) -> dict[str, Any]:
    """(userid, department) rows ordered by (internal member number, department id); the
    cursor is the last key returned, so a pair that exists during the whole iteration is
    returned exactly once whatever else changes."""
    limit = p.integer("limit")
    if limit is None:
        limit = ctx.config.list_id_default_limit
    if not 1 <= limit <= 10000:
        raise ApiError(40058, "limit must be 1-10000")
    cursor = p.text("cursor")
    after = decode_cursor(ctx, cursor) if cursor else (0, 0)
    rows = ctx.store.users.list_id_rows(after, limit + 1)
    page = rows[:limit]
    next_cursor = encode_cursor(ctx, page[-1][0], page[-1][2]) if len(rows) > limit else ""
    return {
        "next_cursor": next_cursor,
        "dept_user": [{"userid": userid, "department": dept} for _, userid, dept in page],
    }
