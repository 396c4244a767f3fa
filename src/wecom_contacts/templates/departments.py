"""The department import template (batch/replaceparty): rows ↔ UTF-8 CSV, checked as a tree."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .._fieldrules import DEPARTMENT_MAX_DEPTH
from ._checks import INT32_MAX, UINT32_MAX, check_department_name
from ._csv import RowError, TemplateError, decode_rows, encode_rows

__all__ = ["DEPARTMENT_HEADER", "DepartmentRow", "read_departments", "write_departments"]

# batch.md §6.2, in the template's order
DEPARTMENT_HEADER: Final = ("部门名称", "部门ID", "父部门ID", "排序")
_FIELDS: Final = ("name", "id", "parent_id", "order")
_HEADER_OF: Final = dict(zip(_FIELDS, DEPARTMENT_HEADER, strict=True))
_FIELD_OF: Final = {h: f for f, h in _HEADER_OF.items()}
ROOT_ID = 1
_MAX_DEPTH = DEPARTMENT_MAX_DEPTH


@dataclass
class DepartmentRow:
    """One department of the file. ``order`` None (or 0) keeps WeCom's order; larger first.

    The file is the whole tree: every parent must be a row of the file or the root (id 1,
    whose own row, if present, has parent 0).
    """

    name: str
    id: int
    parent_id: int
    order: int | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DepartmentRow:
        """From a department as WeCom returns it (department/list, an export record)."""
        order = data.get("order")
        return cls(name=str(data["name"]), id=int(data["id"]),
                   parent_id=int(data.get("parentid", 0)),
                   order=None if order is None else int(order))


_ROW_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(DepartmentRow))


def _to_cells(row: DepartmentRow | Mapping[str, Any], n: int,
              errors: list[RowError]) -> dict[str, str]:
    data = dataclasses.asdict(row) if isinstance(row, DepartmentRow) else dict(row)
    if "parentid" in data and "parent_id" not in data:
        data["parent_id"] = data.pop("parentid")  # the wire name is accepted too
    cells: dict[str, str] = {}
    for name, value in data.items():
        if name not in _ROW_FIELDS:
            errors.append(RowError(n, "", f"unknown department field {name!r}",
                                   str(data.get("id", ""))))
        elif value is None:
            cells[name] = ""
        elif name == "name" and isinstance(value, str):
            cells[name] = value
        elif name != "name" and type(value) is int:
            cells[name] = str(value)
        else:
            want = "text" if name == "name" else "an integer"
            errors.append(RowError(n, _HEADER_OF[name], f"must be {want}",
                                   str(data.get("id", ""))))
    return cells


def _number(cells: dict[str, str], name: str, n: int, errors: list[RowError],
            *, low: int, high: int) -> int | None:
    cell = cells.get(name, "")
    if not cell:
        return None
    if not cell.isascii() or not cell.isdigit() or not low <= int(cell) <= high:
        errors.append(RowError(n, _HEADER_OF[name], f"{cell!r} is not a number from {low} to "
                                                    f"{high}", cells.get("id", "")))
        return None
    return int(cell)


def _check(cells: dict[str, str], n: int, errors: list[RowError]) -> DepartmentRow | None:
    before = len(errors)
    key = cells.get("id", "")
    for name in ("name", "id", "parent_id"):
        if not cells.get(name):
            errors.append(RowError(n, _HEADER_OF[name], "required", key))
    if cells.get("name"):
        problem = check_department_name(cells["name"])
        if problem:
            errors.append(RowError(n, _HEADER_OF["name"], problem, key))
    dept_id = _number(cells, "id", n, errors, low=1, high=INT32_MAX)
    parent = _number(cells, "parent_id", n, errors, low=0, high=INT32_MAX)
    order = _number(cells, "order", n, errors, low=0, high=UINT32_MAX)
    if dept_id is not None and parent is not None and (dept_id == ROOT_ID) != (parent == 0):
        errors.append(RowError(n, _HEADER_OF["parent_id"],
                               "only the root (id 1) has parent 0", key))
    if len(errors) > before or dept_id is None or parent is None:
        return None
    return DepartmentRow(cells["name"], dept_id, parent, order or None)


def _depth_error(row: DepartmentRow, parents: dict[int, int]) -> str | None:
    """Why the chain from ``row`` up to the root is broken, if it is."""
    seen = [row.id]
    current = row.parent_id
    while current != ROOT_ID:
        if current not in parents:
            return f"parent {current} is neither the root (1) nor a department of the file"
        if current in seen:
            return "the parent chain loops back to " + str(current)
        seen.append(current)
        current = parents[current]
    if len(seen) + 1 > _MAX_DEPTH:
        return f"{len(seen) + 1} levels deep; at most {_MAX_DEPTH}"
    return None


def check_tree(rows: list[tuple[int, DepartmentRow]], errors: list[RowError]) -> None:
    """File-level rules: unique ids (302006), unique sibling names (302007), a tree (302004)."""
    by_id: dict[int, int] = {}
    siblings: dict[tuple[int, str], int] = {}
    for n, row in rows:
        key = str(row.id)
        if row.id in by_id:
            errors.append(RowError(n, _HEADER_OF["id"], f"id {row.id} already on row "
                                                        f"{by_id[row.id]}", key))
            continue
        by_id[row.id] = n
        sibling = (row.parent_id, row.name)
        if sibling in siblings:
            errors.append(RowError(n, _HEADER_OF["name"], f"{row.name!r} is also the name of "
                                   f"its sibling on row {siblings[sibling]}", key))
        siblings.setdefault(sibling, n)
    parents = {row.id: row.parent_id for _, row in rows}
    for n, row in rows:
        problem = None if row.id == ROOT_ID else _depth_error(row, parents)
        if problem:
            errors.append(RowError(n, _HEADER_OF["parent_id"], problem, str(row.id)))


def write_departments(rows: Iterable[DepartmentRow | Mapping[str, Any]], *,
                      bom: bool = False) -> bytes:
    """The department import file for ``rows``; raises TemplateError naming every bad cell."""
    errors: list[RowError] = []
    lines: list[list[str]] = []
    valid: list[tuple[int, DepartmentRow]] = []
    for i, raw in enumerate(rows):
        cells = _to_cells(raw, i + 2, errors)
        row = _check(cells, i + 2, errors)
        if row is not None:
            valid.append((i + 2, row))
        lines.append([cells.get(f, "") for f in _FIELDS])
    check_tree(valid, errors)
    if not lines:
        errors.append(RowError(2, "", "no department rows (WeCom refuses an empty file)"))
    if errors:
        raise TemplateError(sorted(errors, key=lambda e: e.row))
    return encode_rows(DEPARTMENT_HEADER, lines, bom=bom)


def read_departments(data: bytes | str) -> list[DepartmentRow]:
    """The rows of a department import file; raises TemplateError naming every bad cell."""
    table = decode_rows(data)
    if not table:
        raise TemplateError([RowError(1, "", "the file is empty (a header row is required)")])
    header = [h.strip() for h in table[0]]
    errors = [RowError(1, h, "unknown column") for h in header if h and h not in _FIELD_OF]
    errors += [RowError(1, _HEADER_OF[f], "required column missing")
               for f in ("name", "id", "parent_id") if _HEADER_OF[f] not in header]
    if errors:
        raise TemplateError(errors)
    valid: list[tuple[int, DepartmentRow]] = []
    for i, line in enumerate(table[1:]):
        if not any(cell.strip() for cell in line):
            continue
        cells = {_FIELD_OF[h]: c.strip() for h, c in zip(header, line, strict=False) if h}
        row = _check(cells, i + 2, errors)
        if row is not None:
            valid.append((i + 2, row))
    check_tree(valid, errors)
    if not valid and not errors:
        errors.append(RowError(2, "", "the file has no department rows"))
    if errors:
        raise TemplateError(sorted(errors, key=lambda e: e.row))
    return [row for _, row in valid]
