"""Records to WeCom-shaped JSON, as a given caller is allowed to see them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ..context import Ctx
from ..store.records import Department, User

# Hidden from apps since 2022-06-20 (users.md §2 †); avatar thumbnails go with the avatar.
SENSITIVE_FIELDS = (
    "avatar",
    "thumb_avatar",
    "gender",
    "mobile",
    "email",
    "biz_mail",
    "qr_code",
    "address",
)
# Stored because create/update accept them, never returned by reads.
INPUT_ONLY_FIELDS = ("avatar_mediaid", "to_invite", "nickname", "new_userid")
_STRING_DEFAULTS = {
    "position": "",
    "mobile": "",
    "gender": "0",
    "email": "",
    "biz_mail": "",
    "telephone": "",
    "alias": "",
    "address": "",
    "external_position": "",
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def avatar_urls(corp_id: str, media_id: str) -> tuple[str, str]:
    """(avatar, thumb_avatar) URLs of an uploaded avatar; callbacks send the same one."""
    base = f"https://wework.qpic.cn/wwpic/{_digest(corp_id, media_id)[:24]}"
    return base + "/0", base + "/100"


def render_department(dept: Department, leaders: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": dept.id, "name": dept.name}
    if dept.name_en is not None:
        out["name_en"] = dept.name_en
    out.update(department_leader=leaders, parentid=dept.parentid, order=dept.order)
    return out


def render_simple_department(dept: Department) -> dict[str, Any]:
    return {"id": dept.id, "parentid": dept.parentid, "order": dept.order}


def leader_names(ctx: Ctx, users: Iterable[User]) -> dict[int, str]:
    """seq -> userid for every direct leader of the given members that the caller may see."""
    seqs = {s for u in users for s in u.direct_leaders}
    scope = ctx.scope()
    return {s: uid for s, uid in ctx.store.users.userids(seqs).items() if scope.sees_user(s)}


def visible_departments(ctx: Ctx, user: User) -> list[int]:
    """Positions in the member's department list that the caller can see."""
    scope = ctx.scope()
    return [i for i, d in enumerate(user.departments) if scope.sees_department(d)]


def render_user(ctx: Ctx, user: User, leaders: dict[int, str]) -> dict[str, Any]:
    """user/get and user/list shape."""
    out = user.wire([leaders[s] for s in user.direct_leaders if s in leaders])
    keep = visible_departments(ctx, user)
    out["department"] = [user.departments[i] for i in keep]
    out["order"] = [user.orders[i] for i in keep]
    out["is_leader_in_dept"] = [user.leaders[i] for i in keep]
    if not ctx.scope().sees_department(out["main_department"]):
        del out["main_department"]
    for key in INPUT_ONLY_FIELDS:
        out.pop(key, None)
    for key, default in _STRING_DEFAULTS.items():
        out.setdefault(key, default)
    out.setdefault("extattr", {"attrs": []})
    media = user.fields.get("avatar_mediaid")
    if media:
        out["avatar"], out["thumb_avatar"] = avatar_urls(ctx.config.corp_id, media)
    else:
        out["avatar"], out["thumb_avatar"] = "", ""
    vcode = _digest(ctx.config.corp_id, user.openid)[:32]
    out["qr_code"] = f"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode={vcode}"
    if ctx.caller.kind == "app" and ctx.caller.hide_sensitive:
        for key in SENSITIVE_FIELDS:
            out.pop(key, None)
    return out


def render_simple_user(ctx: Ctx, user: User) -> dict[str, Any]:
    """user/simplelist shape."""
    depts = [user.departments[i] for i in visible_departments(ctx, user)]
    return {"userid": user.userid, "name": user.fields.get("name", ""), "department": depts}
