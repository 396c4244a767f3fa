"""tag/* handlers: names, ownership per secret, and partial success on member changes."""

from __future__ import annotations

from typing import Any

from ...context import CONSOLE, Ctx
from ...errors import ApiError
from ...rules.common import INT32_MAX, Params
from ...store.keys import userid_key
from ...store.records import Tag


def _tag_name(p: Params) -> str:
    name = p.text("tagname")
    if name is None:
        raise ApiError(41018)
    if not name or len(name) > 32:
        raise ApiError(40072, "tagname must be 1-32 characters")
    return name


def _unique_name(ctx: Ctx, name: str, tagid: int | None) -> None:
    other = ctx.store.tags.by_name(name, case_sensitive=ctx.config.tag_name_case_sensitive)
    if other is not None and other.tagid != tagid:
        raise ApiError(40071, f"tag {other.tagid} is already named {name!r}")


def _existing(ctx: Ctx, p: Params) -> Tag:
    tagid = p.integer("tagid")
    if tagid is None:
        raise ApiError(41017)
    tag = ctx.store.tags.get(tagid) if 0 <= tagid <= INT32_MAX else None
    if tag is None:
        raise ApiError(40068, f"tag {tagid} not found")
    return tag


def _manage(ctx: Ctx, tag: Tag) -> None:
    """Only the creating app changes a tag; contacts-sync also those made in the console."""
    caller = ctx.caller
    if caller.kind == "console" or tag.owner == caller.name:
        return
    if caller.kind == "sync" and tag.owner == CONSOLE:
        return
    raise ApiError(81011, f"tag {tag.tagid} belongs to {tag.owner!r}")


def create(ctx: Ctx, p: Params) -> dict[str, Any]:
    cfg, tags = ctx.config, ctx.store.tags
    name = _tag_name(p)
    tagid = p.integer("tagid")
    if tagid is None:
        tagid = tags.next_id()
    elif not 0 <= tagid <= INT32_MAX:
        raise ApiError(40068, "tagid must be a non-negative int32")
    elif tags.get(tagid) is not None:
        raise ApiError(cfg.tag_id_in_use_errcode, f"tag {tagid} exists")
    _unique_name(ctx, name, None)
    if tags.count() >= cfg.max_tags:
        raise ApiError(cfg.tag_count_errcode, f"the corp already has {cfg.max_tags} tags")
    tags.insert(Tag(tagid, name, ctx.caller.name), ctx.caller.name)
    return {"tagid": tagid}


def update(ctx: Ctx, p: Params) -> dict[str, Any]:
    tag = _existing(ctx, p)
    name = _tag_name(p)
    _manage(ctx, tag)
    _unique_name(ctx, name, tag.tagid)
    ctx.store.tags.rename(tag.tagid, name, ctx.caller.name)
    return {}


def delete(ctx: Ctx, p: Params) -> dict[str, Any]:
    tag = _existing(ctx, p)
    _manage(ctx, tag)
    ctx.store.tags.delete(tag.tagid, ctx.caller.name)
    return {}


def get(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Members inside the caller's scope; departments are not expanded."""
    tag = _existing(ctx, p)
    scope = ctx.scope()
    seqs, parties = ctx.store.tags.members(tag.tagid)
    users = {u.seq: u for u in ctx.store.users.by_seqs(seqs)}
    return {
        "tagname": tag.tagname,
        "userlist": [
            {"userid": users[s].userid, "name": users[s].fields.get("name", "")}
            for s in seqs
            if s in users and scope.sees_user(s)
        ],
        "partylist": [d for d in parties if scope.sees_department(d)],
    }


def _member_lists(p: Params, *, adding: bool) -> tuple[list[str], list[int]]:
    # lists must be JSON arrays: a "a|b" string is a common mistake answered with 40035
    users, parties = p.data.get("userlist"), p.data.get("partylist")
    if users is not None and not (
        isinstance(users, list) and all(isinstance(u, str) for u in users)
    ):
        raise ApiError(40035, "userlist must be an array of userids")
    if parties is not None and not (
        isinstance(parties, list) and all(type(d) is int for d in parties)
    ):
        raise ApiError(40035, "partylist must be an array of department ids")
    users, parties = users or [], parties or []
    if not users and not parties:
        raise ApiError(40035, "userlist and partylist are both empty")
    if len(users) > 1000 or len(parties) > 100:
        raise ApiError(81014 if adding else 40035, "at most 1000 users and 100 departments")
    return users, parties


def _sort_members(
    ctx: Ctx, users: list[str], parties: list[int]
) -> tuple[list[tuple[int, str]], list[str], list[int], list[int]]:
    """(valid (seq, userid), invalid userids, valid departments, invalid departments)."""
    scope = ctx.scope()
    seqs = ctx.store.users.seqs_by_userids(users)
    names = ctx.store.users.userids(seqs.values())
    good_u: list[tuple[int, str]] = []
    bad_u: list[str] = []
    for u in users:
        seq = seqs.get(userid_key(u))
        if seq is not None and scope.sees_user(seq):
            good_u.append((seq, names[seq]))
        else:
            bad_u.append(u)
    existing = ctx.store.departments.existing(parties)
    good_p = [d for d in parties if d in existing and scope.sees_department(d)]
    bad_p = [d for d in parties if d not in good_p]
    return good_u, bad_u, good_p, bad_p


def _partial(bad_users: list[str], bad_parties: list[int]) -> dict[str, Any]:
    # documented asymmetry: invalidlist is a "|"-joined string, invalidparty an int array
    out: dict[str, Any] = {}
    if bad_users:
        out["invalidlist"] = "|".join(bad_users)
    if bad_parties:
        out["invalidparty"] = bad_parties
    return out


def addtagusers(ctx: Ctx, p: Params) -> dict[str, Any]:
    tag = _existing(ctx, p)
    _manage(ctx, tag)
    users, parties = _member_lists(p, adding=True)
    good_u, bad_u, good_p, bad_p = _sort_members(ctx, users, parties)
    if not good_u and not good_p:
        raise ApiError(40070)
    seqs, current_p = ctx.store.tags.members(tag.tagid)
    total = len(set(seqs) | {s for s, _ in good_u}) + len(set(current_p) | set(good_p))
    if total > ctx.config.max_tag_nodes:
        raise ApiError(81003, f"a tag holds at most {ctx.config.max_tag_nodes} nodes")
    ctx.store.tags.change_members(
        tag.tagid, add_users=good_u, add_parties=good_p, actor=ctx.caller.name
    )
    return _partial(bad_u, bad_p)


def deltagusers(ctx: Ctx, p: Params) -> dict[str, Any]:
    tag = _existing(ctx, p)
    _manage(ctx, tag)
    users, parties = _member_lists(p, adding=False)
    good_u, bad_u, good_p, bad_p = _sort_members(ctx, users, parties)
    if not good_u and not good_p:
        raise ApiError(40031)
    ctx.store.tags.change_members(
        tag.tagid, del_users=good_u, del_parties=good_p, actor=ctx.caller.name
    )
    return _partial(bad_u, bad_p)


def list_(ctx: Ctx, p: Params) -> dict[str, Any]:
    return {"taglist": [{"tagid": t.tagid, "tagname": t.tagname} for t in ctx.store.tags.all()]}
