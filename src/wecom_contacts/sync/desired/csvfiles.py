"""WeCom's import templates ↔ the desired-state document, through wecom_contacts.templates."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable
from typing import Any

from ..._textio import TextDecodeError, decode_text
from ...templates import (
    DEPARTMENT_HEADER,
    MEMBER_HEADER,
    DepartmentRow,
    MemberRow,
    RowError,
    TemplateError,
    join_list,
    read_departments,
    read_members,
    split_list,
    write_departments,
    write_members,
)
from ..errors import DesiredStateError, SyncError
from ..live.model import LiveDirectory
from .model import join_path
from .schema import KeyPath

__all__ = ["csv_document", "departments_csv", "members_csv"]

# One reader and writer for the desired state and the files the import jobs upload: the same
# headers, cell formats and checks, so the two cannot drift apart.

# the template reader's other spellings of 帐号 and 职位 (docs/batch.md); any other column is
# a custom attribute (text), as in WeCom's own import
_MEMBER_SPELLINGS = frozenset({*MEMBER_HEADER, "账号", "职务"})
_NOTE_PREFIX = MEMBER_HEADER[-1][:5]  # 禁用项说明：the column that only explains 禁用
# desired-state keys of the template's columns, in the template's order (docs/batch.md)
_MEMBER_KEYS = dict(zip(
    ("name", "userid", "mobile", "email", "departments", "position", "gender", "leader",
     "order", "alias", "address", "telephone", "enable"), MEMBER_HEADER, strict=False))
_DEPARTMENT_KEYS = dict(zip(("path", "id", "parent", "order"), DEPARTMENT_HEADER, strict=True))
_TEXT = ("mobile", "email", "position", "alias", "address", "telephone")
_ROOT_PLACEHOLDER = "(root)"  # the root's name when the file has no row for it


def _decode(data: bytes, source: str) -> str:
    # the toolkit's one decoder: UTF-8 (BOM or not), GB18030/GBK from Excel, UTF-16
    try:
        return decode_text(data, source=source).text
    except TextDecodeError as exc:
        where = f"{source}, line {exc.line}" if exc.line is not None else source
        raise DesiredStateError(exc.reason, where=where) from None


def _table(text: str) -> tuple[str, list[list[str]]]:
    """The rows, and the text with commas between cells: a file saved with semicolons or
    tabs (Excel in many locales) reads as the comma template WeCom takes."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    if first.count(delimiter) == 0 or delimiter == ",":
        return text, list(csv.reader(io.StringIO(text, newline="")))
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue(), table


def csv_document(
    data: bytes | str, source: str
) -> tuple[dict[str, Any], Callable[[KeyPath], str]]:
    """A member or department import file → (document, locate); which one by its header."""
    text = _decode(data, source) if isinstance(data, bytes) else data.lstrip("\ufeff")
    text, table = _table(text)
    paths: dict[int, str] = {}
    if table and _MEMBER_KEYS["departments"] in [h.strip() for h in table[0]]:
        text, paths = _paths_as_ids(table, text)
    if not table:
        raise DesiredStateError("the CSV file is empty", where=source)
    header = [h.strip() for h in table[0]]
    # the rows the template reader keeps (it skips blank lines); the header is row 1
    rows = [n + 2 for n, line in enumerate(table[1:]) if any(c.strip() for c in line)]
    if DEPARTMENT_HEADER[1] in header:
        document = _departments(text, source)
        return document, _locator(source, _DEPARTMENT_KEYS, "departments", rows)
    _check_custom_columns(header, source)
    return _members(text, source, paths), _locator(source, _MEMBER_KEYS, "users", rows)


def _where(source: str, error: RowError) -> str:
    return f"{source}, row {error.row}" + (f", column {error.column}" if error.column else "")


def _template_error(exc: TemplateError, source: str, keys: dict[str, str]) -> DesiredStateError:
    """The first problem the template found, where it is (the rest are counted)."""
    first = exc.errors[0]
    more = f" (and {len(exc.errors) - 1} more problem(s))" if len(exc.errors) > 1 else ""
    field = next((k for k, h in keys.items() if h == first.column), None)
    return DesiredStateError(first.message + more, where=_where(source, first), field=field)


def _locator(source: str, keys: dict[str, str], section: str,
             rows: list[int]) -> Callable[[KeyPath], str]:
    """Key paths → "file, row N, column X"; ``rows[i]`` is item i's row."""

    def locate(path: KeyPath) -> str:
        if len(path) < 2 or path[0] != section or not isinstance(path[1], int):
            return source
        row = rows[path[1]] if path[1] < len(rows) else path[1] + 2
        where = f"{source}, row {row}"
        names = [p for p in path[2:] if isinstance(p, str) and p != "department"]
        column = (keys.get(names[-1]) or keys.get(names[0])) if names else None
        return f"{where}, column {column}" if column else where

    return locate


def _check_custom_columns(header: list[str], source: str) -> None:
    """Extra columns are custom attributes; one that looks like a misspelt template column
    is refused, since WeCom would silently ignore an attribute the console does not define."""
    for i, name in enumerate(header):
        if not name or name in _MEMBER_SPELLINGS or name.startswith(_NOTE_PREFIX):
            continue
        close = difflib.get_close_matches(name, sorted(_MEMBER_SPELLINGS), n=1, cutoff=0.6)
        if close:
            raise DesiredStateError(
                f"unknown column {name!r}: did you mean {close[0]!r}? (other columns are read "
                "as custom attributes)", where=f"{source}, row 1, column {i + 1}",
            )


