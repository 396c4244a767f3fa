"""The member import template (batch/syncuser, batch/replaceuser): rows ↔ UTF-8 CSV, validated."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ._checks import (
    UINT32_MAX,
    CellCheck,
    check_email,
    check_mobile,
    check_telephone,
    check_userid,
    max_chars,
)
from ._csv import RowError, TemplateError, decode_rows, encode_rows, join_list, split_list

__all__ = ["MEMBER_HEADER", "MemberRow", "read_members", "write_members"]

# batch.md §6.1, in the template's order. The last column only explains 禁用 and stays empty.
MEMBER_HEADER: Final = (
    "姓名", "帐号", "手机号", "邮箱", "所在部门", "职位", "性别", "是否部门内领导", "排序",
    "别名", "地址", "座机", "禁用", "禁用项说明：(0-启用;1-禁用)",
)
_FIELDS: Final = ("name", "userid", "mobile", "email", "department", "position", "gender",
                  "is_leader_in_dept", "order", "alias", "address", "telephone", "enable")
_HEADER_OF: Final = dict(zip(_FIELDS, MEMBER_HEADER, strict=False))
# newer doc pages write 账号 and some templates 职务 (batch.md §6.1); both are read
_FIELD_OF: Final = {**{h: f for f, h in _HEADER_OF.items()}, "账号": "userid", "职务": "position"}
_NOTE_PREFIX = "禁用项说明"
# gender is written as the template's 男/女; 1/2 (the API's values) are read too (unconfirmed)
_GENDER_CELL: Final = {"1": "男", "2": "女", "男": "男", "女": "女"}
_GENDER_VALUE: Final = {"男": "1", "女": "2", "1": "1", "2": "2"}
_MAX_DEPARTMENTS = 100
_TEXT_RULES: Final[dict[str, CellCheck]] = {
    "name": max_chars(64),
    "userid": check_userid,
    "mobile": check_mobile,
    "email": check_email,
    "position": max_chars(128),
    "alias": max_chars(64),
    "address": max_chars(128),
    "telephone": check_telephone,
}
_EXTATTR_MAX = 64


@dataclass
class MemberRow:
    """One member of the import file. ``None`` / empty leaves the field as it is in WeCom.

    ``department`` holds department ids; ``is_leader_in_dept`` and ``order`` one value per
    department (or one for all). ``gender`` is ``"1"`` male or ``"2"`` female. ``enable``
    False disables the member. ``extattr`` maps custom attribute names (defined in the admin
    console) to text values; each becomes a column.
    """

    userid: str
    name: str
    department: list[int] = field(default_factory=list)
    mobile: str | None = None
    email: str | None = None
    position: str | None = None
    gender: str | None = None
    is_leader_in_dept: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    alias: str | None = None
    address: str | None = None
    telephone: str | None = None
    enable: bool | None = None
    extattr: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> MemberRow:
        """From a member as WeCom returns it (user/get, user/list, an export record)."""
        attrs = (data.get("extattr") or {}).get("attrs") or []
        enable = data.get("enable")
        return cls(
            userid=str(data["userid"]), name=str(data.get("name", "")),
            department=[int(d) for d in data.get("department") or []],
            mobile=data.get("mobile") or None, email=data.get("email") or None,
            position=data.get("position") or None,
            gender=str(data["gender"]) if str(data.get("gender")) in ("1", "2") else None,
            is_leader_in_dept=[int(v) for v in data.get("is_leader_in_dept") or []],
            order=[int(v) for v in data.get("order") or []],
            alias=data.get("alias") or None, address=data.get("address") or None,
            telephone=data.get("telephone") or None,
            enable=None if enable is None else bool(enable),
            extattr={a["name"]: a.get("text", {}).get("value", "") for a in attrs
                     if a.get("type", 0) == 0 and "name" in a},
        )


_ROW_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(MemberRow))


def _list_cell(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Sequence) and all(isinstance(v, int) for v in value):
        return join_list(value)
    raise TypeError(f"must be a list of {what}")


def _cell(name: str, value: Any) -> str:
    """One field's value as the template writes it."""
    if value is None:
        return ""
    if name in ("department", "order"):
        return _list_cell(value, "integers")
    if name == "is_leader_in_dept":
        if isinstance(value, Sequence) and not isinstance(value, str):
            value = [int(v) if isinstance(v, bool) else v for v in value]
        return _list_cell(value, "0/1 flags")
    if name == "gender":
        if str(value) not in _GENDER_CELL:
            raise TypeError(f"{value!r} is not 1 (male) or 2 (female)")
        return _GENDER_CELL[str(value)]
    if name == "enable":
        if value not in (True, False, 0, 1):
            raise TypeError("must be true or false")
        return "0" if value else "1"
    if not isinstance(value, str):
        raise TypeError(f"must be text, not {type(value).__name__}")
    return value


