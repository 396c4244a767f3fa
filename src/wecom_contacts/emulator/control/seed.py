"""The directory document: seeding it as if typed in the admin console, and exporting it."""

from __future__ import annotations

import copy
from typing import Any

from ..api.handlers import departments, tags, users
from ..api.handlers.departments import visible_tree
from ..api.render import leader_names, render_department, render_user
from ..context import Caller, Ctx
from ..errors import ApiError, errmsg_text
from ..rules.common import Params
from ..state import EmulatorState

SECTIONS = ("departments", "users", "tags")
# emulator-only keys a seeded user may carry (users made by the API start not activated)
SEED_ONLY_USER_KEYS = ("status", "system_userid", "direct_leader")


class SeedError(Exception):
    """Where the document is wrong and the errcode the API would have answered."""

    def __init__(self, where: str, problem: ApiError | str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": str(self), "where": self.where}
        if isinstance(self.problem, ApiError):
            out["errcode"] = self.problem.errcode
            out["errmsg"] = errmsg_text(self.problem.errcode)
            out["detail"] = self.problem.detail
        return out


def _call(where: str, handler: Any, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    try:
        result: dict[str, Any] = handler(ctx, Params(data, strict=True))
    except ApiError as error:
        raise SeedError(where, error) from None
    return result


def _items(doc: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
    items = doc.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        raise SeedError(section, "must be an array")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise SeedError(f"{section}[{i}]", "must be an object")
    return [(f"{section}[{i}]", item) for i, item in enumerate(items)]


def _seed_departments(ctx: Ctx, items: list[tuple[str, dict[str, Any]]]) -> None:
    """Parents first, whatever the order in the document; id 1 renames the root."""
    pending = items
    while pending:
        waiting: list[tuple[str, dict[str, Any]]] = []
        pending_ids = {item.get("id") for _, item in pending}
        for where, item in pending:
            if item.get("id") == 1:
                fields: dict[str, Any] = {
                    k: item[k] for k in ("id", "name", "name_en", "order") if k in item
                }
                _call(where, departments.update, ctx, fields)
                continue
            parent = item.get("parentid")
            if parent in pending_ids and (
                type(parent) is not int or ctx.store.departments.get(parent) is None
            ):
                waiting.append((where, item))
                continue
            _call(where, departments.create, ctx, item)
        if len(waiting) == len(pending):  # parents that never come: answer as the API would
            where, item = waiting[0]
            raise SeedError(where, ApiError(60004, f"parent {item.get('parentid')} never created"))
        pending = waiting


def _seed_users(ctx: Ctx, items: list[tuple[str, dict[str, Any]]]) -> None:
    for where, item in items:
        body = {k: v for k, v in item.items() if k not in SEED_ONLY_USER_KEYS}
        status, system = item.get("status"), item.get("system_userid", False)
        if status not in (None, 1, 2, 4):
            raise SeedError(where + ".status", "must be 1 (activated), 2 (disabled) or 4")
        if not isinstance(system, bool):
            raise SeedError(where + ".system_userid", "must be true or false")
        if status == 2 and "enable" not in body:
            body["enable"] = 0
        _call(where, users.create, ctx, body)
        if status == 1 or system:
            user = users.existing_user(ctx, str(item["userid"]))
            flagged = copy.deepcopy(user)
            flagged.activated, flagged.system_userid = status == 1, system
            ctx.store.users.update(user, flagged, ctx.caller.name)
    # second pass: leaders may appear later in the document than their reports
    for where, item in items:
        if item.get("direct_leader"):
            fields = {"userid": item["userid"], "direct_leader": item["direct_leader"]}
            _call(where, users.update, ctx, fields)


def _seed_tags(ctx: Ctx, items: list[tuple[str, dict[str, Any]]]) -> None:
    for where, item in items:
        created = _call(where, tags.create, ctx, {k: item.get(k) for k in ("tagid", "tagname")})
        members = {k: item[k] for k in ("userlist", "partylist") if item.get(k)}
        if not members:
            continue
        result = _call(where, tags.addtagusers, ctx, {"tagid": created["tagid"], **members})
        if result:  # a seed is all or nothing: no partial success
            raise SeedError(where, ApiError(40070, f"invalid members {result}"))


def load_seed(state: EmulatorState, doc: Any) -> dict[str, int]:
    """Validate and write the whole document in one transaction, or nothing."""
    if not isinstance(doc, dict):
        raise SeedError("document", "must be a JSON object")
    unknown = sorted(set(doc) - set(SECTIONS))
    if unknown:
        raise SeedError("document", f"unknown sections {unknown}; expected {list(SECTIONS)}")
    sections = {s: _items(doc, s) for s in SECTIONS}
    ctx = Ctx(state.store, state.config, Caller.console(), state.now())
    with state.store.transaction():
        _seed_departments(ctx, sections["departments"])
        _seed_users(ctx, sections["users"])
        _seed_tags(ctx, sections["tags"])
    return {s: len(items) for s, items in sections.items()}


def export_directory(state: EmulatorState) -> dict[str, Any]:
    """Everything, in wire names, in the shape load_seed accepts."""
    ctx = Ctx(state.store, state.config, Caller.console(), state.now())
    with state.store.transaction():
        tree = visible_tree(ctx, None)
        heads = state.store.users.leaders_of([d.id for d in tree])
        everyone = state.store.users.all()
        leaders = leader_names(ctx, everyone)
        names = {u.seq: u.userid for u in everyone}
        tag_docs = []
        for tag in state.store.tags.all():
            seqs, parties = state.store.tags.members(tag.tagid)
            tag_docs.append(
                {
                    "tagid": tag.tagid,
                    "tagname": tag.tagname,
                    "owner": tag.owner,
                    "userlist": [names[s] for s in seqs if s in names],
                    "partylist": parties,
                }
            )
        return {
            "departments": [
                render_department(d, [uid for _, uid in heads.get(d.id, [])]) for d in tree
            ],
            "users": [
                {**render_user(ctx, u, leaders), "system_userid": u.system_userid} for u in everyone
            ],
            "tags": tag_docs,
        }
