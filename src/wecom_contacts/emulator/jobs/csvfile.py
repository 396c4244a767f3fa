"""Import files as the emulator reads them (batch.md §6): file-level checks, rows → API bodies.

Written apart from the client's templates on purpose: a format mistake made on both sides the
same way would otherwise pass every test.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError
from ..store.keys import userid_key

# header → API field; both 帐号/账号 and 职位/职务 occur in the wild (batch.md §6.1)
MEMBER_COLUMNS = {
    "姓名": "name", "帐号": "userid", "账号": "userid", "手机号": "mobile", "邮箱": "email",
    "所在部门": "department", "职位": "position", "职务": "position", "性别": "gender",
    "是否部门内领导": "is_leader_in_dept", "排序": "order", "别名": "alias", "地址": "address",
    "座机": "telephone", "禁用": "disable",
}
DEPARTMENT_COLUMNS = {"部门名称": "name", "部门ID": "id", "父部门ID": "parentid", "排序": "order"}
_TEXT_FIELDS = ("userid", "name", "mobile", "email", "position", "alias", "address", "telephone")
_GENDERS = {"男": "1", "女": "2", "1": "1", "2": "2"}


@dataclass
class MemberLine:
    """One member row: its line in the file, its cells by API field, its custom columns."""

    line: int
    cells: dict[str, str]
    extattr: dict[str, str] = field(default_factory=dict)

    @property
    def userid(self) -> str:
        return self.cells.get("userid", "")


@dataclass
class DepartmentLine:
    line: int
    id: int
    name: str
    parentid: int
    order: int | None


def _table(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(40092, "the file must be UTF-8") from None
    text = text.lstrip("\ufeff")  # a BOM is tolerated (observed in public projects)
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise ApiError(40092, "the file is empty")
    return rows


def read_member_file(data: bytes) -> list[MemberLine]:
    """Rows of a member file; 40092 for a bad file, 302003 for a userid given twice."""
    rows = _table(data)
    header = [h.strip() for h in rows[0]]
    fields = [MEMBER_COLUMNS.get(h) or ("" if not h or h.startswith("禁用项说明") else "@" + h)
              for h in header]
    if "userid" not in fields or "name" not in fields:
        raise ApiError(40092, "the header needs 帐号 and 姓名")
    lines: list[MemberLine] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        member = MemberLine(n, {})
        for name, cell in zip(fields, row, strict=False):
            value = cell.strip()
            if name.startswith("@"):
                member.extattr[name[1:]] = value
            elif name and value:
                member.cells[name] = value
        if not member.userid:
            raise ApiError(40092, f"row {n} has no userid")
        key = userid_key(member.userid)
        if key in seen:
            raise ApiError(302003, f"userid {member.userid!r} on rows {seen[key]} and {n}")
        seen[key] = n
        lines.append(member)
    return lines


def _numbers(cell: str | None, code: int, what: str) -> list[int] | None:
    if cell is None:
        return None
    parts = [p.strip() for p in cell.replace("；", ";").split(";") if p.strip()]
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise ApiError(code, f"{what} {cell!r} is not a ;-separated list of numbers")
    return [int(p) for p in parts]


def member_body(member: MemberLine) -> dict[str, Any]:
    """The user/create or user/update body a row stands for (empty cells are left out)."""
    cells = member.cells
    body: dict[str, Any] = {k: cells[k] for k in _TEXT_FIELDS if k in cells}
    depts = _numbers(cells.get("department"), 40066, "department")
    if depts is not None:
        body["department"] = depts
    for key in ("is_leader_in_dept", "order"):
        values = _numbers(cells.get(key), 40058, key)
        if values is not None:
            # one value stands for every department of the row
            if len(values) == 1 and depts is not None and len(depts) > 1:
                values = values * len(depts)
            body[key] = values
    if "gender" in cells:
        if cells["gender"] not in _GENDERS:
            raise ApiError(40058, f"gender {cells['gender']!r} is not 男 or 女")
        body["gender"] = _GENDERS[cells["gender"]]
    if "disable" in cells:
        if cells["disable"] not in ("0", "1"):
            raise ApiError(40058, "禁用 must be 0 (enabled) or 1 (disabled)")
        body["enable"] = 1 - int(cells["disable"])
    attrs = [{"type": 0, "name": n, "text": {"value": v}} for n, v in member.extattr.items() if v]
    if attrs:
        body["extattr"] = {"attrs": attrs}
    return body


def _department_line(n: int, cells: dict[str, str]) -> DepartmentLine:
    for key in ("name", "id", "parentid"):
        if not cells.get(key):
            raise ApiError(302004, f"row {n}: {key} is empty")
    numbers: dict[str, int] = {}
    for key in ("id", "parentid", "order"):
        value = cells.get(key, "")
        if value and not (value.isascii() and value.isdigit()):
            raise ApiError(302004, f"row {n}: {key} {value!r} is not a number")
        numbers[key] = int(value) if value else 0
    return DepartmentLine(n, numbers["id"], cells["name"], numbers["parentid"],
                          numbers["order"] or None)


def _check_tree(depts: list[DepartmentLine]) -> None:
    parents = {d.id: d.parentid for d in depts}
    for d in depts:
        if d.id == 1:
            continue
        chain = {d.id}
        current = d.parentid
        while current != 1:
            if current not in parents or current in chain:
                raise ApiError(302004, f"row {d.line}: department {d.id} does not hang from "
                                       "the root through the file's departments")
            chain.add(current)
            current = parents[current]


def read_department_file(data: bytes) -> list[DepartmentLine]:
    """Departments of a replaceparty file; 40092 / 302004 / 302006 / 302007 for a bad file."""
    rows = _table(data)
    header = [DEPARTMENT_COLUMNS.get(h.strip(), "") for h in rows[0]]
    if not {"name", "id", "parentid"} <= set(header):
        raise ApiError(40092, "the header needs 部门名称, 部门ID and 父部门ID")
    depts: list[DepartmentLine] = []
    ids: set[int] = set()
    names: set[tuple[int, str]] = set()
    for n, row in enumerate(rows[1:], start=2):
        cells = {k: c.strip() for k, c in zip(header, row, strict=False) if k}
        dept = _department_line(n, cells)
        if dept.id in ids:
            raise ApiError(302006, f"row {n}: department id {dept.id} appears twice")
        if (dept.parentid, dept.name) in names:
            raise ApiError(302007, f"row {n}: two departments named {dept.name!r} in one parent")
        ids.add(dept.id)
        names.add((dept.parentid, dept.name))
        depts.append(dept)
    _check_tree(depts)
    return depts
