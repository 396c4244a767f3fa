"""Department rows: queries for the rules, and writes that record change events."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .database import Database
from .records import Department

ROOT_ID = 1


def fits_sqlite(value: int) -> bool:
    """SQLite integers are 64-bit; larger JSON numbers can never name a stored row."""
    return -(2**63) <= value < 2**63


# a department and all its descendants, with their level below it (itself = 1)
_SUBTREE_SQL = """
WITH RECURSIVE sub(id, lvl) AS (
    SELECT ?, 1
    UNION ALL
    SELECT d.id, sub.lvl + 1 FROM departments d JOIN sub ON d.parentid = sub.id
)
SELECT id, lvl FROM sub
"""


def _row(r: sqlite3.Row) -> Department:
    return Department(r["id"], r["name"], r["parentid"], r["sort_order"], r["name_en"])


class Departments:
    """Access to the departments table."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def ensure_root(self, name: str) -> None:
        if self.get(ROOT_ID) is None:
            self._s.execute(
                "INSERT INTO departments (id, name, name_en, parentid, sort_order) "
                "VALUES (?, ?, NULL, 0, 0)",
                (ROOT_ID, name),
            )

    def get(self, dept_id: int) -> Department | None:
        if not fits_sqlite(dept_id):
            return None
        rows = self._s.query("SELECT * FROM departments WHERE id = ?", (dept_id,))
        return _row(rows[0]) if rows else None

    def existing(self, ids: list[int]) -> set[int]:
        # json_each: no limit on the number of ids, and no overflow on huge ones
        rows = self._s.query(
            "SELECT id FROM departments WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([i for i in ids if fits_sqlite(i)]),),
        )
        return {r["id"] for r in rows}

    def all(self) -> list[Department]:
        return [_row(r) for r in self._s.query("SELECT * FROM departments")]

    def count(self) -> int:
        return int(self._s.scalar("SELECT COUNT(*) FROM departments"))

    def next_id(self) -> int:
        return int(self._s.scalar("SELECT MAX(id) FROM departments") or ROOT_ID) + 1

    def children(self, dept_id: int) -> list[Department]:
        rows = self._s.query("SELECT * FROM departments WHERE parentid = ?", (dept_id,))
        return [_row(r) for r in rows]

    def node_count(self, dept_id: int) -> int:
        """Sub-departments plus members directly under a department (the 30,000 limit)."""
        count = self._s.scalar(
            "SELECT members + children FROM department_nodes WHERE department_id = ?", (dept_id,)
        )
        return int(count or 0)

    def member_count(self, dept_id: int) -> int:
        count = self._s.scalar(
            "SELECT members FROM department_nodes WHERE department_id = ?", (dept_id,)
        )
        return int(count or 0)

    def depth(self, dept_id: int) -> int:
        """Level of a department: root is 1."""
        level = 0
        current: int = dept_id
        while current:
            level += 1
            dept = self.get(current)
            if dept is None:
                break
            current = dept.parentid
        return level

    def subtree(self, dept_id: int) -> list[tuple[int, int]]:
        """(id, level below dept_id starting at 1) for a department and all descendants."""
        return [(r["id"], r["lvl"]) for r in self._s.query(_SUBTREE_SQL, (dept_id,))]

    def ancestors(self, dept_id: int) -> list[int]:
        """Ids from the department itself up to the root."""
        chain: list[int] = []
        current: int = dept_id
        while current and current not in chain:
            chain.append(current)
            dept = self.get(current)
            if dept is None:
                break
            current = dept.parentid
        return chain

    def insert(self, dept: Department, actor: str) -> None:
        self._s.execute(
            "INSERT INTO departments (id, name, name_en, parentid, sort_order) "
            "VALUES (?, ?, ?, ?, ?)",
            (dept.id, dept.name, dept.name_en, dept.parentid, dept.order),
        )
        fields: dict[str, Any] = {"name": dept.name, "parentid": dept.parentid, "order": dept.order}
        if dept.name_en is not None:
            fields["name_en"] = dept.name_en
        self._s.record_change("create_party", dept.id, fields, actor)

    def update(self, dept_id: int, changes: dict[str, Any], actor: str) -> None:
        """Apply wire-named changes (name, name_en, parentid, order); no-ops are not recorded."""
        current = self.get(dept_id)
        assert current is not None
        real = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not real:
            return
        columns = {
            "name": "name",
            "name_en": "name_en",
            "parentid": "parentid",
            "order": "sort_order",
        }
        sets = ", ".join(f"{columns[k]} = ?" for k in real)
        self._s.execute(f"UPDATE departments SET {sets} WHERE id = ?", [*real.values(), dept_id])
        self._s.record_change("update_party", dept_id, real, actor)

    def delete(self, dept_id: int, actor: str) -> None:
        dept = self.get(dept_id)
        self._s.execute("DELETE FROM departments WHERE id = ?", (dept_id,))
        self._s.execute("DELETE FROM tag_parties WHERE department_id = ?", (dept_id,))
        parent = dept.parentid if dept else 0
        self._s.record_change("delete_party", dept_id, {"parentid": parent}, actor)