def _to_cells(row: MemberRow | Mapping[str, Any], n: int,
              errors: list[RowError]) -> tuple[dict[str, str], dict[str, str]]:
    """(field cells, extattr cells) of one row given in Python."""
    data = dataclasses.asdict(row) if isinstance(row, MemberRow) else dict(row)
    key = str(data.get("userid", ""))
    cells: dict[str, str] = {}
    for name, value in data.items():
        if name not in _ROW_FIELDS:
            errors.append(RowError(n, "", f"unknown member field {name!r}", key))
        elif name != "extattr":
            try:
                cells[name] = _cell(name, value)
            except TypeError as exc:
                errors.append(RowError(n, _HEADER_OF[name], str(exc), key))
    ext = data.get("extattr") or {}
    if not isinstance(ext, Mapping) or not all(isinstance(v, str) for v in ext.values()):
        errors.append(RowError(n, "", "extattr must map attribute names to text", key))
        ext = {}
    return cells, {str(k): v for k, v in ext.items()}


def _ints(cell: str, n: int, column: str, key: str, errors: list[RowError],
          *, low: int, high: int) -> list[int]:
    values: list[int] = []
    for part in split_list(cell):
        if not part.isascii() or not part.isdigit() or not low <= int(part) <= high:
            errors.append(RowError(n, column, f"{part!r} is not a number from {low} to {high}",
                                   key))
        else:
            values.append(int(part))
    return values


def _check(cells: dict[str, str], ext: dict[str, str], n: int,
           errors: list[RowError]) -> MemberRow | None:
    """Validate one row's cells; the row as a MemberRow when it is valid."""
    before = len(errors)
    key = cells.get("userid", "")

    def bad(name: str, message: str) -> None:
        errors.append(RowError(n, _HEADER_OF[name], message, key))

    for name in ("name", "userid", "department"):
        if not cells.get(name):
            bad(name, "required")
    for name, rule in _TEXT_RULES.items():
        problem = rule(cells[name]) if cells.get(name) else None
        if problem:
            bad(name, problem)
    if not cells.get("mobile") and not cells.get("email"):
        bad("mobile", f"a mobile ({_HEADER_OF['mobile']}) or an e-mail ({_HEADER_OF['email']}) "
                      "is required")
    depts = _ints(cells.get("department", ""), n, _HEADER_OF["department"], key, errors,
                  low=1, high=2**31 - 1)
    if len(depts) > _MAX_DEPARTMENTS:
        bad("department", f"at most {_MAX_DEPARTMENTS} departments")
    if len(set(depts)) != len(depts):
        bad("department", "a department is listed twice")
    per_dept = {}
    for name, high in (("is_leader_in_dept", 1), ("order", UINT32_MAX)):
        values = _ints(cells.get(name, ""), n, _HEADER_OF[name], key, errors, low=0, high=high)
        if len(values) == 1 and len(depts) > 1:
            values = values * len(depts)  # one value for every department
        if values and depts and len(values) != len(depts):
            bad(name, f"{len(values)} values for {len(depts)} departments (separate with ;)")
        per_dept[name] = values
    gender = cells.get("gender", "")
    if gender and gender not in _GENDER_VALUE:
        bad("gender", f"{gender!r} is not 男 or 女")
    enable = cells.get("enable", "")
    if enable not in ("", "0", "1"):
        bad("enable", f"{enable!r} is not 0 (enabled) or 1 (disabled)")
    for attr, value in ext.items():
        if len(value) > _EXTATTR_MAX:
            errors.append(RowError(n, attr, f"longer than {_EXTATTR_MAX} characters", key))
    if len(errors) > before:
        return None
    return MemberRow(
        userid=cells["userid"], name=cells["name"], department=depts,
        mobile=cells.get("mobile") or None, email=cells.get("email") or None,
        position=cells.get("position") or None,
        gender=_GENDER_VALUE.get(gender), is_leader_in_dept=per_dept["is_leader_in_dept"],
        order=per_dept["order"], alias=cells.get("alias") or None,
        address=cells.get("address") or None, telephone=cells.get("telephone") or None,
        enable=None if not enable else enable == "0",
        extattr={k: v for k, v in ext.items() if v},
    )


