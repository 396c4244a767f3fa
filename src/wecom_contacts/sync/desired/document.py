"""The live directory written in the desired-state format (YAML, JSON, or the CSV templates)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..errors import SyncError
from ..live.model import LiveDirectory, LiveUser
from ..plan.scope import Scope, scope_for
from ..plan.types import PlanOptions
from .csvfiles import departments_csv, members_csv
from .model import USER_FIELDS, join_path

__all__ = ["EXPORT_FORMATS", "directory_document", "dump_directory"]

EXPORT_FORMATS = ("yaml", "json", "csv-members", "csv-departments")
_GENDER = {"1": "male", "2": "female"}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block mappings, but short lists of scalars inline: ``departments: [总部/研发中心]``."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, (dict, list)) for v in data) and len(data) <= 12
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _user_entry(user: LiveUser, live: LiveDirectory) -> dict[str, Any]:
    entry: dict[str, Any] = {"userid": user.userid, "name": user.fields.get("name", "")}
    memberships: list[Any] = []
    for dept_id, leader, order in user.memberships:
        path = join_path(live.paths[dept_id]) if dept_id in live.paths else dept_id
        if leader or order:
            item: dict[str, Any] = {"department": path}
            if leader:
                item["leader"] = True
            if order:
                item["order"] = order
            memberships.append(item)
        else:
            memberships.append(path)
    entry["departments"] = memberships
    main = user.main_department
    if main and user.memberships and main != user.memberships[0][0] and main in live.paths:
        entry["main_department"] = join_path(live.paths[main])
    if user.direct_leader:
        entry["direct_leader"] = list(user.direct_leader)
    for key in USER_FIELDS:
        if key == "name" or key not in user.fields:
            continue
        value = user.fields[key]
        if key == "enable":
            if value is False:  # enabled is WeCom's default: written only when it is not
                entry["enable"] = False
        elif key == "gender":
            entry["gender"] = _GENDER.get(str(value), value)
        else:
            entry[key] = value
    return entry


def directory_document(live: LiveDirectory, scope: Scope | None = None) -> dict[str, Any]:
    """The live directory as a desired-state document (plain data, ready to dump)."""
    scope = scope or Scope(1, None, frozenset())
    anchor_depth = len(live.paths.get(scope.anchor, ()))
    departments: list[dict[str, Any]] = []
    ordered = sorted(
        (d for d in live.departments if scope.has_department(d) and d in live.paths),
        key=lambda d: (len(live.paths[d]), live.paths[d]),
    )
    for dept_id in ordered:
        dept = live.departments[dept_id]
        item: dict[str, Any] = {"path": join_path(live.paths[dept_id]), "id": dept_id}
        if dept.name_en:
            item["name_en"] = dept.name_en
        if dept.order and len(live.paths[dept_id]) > anchor_depth:
            item["order"] = dept.order
        departments.append(item)
    users = [_user_entry(live.users[k], live) for k in sorted(live.users)
             if scope.has_user(live.users[k])]
    tags = []
    for tag in sorted(live.tags.values(), key=lambda t: t.id):
        tag_entry: dict[str, Any] = {"name": tag.name, "id": tag.id,
                                     "users": sorted(tag.users, key=str.lower)}
        tag_entry["departments"] = [
            join_path(live.paths[d]) if d in live.paths else d for d in sorted(tag.departments)
        ]
        tags.append(tag_entry)
    return {"version": 1, "departments": departments, "users": users, "tags": tags}


def _ancestors(live: LiveDirectory, dept_id: int) -> set[int]:
    result: set[int] = set()
    while dept_id in live.departments and dept_id not in result:
        result.add(dept_id)
        dept_id = live.departments[dept_id].parent_id
    return result


def dump_directory(live: LiveDirectory, fmt: str = "yaml",
                   options: PlanOptions | None = None) -> str:
    """The live directory as text in ``fmt`` (see EXPORT_FORMATS; ``csv`` means the member
    file); ``options.subtree`` limits it to a subtree."""
    subtree = options.subtree if options else None
    scope = scope_for(live, PlanOptions(subtree=subtree))  # export hides nobody
    if fmt in ("csv-members", "csv"):
        keys = sorted(k for k, u in live.users.items() if scope.has_user(u))
        return members_csv(live, keys)
    if fmt == "csv-departments":
        above = _ancestors(live, scope.anchor)  # the file must reach the root
        ids = [d for d in sorted(live.departments, key=lambda d: (len(live.paths.get(d, ())), d))
               if scope.has_department(d) or d in above]
        return departments_csv(live, ids)
    doc = directory_document(live, scope)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        text: str = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                              width=100)
        return text
    raise SyncError(f"unknown export format {fmt!r} (expected one of {EXPORT_FORMATS})")
