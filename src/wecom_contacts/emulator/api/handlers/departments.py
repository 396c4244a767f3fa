"""department/* handlers: parameters -> rules -> store -> WeCom-shaped payload."""

from __future__ import annotations

from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules import departments as rules
from ...rules.common import Params, check_int32
from ...store.records import Department
from ..render import render_department, render_simple_department


def _name_en(ctx: Ctx, p: Params) -> str | None:
    """name_en: "" clears it; otherwise the same rules as name."""
    value = p.text("name_en")
    if value:
        rules.check_name(value, max_len=ctx.config.dept_name_max_len, key="name_en")
    return value


def _existing(ctx: Ctx, p: Params, key: str = "id") -> Department:
    dept_id = p.integer(key)
    if dept_id is None:
        raise ApiError(60003, f"{key} missing")
    dept = ctx.store.departments.get(check_int32(dept_id, key))
    if dept is None:
        raise ApiError(60003, f"department {dept_id} not found")
    return dept


def _parent(ctx: Ctx, parentid: int | None) -> Department:
    if parentid is None:
        raise ApiError(60004, "parentid missing")
    parent = ctx.store.departments.get(check_int32(parentid, "parentid"))
    if parent is None:
        raise ApiError(60004, f"parent department {parentid} not found")
    return parent


def _check_siblings(
    ctx: Ctx, dept_id: int | None, name: str, name_en: str | None, parentid: int
) -> None:
    rules.check_sibling_names(
        name,
        name_en,
        ctx.store.departments.children(parentid),
        exclude_id=dept_id,
        case_sensitive=ctx.config.dept_name_case_sensitive,
        name_en_unique=ctx.config.dept_name_en_unique,
    )


def create(ctx: Ctx, p: Params) -> dict[str, Any]:
    cfg, depts = ctx.config, ctx.store.departments
    name = rules.check_name(p.text("name"), max_len=cfg.dept_name_max_len)
    name_en = _name_en(ctx, p) or None
    parent = _parent(ctx, p.integer("parentid"))
    order = p.integer("order")
    order = cfg.dept_default_order if order is None else rules.check_order(order)
    dept_id = p.integer("id")
    if dept_id is None:
        dept_id = depts.next_id()
    else:
        rules.check_new_id(dept_id, depts.get(dept_id))
    if depts.count() >= cfg.max_departments:
        raise ApiError(81001, f"the corp already has {cfg.max_departments} departments")
    _check_siblings(ctx, None, name, name_en, parent.id)
    rules.check_depth(depts.depth(parent.id), 1, cfg.max_department_depth)
    rules.check_node_room(depts.node_count(parent.id), cfg.max_nodes_per_department, parent.id)
    depts.insert(Department(dept_id, name, parent.id, order, name_en), ctx.caller.name)
    return {"id": dept_id}


def update(ctx: Ctx, p: Params) -> dict[str, Any]:
    cfg, depts = ctx.config, ctx.store.departments
    dept = _existing(ctx, p)
    changes: dict[str, Any] = {}
    name = p.text("name")
    if name is not None:
        changes["name"] = rules.check_name(name, max_len=cfg.dept_name_max_len)
    name_en = _name_en(ctx, p)
    if name_en is not None:
        changes["name_en"] = name_en or None
    order = p.integer("order")
    if order is not None:
        changes["order"] = rules.check_order(order)
    parentid = p.integer("parentid")
    if parentid is not None and parentid != dept.parentid:
        parent = _parent(ctx, parentid)
        rules.check_no_cycle(dept.id, depts.ancestors(parent.id))
        height = max(level for _, level in depts.subtree(dept.id))
        rules.check_depth(depts.depth(parent.id), height, cfg.max_department_depth)
        rules.check_node_room(depts.node_count(parent.id), cfg.max_nodes_per_department, parent.id)
        changes["parentid"] = parent.id
    if changes.keys() & {"name", "name_en", "parentid"}:
        _check_siblings(
            ctx,
            dept.id,
            changes.get("name", dept.name),
            changes.get("name_en", dept.name_en),
            changes.get("parentid", dept.parentid),
        )
    depts.update(dept.id, changes, ctx.caller.name)
    return {}


def delete(ctx: Ctx, p: Params) -> dict[str, Any]:
    depts = ctx.store.departments
    dept = _existing(ctx, p)
    rules.check_deletable(
        dept.id, members=depts.member_count(dept.id), children=len(depts.children(dept.id))
    )
    depts.delete(dept.id, ctx.caller.name)
    return {}


def visible_tree(ctx: Ctx, root_id: int | None) -> list[Department]:
    """A department and its descendants (or the caller's whole visible tree) in pre-order,
    siblings sorted by order (larger first), then by id."""
    scope = ctx.scope()
    everything = ctx.store.departments.all()
    by_id = {d.id: d for d in everything}
    children: dict[int, list[Department]] = {}
    for d in everything:
        children.setdefault(d.parentid, []).append(d)

    def key(d: Department) -> tuple[int, int]:
        return (-d.order, d.id)

    if root_id is not None:
        if root_id not in by_id:
            raise ApiError(60003, f"department {root_id} not found")
        if not scope.sees_department(root_id):
            raise ApiError(60011, f"department {root_id} is outside the app's visible scope")
        roots = [by_id[root_id]]
    else:
        roots = sorted(
            (
                d
                for d in everything
                if scope.sees_department(d.id)
                and (d.parentid not in by_id or not scope.sees_department(d.parentid))
            ),
            key=key,
        )
    out: list[Department] = []
    stack = list(reversed(roots))
    while stack:
        d = stack.pop()
        out.append(d)
        stack.extend(reversed(sorted(children.get(d.id, []), key=key)))
    return out


def _leaders(ctx: Ctx, ids: list[int]) -> dict[int, list[str]]:
    scope = ctx.scope()
    found = ctx.store.users.leaders_of(ids)
    return {d: [uid for seq, uid in found.get(d, []) if scope.sees_user(seq)] for d in ids}


def list_(ctx: Ctx, p: Params) -> dict[str, Any]:
    root = p.integer("id")
    tree = visible_tree(ctx, None if root is None else check_int32(root, "id"))
    leaders = _leaders(ctx, [d.id for d in tree])
    return {"department": [render_department(d, leaders[d.id]) for d in tree]}


def simplelist(ctx: Ctx, p: Params) -> dict[str, Any]:
    root = p.integer("id")
    tree = visible_tree(ctx, None if root is None else check_int32(root, "id"))
    return {"department_id": [render_simple_department(d) for d in tree]}


def get(ctx: Ctx, p: Params) -> dict[str, Any]:
    dept = _existing(ctx, p)
    if not ctx.scope().sees_department(dept.id):
        raise ApiError(60011, f"department {dept.id} is outside the app's visible scope")
    return {"department": render_department(dept, _leaders(ctx, [dept.id])[dept.id])}