def _check_unique(rows: list[tuple[int, dict[str, str]]], errors: list[RowError]) -> None:
    """Within one file: userids (302003, case-insensitive), mobiles and e-mails are unique."""
    for name in ("userid", "mobile", "email"):
        first: dict[str, int] = {}
        for n, cells in rows:
            value = cells.get(name, "").lower()
            if not value:
                continue
            if value in first:
                errors.append(RowError(n, _HEADER_OF[name],
                                       f"{cells[name]!r} already on row {first[value]}",
                                       cells.get("userid", "")))
            else:
                first[value] = n


def write_members(rows: Iterable[MemberRow | Mapping[str, Any]], *, bom: bool = False) -> bytes:
    """The member import file for ``rows``; raises TemplateError naming every bad cell.

    Rows may be MemberRow objects or mappings with the same keys. Custom attributes become
    extra columns after the template's, in order of first use.
    """
    errors: list[RowError] = []
    parsed: list[tuple[int, dict[str, str], dict[str, str]]] = []
    for i, row in enumerate(rows):
        cells, ext = _to_cells(row, i + 2, errors)
        _check(cells, ext, i + 2, errors)
        parsed.append((i + 2, cells, ext))
    _check_unique([(n, cells) for n, cells, _ in parsed], errors)
    if not parsed:
        errors.append(RowError(2, "", "no member rows (WeCom refuses an empty file)"))
    if errors:
        raise TemplateError(sorted(errors, key=lambda e: e.row))
    ext_names = list(dict.fromkeys(name for _, _, ext in parsed for name in ext))
    header = [*MEMBER_HEADER, *ext_names]
    lines = [[cells.get(f, "") for f in _FIELDS] + [""] + [ext.get(a, "") for a in ext_names]
             for _, cells, ext in parsed]
    return encode_rows(header, lines, bom=bom)


def _header_fields(header: list[str], errors: list[RowError]) -> list[str | None]:
    """Per column: a field name, "ext:<attribute>", or None for the note column."""
    out: list[str | None] = []
    for i, raw in enumerate(header):
        name = raw.strip()
        if name.startswith(_NOTE_PREFIX) or (not name and i >= len(_FIELDS)):
            out.append(None)
        elif name in _FIELD_OF:
            out.append(_FIELD_OF[name])
        elif name:
            out.append("ext:" + name)
        else:
            errors.append(RowError(1, f"#{i + 1}", "empty column name"))
            out.append(None)
    present = [f for f in out if f]
    for dup in sorted({f for f in present if present.count(f) > 1}):
        errors.append(RowError(1, _HEADER_OF.get(dup, dup.removeprefix("ext:")),
                               "column appears twice"))
    for name in ("name", "userid", "department"):
        if name not in present:
            errors.append(RowError(1, _HEADER_OF[name], "required column missing"))
    return out


def read_members(data: bytes | str) -> list[MemberRow]:
    """The rows of a member import file; raises TemplateError naming every bad cell."""
    table = decode_rows(data)
    if not table:
        raise TemplateError([RowError(1, "", "the file is empty (a header row is required)")])
    errors: list[RowError] = []
    columns = _header_fields(table[0], errors)
    if errors:
        raise TemplateError(errors)
    result: list[MemberRow] = []
    seen: list[tuple[int, dict[str, str]]] = []
    for i, line in enumerate(table[1:]):
        n = i + 2
        if not any(cell.strip() for cell in line):
            continue
        if len(line) > len(columns) and any(c.strip() for c in line[len(columns):]):
            errors.append(RowError(n, "", f"{len(line)} cells but {len(columns)} columns"))
        cells: dict[str, str] = {}
        ext: dict[str, str] = {}
        for column, cell in zip(columns, line, strict=False):
            if column and column.startswith("ext:"):
                ext[column[4:]] = cell.strip()
            elif column:
                cells[column] = cell.strip()
        row = _check(cells, ext, n, errors)
        seen.append((n, cells))
        if row is not None:
            result.append(row)
    _check_unique(seen, errors)
    if errors:
        raise TemplateError(sorted(errors, key=lambda e: e.row))
    if not result:
        raise TemplateError([RowError(2, "", "the file has no member rows")])
    return result
