"""user/create, update, delete, batchdelete: field rules, then relations, then one write."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules import users as rules
from ...rules.common import Params
from ...rules.profile import check_external_profile, merge_extattr
from ...store.keys import email_key, mobile_key, userid_key
from ...store.records import User


def make_openid(ctx: Ctx, userid: str) -> str:
    """Stable per (corp, userid at creation), kept across userid changes."""
    n = 0
    while True:
        seed = f"{ctx.config.corp_id}:{userid_key(userid)}:{n}".encode()
        openid = "o" + base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode()[:27]
        if ctx.store.users.seq_where("openid", openid) is None:
            return openid
        n += 1


def _required_userid(p: Params) -> str:
    userid = p.text("userid")
    if not userid:
        raise ApiError(41009)
    return userid


def existing_user(ctx: Ctx, userid: str) -> User:
    user = ctx.find_user(userid)
    if user is None:
        raise ApiError(60111, f"userid {userid!r} not found")
    return user


def _apply_fields(ctx: Ctx, p: Params, user: User, *, creating: bool) -> None:
    """Copy the given fields onto `user`, each checked against its format rule."""
    cfg = ctx.config
    fields = user.fields
    for key, check in rules.TEXT_RULES.items():
        value = p.text(key)
        if value is None:
            continue
        value = check(value)
        # users.md: a mobile change of an activated member is ignored without an error
        if key == "mobile" and not creating and user.activated:
            continue
        fields[key] = value
    biz_mail = p.text("biz_mail")
    if biz_mail is not None:
        fields["biz_mail"] = rules.check_biz_mail(biz_mail, cfg.biz_mail_domain)
    extattr = p.mapping("extattr")
    if extattr is not None:
        fields["extattr"] = merge_extattr(fields.get("extattr"), extattr, names=cfg.extattr_names)
    profile = p.mapping("external_profile")
    if profile is not None:
        fields["external_profile"] = check_external_profile(
            profile, text_max=cfg.external_text_max_len
        )
    alias_box = p.mapping("biz_mail_alias")
    if alias_box is not None:
        fields["biz_mail_alias"] = alias_box
    main = p.integer("main_department")
    if main is not None:
        fields["main_department"] = main
    enable = p.integer("enable")
    if enable is not None:
        user.enable = rules.check_enable(enable)


def _apply_departments(ctx: Ctx, p: Params, user: User, *, creating: bool) -> None:
    """department replaces the list; order counts only with it; flags must match its length."""
    depts = p.ints("department")
    orders = p.ints("order")
    flags = p.ints("is_leader_in_dept")
    if creating and not depts:
        raise ApiError(ctx.config.user_department_missing_errcode, "department is required")
    if depts is not None:
        if not depts:
            raise ApiError(40066, "department is empty")
        rules.check_departments(depts, max_count=ctx.config.max_user_departments)
        before = dict(
            zip(user.departments, zip(user.orders, user.leaders, strict=True), strict=True)
        )
        user.orders = (
            rules.check_orders(orders, len(depts))
            if orders is not None
            else [before.get(d, (0, 0))[0] for d in depts]
        )
        user.leaders = [before.get(d, (0, 0))[1] for d in depts]
        user.departments = depts
        # a main department left behind falls back to the first one, unless given now
        if not p.has("main_department") and user.fields.get("main_department") not in depts:
            user.fields.pop("main_department", None)
    if flags is not None:
        user.leaders = rules.check_leader_flags(flags, len(user.departments))


def _apply_direct_leaders(ctx: Ctx, p: Params, user: User) -> None:
    names = p.texts("direct_leader")
    if names is None:
        return
    rules.check_direct_leaders(names)
    found = ctx.store.users.seqs_by_userids(names)
    missing = [n for n in names if userid_key(n) not in found]
    if missing:
        raise ApiError(60111, f"direct_leader {missing[0]!r} not found")
    user.direct_leaders = list(dict.fromkeys(found[userid_key(n)] for n in names))


def _unique(ctx: Ctx, column: str, key: str, seq: int, code: int, what: str) -> None:
    holder = ctx.store.users.seq_where(column, key)
    if holder is not None and holder != seq:
        raise ApiError(code, f"{what} is used by another member")


def _check_relations(ctx: Ctx, old: User | None, new: User) -> None:
    """Rules that need the directory: uniqueness, departments, node room, main department."""
    cfg, f = ctx.config, new.fields
    contact = [f.get("mobile"), f.get("email")]
    if cfg.biz_mail_counts_as_contact:
        contact.append(f.get("biz_mail"))
    if not any(contact):
        raise ApiError(60129)
    if f.get("mobile"):
        _unique(ctx, "mobile_key", mobile_key(f["mobile"]), new.seq, 60104, "mobile")
    if f.get("email"):
        _unique(ctx, "email_key", email_key(f["email"]), new.seq, 60106, "email")
    if f.get("biz_mail"):
        _unique(ctx, "biz_mail_key", email_key(f["biz_mail"]), new.seq, 60145, "biz_mail")
    missing = sorted(set(new.departments) - ctx.store.departments.existing(new.departments))
    if missing:
        raise ApiError(40066, f"department {missing[0]} not found")
    added = [d for d in new.departments if old is None or d not in old.departments]
    for dept_id in added:
        if ctx.store.departments.node_count(dept_id) >= cfg.max_nodes_per_department:
            raise ApiError(81001, f"department {dept_id} is full")
    main = f.get("main_department")
    if cfg.validate_main_department and main is not None and main not in new.departments:
        raise ApiError(40066, "main_department must be one of department")


def create(ctx: Ctx, p: Params) -> dict[str, Any]:
    cfg = ctx.config
    userid = rules.check_userid(_required_userid(p))
    if ctx.store.users.by_userid(userid) is not None:
        raise ApiError(60102, f"userid {userid!r} exists (userids ignore case)")
    if p.text("name") is None:
        raise ApiError(60112, "name is required")
    user = User(userid, {}, [], [], [], created_at=ctx.now)
    _apply_fields(ctx, p, user, creating=True)
    _apply_departments(ctx, p, user, creating=True)
    _apply_direct_leaders(ctx, p, user)
    if p.text("biz_mail"):
        user.biz_mail_locked = True  # set explicitly at creation: never changeable (60144)
    elif cfg.biz_mail_domain:
        user.fields["biz_mail"] = f"{userid.lower()}@{cfg.biz_mail_domain}"
    _check_relations(ctx, None, user)
    if ctx.store.users.count() >= cfg.member_quota:
        raise ApiError(45024, f"the corp holds its quota of {cfg.member_quota} members")
    user.openid = make_openid(ctx, userid)
    ctx.store.users.insert(user, ctx.caller.name)
    return {}


def _rename(ctx: Ctx, user: User, new_userid: str) -> None:
    rules.check_userid(new_userid, "new_userid")
    if new_userid == user.userid:
        return
    policy_ok = ctx.config.new_userid_policy == "once" or user.system_userid
    if not policy_ok or user.userid_changed:
        raise ApiError(301036, "only a system-generated userid may change, once")
    holder = ctx.store.users.by_userid(new_userid)
    if holder is not None and holder.seq != user.seq:
        raise ApiError(60102, f"userid {new_userid!r} exists")
    user.userid = new_userid
    user.userid_changed = True


def update(ctx: Ctx, p: Params) -> dict[str, Any]:
    old = existing_user(ctx, _required_userid(p))
    new = copy.deepcopy(old)
    _apply_fields(ctx, p, new, creating=False)
    _apply_departments(ctx, p, new, creating=False)
    _apply_direct_leaders(ctx, p, new)
    if new.fields.get("biz_mail", "") != old.fields.get("biz_mail", ""):
        if old.biz_mail_locked:
            raise ApiError(60144, "biz_mail can no longer change")
        new.biz_mail_locked = True  # a default address may change once
    new_userid = p.text("new_userid")
    if new_userid:
        _rename(ctx, new, new_userid)
    _check_relations(ctx, old, new)
    ctx.store.users.update(old, new, ctx.caller.name)
    return {}


def _deletable(ctx: Ctx, user: User) -> None:
    creator = ctx.config.creator_userid
    if creator and userid_key(creator) == userid_key(user.userid):
        raise ApiError(301005)


def delete(ctx: Ctx, p: Params) -> dict[str, Any]:
    user = existing_user(ctx, _required_userid(p))
    _deletable(ctx, user)
    ctx.store.users.delete(user, ctx.caller.name)
    return {}


def batchdelete(ctx: Ctx, p: Params) -> dict[str, Any]:
    """All or nothing: one unknown userid fails the whole call (users.md)."""
    userids = p.texts("useridlist")
    if not userids:
        raise ApiError(40058, "useridlist is required")
    if len(userids) > 200:
        raise ApiError(40032, "at most 200 userids")
    users: dict[int, User] = {}
    for userid in userids:
        user = ctx.find_user(userid)
        if user is None:
            raise ApiError(ctx.config.batchdelete_invalid_errcode, f"userid {userid!r} not found")
        _deletable(ctx, user)
        users[user.seq] = user
    for user in users.values():
        ctx.store.users.delete(user, ctx.caller.name)
    return {}
