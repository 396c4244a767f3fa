"""WeCom's batch-import CSV templates (members; departments) ↔ the desired-state document."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from .errors import DesiredStateError
from .live import LiveDirectory
from .model import join_path
from .schema import KeyPath

__all__ = [
    "DEPARTMENT_HEADER",
    "MEMBER_HEADER",
    "csv_document",
    "departments_csv",
    "members_csv",
]

# batch.md §6: headers reconstructed from public projects; both 帐号/账号 and 职位/职务 occur
# the last column only explains 禁用 and stays empty, as in WeCom's template
MEMBER_HEADER = ("姓名", "帐号", "手机号", "邮箱", "所在部门", "职位", "性别", "是否部门内领导",
                 "排序", "别名", "地址", "座机", "禁用", "禁用项说明：(0-启用;1-禁用)")
DEPARTMENT_HEADER = ("部门名称", "部门ID", "父部门ID", "排序")
_MEMBER_COLUMNS = {
    "姓名": "name", "帐号": "userid", "账号": "userid", "手机号": "mobile", "邮箱": "email",
    "所在部门": "departments", "职位": "position", "职务": "position", "性别": "gender",
    "是否部门内领导": "leader", "排序": "order", "别名": "alias", "地址": "address",
    "座机": "telephone", "禁用": "enable",
}
_DEPARTMENT_COLUMNS = {"部门名称": "path", "部门ID": "id", "父部门ID": "parent", "排序": "order"}
_ROOT_PLACEHOLDER = "(root)"  # the root's name when the file has no row for it


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # WeCom asks for UTF-8, but files saved by Excel on Chinese Windows are GBK
        return data.decode("gb18030")


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.replace("；", ";").split(";") if part.strip()]


def csv_document(
    data: bytes | str, source: str
) -> tuple[dict[str, Any], Callable[[KeyPath], str]]:
    """A member or department import file → (document, locate); which one by its header."""
    text = _decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise DesiredStateError("the CSV file is empty", where=source)
    header = [h.strip() for h in rows[0]]
    if "部门ID" in header:
        return _departments(header, rows[1:], source)
    return _members(header, rows[1:], source)


def _locator(source: str, header: list[str], columns: dict[str, str],
             section: str, rows: list[int]) -> Callable[[KeyPath], str]:
    """Key paths → "file, row N, column X"; ``rows[i]`` is item i's row (the header is 1)."""
    by_field: dict[str, str] = {}
    for name in header:
        by_field.setdefault(columns.get(name, ""), name)

    def locate(path: KeyPath) -> str:
        if len(path) < 2 or path[0] != section or not isinstance(path[1], int):
            return source
        row = rows[path[1]] if path[1] < len(rows) else path[1] + 2
        where = f"{source}, row {row}"
        names = [p for p in path[2:] if isinstance(p, str) and p != "department"]
        if names:
            column = by_field.get(names[-1]) or by_field.get(names[0])
            if column:
                where += f", column {column}"
        return where

    return locate


def _members(header: list[str], rows: list[list[str]], source: str
             ) -> tuple[dict[str, Any], Callable[[KeyPath], str]]:
    for i, name in enumerate(header):
        if name not in _MEMBER_COLUMNS and not name.startswith("禁用项说明") and name:
            raise DesiredStateError(
                f"unknown column {name!r} (custom attribute columns are not supported; use "
                "YAML or JSON for extattr)", where=f"{source}, row 1, column {i + 1}",
            )
    for required in ("姓名", "帐号"):
        if required not in header and (required != "帐号" or "账号" not in header):
            raise DesiredStateError(f"the member file needs a {required} column",
                                    where=f"{source}, row 1")
    row_numbers: list[int] = []
    locate = _locator(source, header, _MEMBER_COLUMNS, "users", row_numbers)
    users: list[dict[str, Any]] = []
    for n, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        row_numbers.append(n + 2)
        cells = {_MEMBER_COLUMNS[h]: row[i].strip() for i, h in enumerate(header)
                 if h in _MEMBER_COLUMNS and i < len(row) and row[i].strip()}
        user: dict[str, Any] = {k: v for k, v in cells.items()
                                if k not in ("departments", "leader", "order", "enable")}
        if "enable" in cells:
            flag = cells["enable"]
            user["enable"] = {"0": True, "1": False}.get(flag, flag)
        if "departments" in cells:
            user["departments"] = _memberships(cells, locate, len(users))
        users.append(user)
    return {"users": users}, locate