def _paths_as_ids(table: list[list[str]], text: str) -> tuple[str, dict[int, str]]:
    """所在部门 may name departments by path (总部/研发中心); the template reader takes ids, so
    each path stands in as an id no cell uses, and is put back after the row checks."""
    column = [h.strip() for h in table[0]].index(_MEMBER_KEYS["departments"])
    cells = [row[column] for row in table[1:] if len(row) > column]
    parts = {p for cell in cells for p in split_list(cell)}
    named = sorted(p for p in parts if not p.isdigit())
    if not named:
        return text, {}
    free = (n for n in range(2**31 - 1, 0, -1) if str(n) not in parts)
    ids = {path: next(free) for path in named}
    for row in table[1:]:
        if len(row) > column and row[column].strip():
            row[column] = join_list([str(ids.get(p, p)) for p in split_list(row[column])])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue(), {n: path for path, n in ids.items()}


def _members(text: str, source: str, paths: dict[int, str]) -> dict[str, Any]:
    try:
        rows = read_members(text)
    except TemplateError as exc:
        raise _template_error(exc, source, _MEMBER_KEYS) from None
    return {"users": [_user(row, paths) for row in rows]}


def _user(row: MemberRow, paths: dict[int, str]) -> dict[str, Any]:
    """A template row as a desired user: an empty cell is a field the file does not manage."""
    user: dict[str, Any] = {"userid": row.userid, "name": row.name}
    user.update({k: getattr(row, k) for k in _TEXT if getattr(row, k) is not None})
    if row.gender is not None:
        user["gender"] = row.gender
    if row.enable is not None:
        user["enable"] = row.enable
    memberships: list[dict[str, Any]] = []
    for i, dept in enumerate(row.department):
        entry: dict[str, Any] = {"department": paths.get(dept, dept)}
        if row.is_leader_in_dept:
            entry["leader"] = bool(row.is_leader_in_dept[i])
        if row.order:  # no 排序 cell: the live order is kept
            entry["order"] = row.order[i]
        memberships.append(entry)
    user["departments"] = memberships
    if row.extattr:  # an empty cell is not in row.extattr: that attribute is not managed
        user["extattr"] = {"attrs": [{"type": 0, "name": name, "text": {"value": value}}
                                     for name, value in row.extattr.items()]}
    return user


def _departments(text: str, source: str) -> dict[str, Any]:
    try:
        rows = read_departments(text)  # checked to be a tree hanging from the root
    except TemplateError as exc:
        raise _template_error(exc, source, _DEPARTMENT_KEYS) from None
    by_id = {row.id: row for row in rows}
    root = by_id[1].name if 1 in by_id else _ROOT_PLACEHOLDER
    items: list[dict[str, Any]] = []
    for row in rows:
        names = [row.name]
        parent = row.parent_id
        while row.id != 1 and parent != 1:
            names.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        path = (*reversed(names),) if row.id == 1 else (root, *reversed(names))
        item: dict[str, Any] = {"path": join_path(path), "id": row.id}
        if row.order:  # replaceparty: empty or 0 keeps the order
            item["order"] = row.order
        items.append(item)
    return {"departments": items}


def members_csv(live: LiveDirectory, userids: list[str] | None = None) -> str:
    """The member import template filled with the live users (department ids, ; lists)."""
    rows = []
    for key in userids if userids is not None else sorted(live.users):
        user = live.users[key]
        f = user.fields
        row = MemberRow(
            userid=user.userid, name=f.get("name", ""),
            department=[d for d, _, _ in user.memberships],
            is_leader_in_dept=[int(leader) for _, leader, _ in user.memberships],
            order=[order for _, _, order in user.memberships],
            gender=str(f["gender"]) if str(f.get("gender")) in ("1", "2") else None,
            enable=bool(f.get("enable", True)),
        )
        for name in _TEXT:
            setattr(row, name, f.get(name) or None)
        # text attributes only: the template has no cell format for web / mini-program ones,
        # and attributes a file does not name are left alone by the plan
        row.extattr = {a["name"]: a["text"]["value"]
                       for a in (f.get("extattr") or {}).get("attrs") or []
                       if a.get("type", 0) == 0 and (a.get("text") or {}).get("value")}
        rows.append(row)
    try:
        return write_members(rows).decode("utf-8")
    except TemplateError as exc:
        raise SyncError(f"the live members do not fit WeCom's member template (export YAML "
                        f"or JSON instead): {exc}") from None


def departments_csv(live: LiveDirectory, ids: list[int] | None = None) -> str:
    """The department import template filled with the live departments, parents first."""
    order = ids if ids is not None else sorted(live.departments,
                                               key=lambda d: (len(live.paths.get(d, ())), d))
    rows = [DepartmentRow(dept.name, dept.id, 0 if dept.id == 1 else dept.parent_id,
                          dept.order or None)
            for dept in (live.departments[i] for i in order)]
    try:
        return write_departments(rows).decode("utf-8")
    except TemplateError as exc:
        raise SyncError(f"the live departments do not fit WeCom's department template: "
                        f"{exc}") from None
