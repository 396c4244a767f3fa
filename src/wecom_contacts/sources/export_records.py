"""The live departments and tags written as the mapping's department and tag records.

A mapping that reads HR's own department table (``departments.records``) or tag table
(``tags.records``) reads back what this writes: one department record per live department
(by its path, or by a key and its parent's key) and one tag record per (tag, member) pair (a
tag with no member: one record naming the tag alone). WeCom keeps no HR department keys, so
the key written is the WeCom department id; members whose mapping names their department by
key (``members.department.key``) are written with the same keys, so such a mapping exports
whole once its records are written too.

A column only the records' ``drop`` conditions use gets a value they keep (a status column
``not_equals: 有效`` gets 有效; ``not_in`` its first value); each row is then checked against
them: a record the mapping would leave out when reading it back is refused, naming the
condition, rather than written.
"""

from __future__ import annotations

from ..sync import LiveDirectory
from . import mapping as m
from .base import SourceError
from .mapping_file import LoadedMapping
from .transforms import compile_value_test

__all__ = ["Table", "department_records", "tag_records"]

Table = tuple[list[str], list[dict[str, str]]]  # (header, rows)


def department_records(live: LiveDirectory, lm: LoadedMapping,
                       members: dict[str, dict[str, str]]) -> Table:
    """The live departments as ``departments.records`` reads them; ``members`` (the members'
    rows by lowered userid) give the heads' keys when the records name heads by a field."""
    spec = lm.mapping.departments.records
    assert spec is not None
    paths = live.paths
    tops = {d for d, path in paths.items() if len(path) == 1}
    heads: dict[int, list[str]] = {}
    if spec.leaders is not None:
        for key in sorted(live.users):
            for dept_id, leader, _ in live.users[key].memberships:
                head = _head_key(spec, members[key], key, live) if leader and key in members \
                    else ""
                if head:  # a head whose row lacks the leaders_match field cannot be named
                    heads.setdefault(dept_id, []).append(head)
    rows: list[dict[str, str]] = []
    labels: list[str] = []
    for dept_id in sorted(paths, key=lambda d: (paths[d], d)):
        if spec.root is not None and dept_id in tops:
            continue  # the mapping's root stands for WeCom's root, whatever its name
        dept = live.departments[dept_id]
        path = paths[dept_id][1:] if spec.root is not None else paths[dept_id]
        row: dict[str, str] = {}
        if spec.path is not None:
            row[spec.path] = spec.separator.join(path)
        else:
            assert spec.key is not None and spec.name is not None
            row[spec.key] = str(dept_id)
            row[spec.name] = dept.name
            top = dept_id in tops or (spec.root is not None and dept.parent_id in tops)
            if spec.parent is not None and not top:
                row[spec.parent] = str(dept.parent_id)
        if spec.id is not None:
            row[spec.id] = str(dept_id)
        if spec.order is not None and dept.order:
            row[spec.order] = str(dept.order)
        if spec.name_en is not None and dept.name_en:
            row[spec.name_en] = dept.name_en
        if spec.leaders is not None and heads.get(dept_id):
            row[spec.leaders] = ";".join(heads[dept_id])
        rows.append(row)
        labels.append(f"department {'/'.join(paths[dept_id])} (id {dept_id})")
    named = [spec.path, spec.key, spec.parent, spec.name, spec.order, spec.name_en, spec.id,
             spec.leaders, *(c.column for c in spec.drop)]
    header = list(dict.fromkeys(c for c in named if c is not None))
    _check_kept(lm, ("departments", "records"), spec.drop, rows, labels)
    return header, rows


def _head_key(spec: m.DepartmentRecordsSpec, row: dict[str, str], key: str,
              live: LiveDirectory) -> str:
    if spec.leaders_match is None:
        return live.users[key].userid
    return row.get(spec.leaders_match, "")


def tag_records(live: LiveDirectory, lm: LoadedMapping,
                members: dict[str, dict[str, str]]) -> Table:
    """The live tags as ``tags.records`` reads them: a row per (tag, member); the member
    named by userid, or by the field ``members_match`` names (taken from the member's row)."""
    assert lm.mapping.tags is not None and lm.mapping.tags.records is not None
    spec = lm.mapping.tags.records
    rows: list[dict[str, str]] = []
    labels: list[str] = []
    for tag in sorted(live.tags.values(), key=lambda t: t.id):
        base = {spec.name: tag.name, **({spec.id: str(tag.id)} if spec.id is not None else {})}
        keys: list[str] = []
        if spec.members is not None:
            for userid in tag.users:
                row = members.get(userid.lower())
                if row is None:
                    continue  # not exported (a disabled member the mapping cannot say)
                key = userid if spec.members_match is None else row.get(spec.members_match)
                if key:
                    keys.append(key)
        written = [{**base, spec.members: k} for k in keys] if spec.members is not None \
            and keys else [dict(base)]
        rows.extend(written)
        labels.extend([f"tag {tag.name} (id {tag.id})"] * len(written))
    named = [spec.name, spec.members, spec.id, *(c.column for c in spec.drop)]
    header = list(dict.fromkeys(c for c in named if c is not None))
    _check_kept(lm, ("tags", "records"), spec.drop, rows, labels)
    return header, rows


def _check_kept(lm: LoadedMapping, path: tuple[str, str], drop: list[m.Condition],
                rows: list[dict[str, str]], labels: list[str]) -> None:
    """Fill the columns only ``drop`` uses with values it keeps; refuse a row it drops."""
    kept: dict[str, str] = {}
    for cond in drop:
        if cond.not_equals is not None:
            kept.setdefault(cond.column, cond.not_equals)
        elif cond.not_in:
            kept.setdefault(cond.column, cond.not_in[0])
    for row in rows:
        for column, cell in kept.items():
            row.setdefault(column, cell)
    for i, cond in enumerate(drop):
        where = lm.where((*path, "drop", i))
        test = compile_value_test(cond, where)
        for row, label in zip(rows, labels, strict=True):
            if test(row.get(cond.column)):
                raise SourceError(
                    f"export cannot write the record of {label}: this drop condition "
                    "would leave it out when the file is read back (give its column a "
                    "value the condition keeps in the mapping, or export without it)",
                    where=where, field="drop")