def _memberships(cells: dict[str, str], locate: Callable[[KeyPath], str],
                 index: int) -> list[dict[str, Any]]:
    depts = _split(cells["departments"])
    extra: dict[str, list[str]] = {}
    for key in ("leader", "order"):
        values = _split(cells.get(key, ""))
        if len(values) == 1 and len(depts) > 1:
            values = values * len(depts)  # one value for every department
        if values and len(values) != len(depts):
            raise DesiredStateError(
                f"{len(values)} values for {len(depts)} departments (separate them with ;)",
                where=locate(("users", index, key)), field=key,
            )
        extra[key] = values
    result: list[dict[str, Any]] = []
    for j, dept in enumerate(depts):
        entry: dict[str, Any] = {"department": int(dept) if dept.isdigit() else dept}
        if extra["leader"]:
            entry["leader"] = extra["leader"][j]
        if extra["order"]:
            entry["order"] = extra["order"][j]
        result.append(entry)
    return result


def _departments(header: list[str], rows: list[list[str]], source: str
                 ) -> tuple[dict[str, Any], Callable[[KeyPath], str]]:
    row_numbers: list[int] = []
    locate = _locator(source, header, _DEPARTMENT_COLUMNS, "departments", row_numbers)
    columns = {_DEPARTMENT_COLUMNS[h]: i for i, h in enumerate(header) if h in _DEPARTMENT_COLUMNS}
    for name in ("path", "id", "parent"):
        if name not in columns:
            wanted = next(h for h, f in _DEPARTMENT_COLUMNS.items() if f == name)
            raise DesiredStateError(f"the department file needs a {wanted} column",
                                    where=f"{source}, row 1")
    records: dict[int, tuple[int, str, int, str]] = {}  # id → (item index, name, parent, order)
    for r, row in enumerate(rows):
        cell = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        if not any(cell.values()):
            continue
        n = len(row_numbers)
        row_numbers.append(r + 2)
        for name in ("id", "parent"):
            if not cell[name].isdigit():
                raise DesiredStateError(f"{cell[name]!r} is not a department id",
                                        where=locate(("departments", n, name)), field=name)
        dept_id = int(cell["id"])
        if dept_id in records:
            raise DesiredStateError(f"department id {dept_id} is used twice",
                                    where=locate(("departments", n, "id")), field="id")
        records[dept_id] = (n, cell["path"], int(cell["parent"]), cell.get("order", ""))
    root = records[1][1] if 1 in records else _ROOT_PLACEHOLDER
    items: list[dict[str, Any]] = [{} for _ in row_numbers]
    for dept_id, (n, name, parent, order) in records.items():
        path = [name]
        seen = {dept_id}
        while parent not in (0, 1) and dept_id != 1:
            if parent not in records or parent in seen:
                problem = "is not in the file" if parent not in records else "makes a cycle"
                raise DesiredStateError(f"parent department {parent} {problem}",
                                        where=locate(("departments", n, "parent")),
                                        field="parent")
            seen.add(parent)
            _, parent_name, parent, _ = records[parent]
            path.append(parent_name)
        if dept_id != 1:
            path.append(root)
        item: dict[str, Any] = {"path": join_path(tuple(reversed(path))), "id": dept_id}
        if order not in ("", "0"):  # replaceparty: empty or 0 means "keep the order"
            item["order"] = order
        items[n] = item
    return {"departments": items}, locate


def members_csv(live: LiveDirectory, userids: list[str] | None = None) -> str:
    """The member import template filled with the live users (department ids, ; lists)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEMBER_HEADER)
    keys = userids if userids is not None else sorted(live.users)
    for key in keys:
        user = live.users[key]
        f = user.fields
        writer.writerow([
            f.get("name", ""), user.userid, f.get("mobile", ""), f.get("email", ""),
            ";".join(str(d) for d, _, _ in user.memberships), f.get("position", ""),
            {"1": "男", "2": "女"}.get(str(f.get("gender", "")), ""),
            ";".join(str(int(leader)) for _, leader, _ in user.memberships),
            ";".join(str(order) for _, _, order in user.memberships),
            f.get("alias", ""), f.get("address", ""), f.get("telephone", ""),
            "0" if f.get("enable", True) else "1", "",
        ])
    return out.getvalue()


def departments_csv(live: LiveDirectory, ids: list[int] | None = None) -> str:
    """The department import template filled with the live departments, parents first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DEPARTMENT_HEADER)
    order = ids if ids is not None else sorted(live.departments,
                                               key=lambda d: (len(live.paths.get(d, ())), d))
    for dept_id in order:
        dept = live.departments[dept_id]
        writer.writerow([dept.name, dept.id, 0 if dept.id == 1 else dept.parent_id,
                         dept.order or ""])
    return out.getvalue()

