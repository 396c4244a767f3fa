"""The live members written in a mapping's columns, as rows (``export`` writes the files).

Reading the rows back through the same mapping gives the directory they came from, for the
fields the mapping can run backwards: plain columns, the named transforms that keep the value
(trim, lower, upper, mobile, digits), gender words, boolean and enum maps (inverted),
templates with one field (``E{工号}``), department paths, levels or keys, direct leaders by
key, tag lists and custom attributes. A field fed only by a one-way transform (the e-mail's
local part, a plug-in) is left empty; status columns get a value the filters keep. The
department and tag records come from ``export_records``.
"""

from __future__ import annotations

import re
from typing import Any

from ..sync import LiveDirectory
from . import mapping as m
from .export_records import Table, department_records, tag_records
from .mapping_file import LoadedMapping
from .members import TEXT_FIELDS, MemberReader

__all__ = ["mapped_rows", "mapped_tables", "record_entities"]

_KEEP = frozenset({"trim", "lower", "upper", "mobile", "digits"})
_GENDER_WORDS = {"1": "男", "2": "女"}


def _backwards(spec: m.FieldValue, value: str) -> tuple[str, str] | None:
    """(column, cell) that reads back as ``value``, or None when the spec is one-way."""
    if isinstance(spec, str):
        return spec, value
    for step in reversed(spec.transforms):
        if isinstance(step, m.MapStep):
            keys = [k for k, v in step.map.items() if v == value]
            if not keys:
                return None
            value = keys[0]
        elif step == "gender":
            value = _GENDER_WORDS.get(value, value)
        elif step == "boolean":
            value = "是" if value in ("1", "true", "True") else "否"
        elif not isinstance(step, str) or step not in _KEEP:
            return None
    if spec.column is not None:
        return spec.column, value
    if spec.template is not None:
        found = re.fullmatch(r"(.*?)\{([^{}|]+)((?:\|(?:lower|upper|trim))*)\}(.*)", spec.template)
        if found and value.startswith(found.group(1)) and value.endswith(found.group(4)):
            inner = value[len(found.group(1)):len(value) - len(found.group(4)) or None]
            return found.group(2).strip(), inner
    return None


def _status(conditions: list[m.Condition]) -> dict[str, str]:
    """Cells that make every condition hold (the first allowed value of each)."""
    cells: dict[str, str] = {}
    for cond in conditions:
        if cond.equals is not None:
            cells[cond.column] = cond.equals
        elif cond.in_:
            cells[cond.column] = cond.in_[0]
    return cells


def _departments(spec: m.DepartmentSpec, live: LiveDirectory,
                 ids: list[int]) -> dict[str, str]:
    # by key: the keys export_records gives the department records (WeCom's ids)
    column = spec.id if spec.id is not None else spec.key
    if column is not None:
        return {column: spec.list_separator.join(str(i) for i in ids)}
    paths = []
    for dept_id in ids:
        path = list(live.paths.get(dept_id, ()))
        if spec.root is not None:
            path = path[1:]  # the mapping's root stands for WeCom's root, whatever its name
        paths.append(path)
    if spec.levels is not None:
        first = paths[0] if paths else []
        return {col: first[i] if i < len(first) else "" for i, col in enumerate(spec.levels)}
    assert spec.path is not None
    return {spec.path: spec.list_separator.join(spec.separator.join(p) for p in paths)}


def record_entities(lm: LoadedMapping) -> list[str]:
    """The records the mapping reads beside the members' rows: "departments", "tags"."""
    tags = lm.mapping.tags
    return [e for e, spec in (("departments", lm.mapping.departments.records),
                              ("tags", tags.records if tags is not None else None))
            if spec is not None]


def mapped_tables(live: LiveDirectory, lm: LoadedMapping) -> dict[str, Table]:
    """(header, rows) of the live members in the mapping's columns, and of its department and
    tag records when it reads them (``record_entities``)."""
    header, rows = _member_rows(live, lm)
    tables: dict[str, Table] = {"members": (header, list(rows.values()))}
    if lm.mapping.departments.records is not None:
        tables["departments"] = department_records(live, lm, rows)
    if lm.mapping.tags is not None and lm.mapping.tags.records is not None:
        tables["tags"] = tag_records(live, lm, rows)
    return tables


def mapped_rows(live: LiveDirectory, lm: LoadedMapping) -> Table:
    """(header, rows) of the live members in the mapping's columns."""
    return mapped_tables(live, lm)["members"]


def _member_rows(live: LiveDirectory, lm: LoadedMapping) -> tuple[list[str],
                                                                  dict[str, dict[str, str]]]:
    reader = MemberReader(lm)
    spec = lm.mapping.members
    # members.department.key: MemberReader has checked that department records by key go
    # with it; their keys are written as WeCom's ids (export_records), and so are the members'
    # columns in the order the mapping names them
    header = sorted(reader.referenced, key=lambda col: lm.line(reader.referenced[col]))
    tags: dict[str, list[str]] = {}
    for tag in sorted(live.tags.values(), key=lambda t: t.id):
        for userid in tag.users:
            tags.setdefault(userid.lower(), []).append(tag.name)
    rows: dict[str, dict[str, str]] = {}
    for key in sorted(live.users):
        user = live.users[key]
        row: dict[str, str] = {}
        enabled = user.fields.get("enable", True) not in (False, 0, "0")
        if not enabled and spec.leavers is not None and spec.leavers.action == "disable":
            row.update(_status(spec.leavers.when))
        elif not enabled:
            continue  # the mapping has no way to say "disabled": leave them out
        else:
            row.update(_status(spec.only))
        values: dict[str, Any] = {"userid": user.userid, **user.fields}
        if "gender" in values:
            values["gender"] = str(values["gender"])
        if spec.leader is not None and user.memberships:
            values["leader"] = "1" if user.memberships[0][1] else "0"
        for name in ("userid", "name", *TEXT_FIELDS, "gender", "leader"):
            field_spec = getattr(spec, name)
            value = values.get(name)
            if field_spec is None or value in (None, ""):
                continue
            cell = _backwards(field_spec, str(value))
            if cell is not None:
                row.setdefault(*cell)
        attrs = {a.get("name"): (a.get("text") or {}).get("value", "")
                 for a in (user.fields.get("extattr") or {}).get("attrs") or []}
        for attr, field_spec in spec.extattr.items():
            if attrs.get(attr):
                cell = _backwards(field_spec, str(attrs[attr]))
                if cell is not None:
                    row.setdefault(*cell)
        if spec.department is not None and user.memberships:
            row.update(_departments(spec.department, live, [d for d, _, _ in user.memberships]))
        if spec.tags is not None and key in tags:
            row[spec.tags.column] = spec.tags.separator.join(tags[key])
        rows[key] = row
    if spec.direct_leader is not None:
        leader = spec.direct_leader
        for key, row in rows.items():
            names = []
            for boss in live.users[key].direct_leader:
                other = rows.get(boss.lower())
                names.append(other.get(leader.match, "") if leader.match and other else boss)
            if any(names):
                row[leader.column] = leader.separator.join(n for n in names if n)
    return header, rows
