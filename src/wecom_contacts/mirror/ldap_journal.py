"""The LDAP target's local state (a 0600 SQLite file): the rows it mirrors, the state keys,
and the journal of LDAP operations, so that a run cut off half-way is finished by the next."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .diff import Diff
from .snapshot import DepartmentRow, MemberRow, Membership, Snapshot, TagRow

__all__ = ["LDAPJournal"]

_SCHEMA = (
    "create table if not exists held (kind text not null, key text not null, "
    "row text not null, primary key (kind, key))",
    "create table if not exists ops (seq integer primary key, op text not null, "
    "done integer not null default 0, error text)",
    "create table if not exists state (key text primary key, value text not null)",
)


def _row_json(row: DepartmentRow | MemberRow | TagRow) -> str:
    return json.dumps(asdict(row), ensure_ascii=False, sort_keys=True)


def _member(data: dict[str, Any]) -> MemberRow:
    data["departments"] = tuple(Membership(**m) for m in data["departments"])
    data["direct_leader"] = tuple(data["direct_leader"])
    return MemberRow(**data)


def _tag(data: dict[str, Any]) -> TagRow:
    return TagRow(data["id"], data["name"], tuple(data["users"]), tuple(data["departments"]))


class LDAPJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30,
                                   isolation_level=None)
        for statement in _SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    # ---- the mirrored rows ------------------------------------------------------------

    def _rows(self, kind: str, key: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            if key is None:
                found = self._db.execute("select row from held where kind = ?", (kind,))
            else:
                found = self._db.execute("select row from held where kind = ? and key = ?",
                                         (kind, key))
            return [json.loads(r) for (r,) in found.fetchall()]

    def snapshot(self) -> Snapshot:
        return Snapshot(
            departments={d["id"]: DepartmentRow(**d) for d in self._rows("department")},
            members={m["userid"]: _member(m) for m in self._rows("member")},
            tags={t["id"]: _tag(t) for t in self._rows("tag")},
        )

    def member(self, userid: str) -> MemberRow | None:
        found = self._rows("member", userid)
        return _member(found[0]) if found else None

    def department(self, dept_id: int) -> DepartmentRow | None:
        found = self._rows("department", str(dept_id))
        return DepartmentRow(**found[0]) if found else None

    def tag(self, tag_id: int) -> TagRow | None:
        found = self._rows("tag", str(tag_id))
        return _tag(found[0]) if found else None

    def tags(self) -> list[TagRow]:
        return [_tag(t) for t in self._rows("tag")]

    # ---- a run: rows and operations recorded together ---------------------------------

    def begin(self, diff: Diff, ops: Iterable[dict[str, Any]]) -> None:
        """Record the new rows and the operations that make LDAP show them, in one
        transaction; ``pending`` then lists the operations until each is ``done``."""
        with self._lock:
            self._db.execute("begin immediate")
            try:
                for kind, changes, key in (
                    ("department", diff.departments, lambda r: str(r.id)),
                    ("member", diff.members, lambda r: r.userid),
                    ("tag", diff.tags, lambda r: str(r.id)),
                ):
                    for row in changes.removed:
                        self._db.execute("delete from held where kind = ? and key = ?",
                                         (kind, key(row)))
                    for row in [*changes.added, *(new for _old, new in changes.changed)]:
                        self._db.execute("insert or replace into held values (?, ?, ?)",
                                         (kind, key(row), _row_json(row)))
                self._db.execute("delete from ops where done = 1")
                self._db.executemany("insert into ops (op) values (?)",
                                     [(json.dumps(op, ensure_ascii=False),) for op in ops])
                self._db.execute("commit")
            except BaseException:
                self._db.execute("rollback")
                raise

    def pending(self) -> list[tuple[int, dict[str, Any]]]:
        with self._lock:
            found = self._db.execute("select seq, op from ops where done = 0 order by seq")
            return [(seq, json.loads(op)) for seq, op in found.fetchall()]

    def done(self, seq: int) -> None:
        with self._lock:
            self._db.execute("update ops set done = 1, error = null where seq = ?", (seq,))

    def failed(self, seq: int, error: str) -> None:
        with self._lock:
            self._db.execute("update ops set error = ? where seq = ?", (error, seq))

    # ---- state ------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("select value from state where key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

    def set_state(self, values: dict[str, str]) -> None:
        with self._lock:
            self._db.executemany("insert or replace into state values (?, ?)",
                                 list(values.items()))
