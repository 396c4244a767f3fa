"""The database object every table module receives: one SQLite connection (WAL), its lock,
the transaction helper and the change log (the one place changes are recorded)."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..._private import private_file
from .records import Change
from .schema import SCHEMA

# kinds a callback deliverer maps to change_contact events; create_tag / delete_tag are
# recorded too but WeCom has no event for them.
CHANGE_KINDS = frozenset(
    {
        "create_user",
        "update_user",
        "delete_user",
        "create_party",
        "update_party",
        "delete_party",
        "update_tag",
        "create_tag",
        "delete_tag",
        # an import or export job finished: fields {"jobid", "jobtype", "errcode", "errmsg"}
        # and, when the import named one, "callback" {"url", "token", "encodingaeskey"}
        "batch_job_result",
    }
)


class Database:
    """One SQLite connection shared by all requests, serialised by a re-entrant lock."""

    def __init__(self, path: str | None, clock: Callable[[], float]) -> None:
        self._owned_file: str | None = None
        if path is None:
            fd, path = tempfile.mkstemp(prefix="wecom-emulator-", suffix=".sqlite")
            os.close(fd)
            self._owned_file = path
        else:
            private_file(path)  # members' data: 0600 whatever the umask (mkstemp's is too)
        self.path = path
        self.clock = clock
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: durable across application crashes, no fsync per commit
        self._conn.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            self._conn.execute(statement)
        # called after each commit that recorded a change (the callback router listens)
        self.change_listeners: list[Callable[[], None]] = []
        self._changed = False
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing unit of work; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                self._changed = False
                raise
            else:
                self._conn.execute("COMMIT")
                self._notify()
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def record_change(self, kind: str, key: str | int, fields: dict[str, Any], actor: str) -> None:
        """Append a change event; every directory mutation in the store calls this."""
        assert kind in CHANGE_KINDS, kind
        self.execute(
            "INSERT INTO changes (at, kind, key, fields, actor) VALUES (?, ?, ?, ?, ?)",
            (self.clock(), kind, str(key), json.dumps(fields, ensure_ascii=False), actor),
        )
        self._changed = True
        if not self._depth:
            self._notify()

    def _notify(self) -> None:
        if self._changed:
            self._changed = False
            for listener in self.change_listeners:
                listener()

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        """Changes with seq > since, oldest first."""
        rows = self.query(
            "SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit)
        )
        return [
            Change(r["seq"], r["at"], r["kind"], r["key"], json.loads(r["fields"]), r["actor"])
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if self._owned_file:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(self._owned_file + suffix)
                except FileNotFoundError:
                    pass
