"""Where SCIM ids and externalIds live: WeCom holds neither, and its userids can change.

A User's SCIM ``id`` is its userid at the moment the service first sees it. A row is kept only
when the two differ (after a ``userName`` change, which renames the userid) or when the
provider gave an ``externalId``; every other member needs none, so an empty map still gives
stable ids. Groups are tags: their id is the tag id, which never changes; rows hold only
externalIds.

Stores: ``MemoryIdMap`` (the default: lost at exit, so renames and externalIds are too) and
``SQLiteIdMap`` (a file, created 0600; several processes on one host may share it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = ["IdMap", "IdRow", "MemoryIdMap", "SQLiteIdMap", "group_external_id", "remember_group"]

Kind = Literal["User", "Group"]


@dataclass(frozen=True)
class IdRow:
    kind: Kind
    scim_id: str
    key: str  # the current userid, or the tag id as text
    external_id: str | None = None


class IdMap(Protocol):
    """The few operations the service needs; each is one short transaction."""

    def by_scim_id(self, kind: Kind, scim_id: str) -> IdRow | None: ...
    def by_key(self, kind: Kind, key: str) -> IdRow | None: ...
    def by_external_id(self, kind: Kind, external_id: str) -> IdRow | None: ...
    def put(self, row: IdRow) -> None: ...
    def delete(self, kind: Kind, scim_id: str) -> None: ...


def group_external_id(ids: IdMap, group_id: int) -> str | None:
    """The externalId a provider gave a group (tag or department), if any."""
    row = ids.by_scim_id("Group", str(group_id))
    return row.external_id if row else None


def remember_group(ids: IdMap, group_id: int, external_id: str | None) -> None:
    """Keep a group's externalId (a group's SCIM id is its WeCom id: no row without one)."""
    if external_id:
        ids.put(IdRow("Group", str(group_id), str(group_id), external_id))
    else:
        ids.delete("Group", str(group_id))


class MemoryIdMap:
    """An in-process map (the default)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[Kind, str], IdRow] = {}
        self._lock = threading.Lock()

    def by_scim_id(self, kind: Kind, scim_id: str) -> IdRow | None:
        return self._rows.get((kind, scim_id))

    def by_key(self, kind: Kind, key: str) -> IdRow | None:
        with self._lock:
            return next((r for r in self._rows.values() if r.kind == kind and r.key == key),
                        None)

    def by_external_id(self, kind: Kind, external_id: str) -> IdRow | None:
        with self._lock:
            return next((r for r in self._rows.values()
                         if r.kind == kind and r.external_id == external_id), None)

    def put(self, row: IdRow) -> None:
        with self._lock:
            for old in [k for k, r in self._rows.items() if r.kind == row.kind
                        and r.key == row.key and r.scim_id != row.scim_id]:
                del self._rows[old]
            self._rows[(row.kind, row.scim_id)] = row

    def delete(self, kind: Kind, scim_id: str) -> None:
        with self._lock:
            self._rows.pop((kind, scim_id), None)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS scim_ids (
    kind TEXT NOT NULL, scim_id TEXT NOT NULL, key TEXT NOT NULL, external_id TEXT,
    PRIMARY KEY (kind, scim_id), UNIQUE (kind, key)
)
"""


class SQLiteIdMap:
    """Rows in a SQLite file (0600, WAL); processes on one host may share the file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._local.db = db
        return db

    def close(self) -> None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _one(self, where: str, *args: str) -> IdRow | None:
        found = self._connect().execute(
            f"SELECT kind, scim_id, key, external_id FROM scim_ids WHERE {where}", args
        ).fetchone()
        return IdRow(found[0], found[1], found[2], found[3]) if found else None

    def by_scim_id(self, kind: Kind, scim_id: str) -> IdRow | None:
        return self._one("kind = ? AND scim_id = ?", kind, scim_id)

    def by_key(self, kind: Kind, key: str) -> IdRow | None:
        return self._one("kind = ? AND key = ?", kind, key)

    def by_external_id(self, kind: Kind, external_id: str) -> IdRow | None:
        return self._one("kind = ? AND external_id = ?", kind, external_id)

    def put(self, row: IdRow) -> None:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM scim_ids WHERE kind = ? AND key = ? AND scim_id != ?",
                       (row.kind, row.key, row.scim_id))
            db.execute("INSERT OR REPLACE INTO scim_ids VALUES (?, ?, ?, ?)",
                       (row.kind, row.scim_id, row.key, row.external_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def delete(self, kind: Kind, scim_id: str) -> None:
        self._connect().execute("DELETE FROM scim_ids WHERE kind = ? AND scim_id = ?",
                                (kind, scim_id))
