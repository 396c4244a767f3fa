"""SQLite store (WAL): schema, transactions, reset and the one place changes are recorded."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .auth import Secrets, Tokens
from .callbacks import CALLBACK_SCHEMA, CALLBACK_TABLES, Callbacks
from .departments import NODE_COUNT_SCHEMA, NODE_COUNT_TABLES, Departments
from .jobs import JOBS_SCHEMA, JOBS_TABLES, Jobs
from .media import MEDIA_SCHEMA, MEDIA_TABLES, Media
from .records import Change
from .tags import Tags
from .users import Users

# Later parts (import/export jobs, media, callback deliveries) add their tables here and to
# RESET_TABLES; every statement must be idempotent because it runs on each start.
SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS departments (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_en TEXT,
        parentid INTEGER NOT NULL, sort_order INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS departments_parent ON departments(parentid)",
    """CREATE TABLE IF NOT EXISTS users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, userid TEXT NOT NULL,
        userid_key TEXT NOT NULL UNIQUE, openid TEXT NOT NULL UNIQUE,
        mobile_key TEXT UNIQUE, email_key TEXT UNIQUE, biz_mail_key TEXT UNIQUE,
        activated INTEGER NOT NULL, enable INTEGER NOT NULL, system_userid INTEGER NOT NULL,
        userid_changed INTEGER NOT NULL, biz_mail_locked INTEGER NOT NULL,
        created_at REAL NOT NULL, data TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS user_departments (
        user_seq INTEGER NOT NULL, department_id INTEGER NOT NULL, position INTEGER NOT NULL,
        sort_order INTEGER NOT NULL, is_leader INTEGER NOT NULL,
        PRIMARY KEY (user_seq, department_id))""",
    "CREATE INDEX IF NOT EXISTS user_departments_dept ON user_departments(department_id)",
    """CREATE TABLE IF NOT EXISTS tags (
        tagid INTEGER PRIMARY KEY, tagname TEXT NOT NULL, owner TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tag_users (
        tagid INTEGER NOT NULL, user_seq INTEGER NOT NULL, PRIMARY KEY (tagid, user_seq))""",
    "CREATE INDEX IF NOT EXISTS tag_users_user ON tag_users(user_seq)",
    """CREATE TABLE IF NOT EXISTS tag_parties (
        tagid INTEGER NOT NULL, department_id INTEGER NOT NULL,
        PRIMARY KEY (tagid, department_id))""",
    """CREATE TABLE IF NOT EXISTS secrets (
        secret TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
        visible_departments TEXT NOT NULL, visible_users TEXT NOT NULL,
        hide_sensitive INTEGER)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY, secret TEXT NOT NULL, issued_at REAL NOT NULL,
        expires_at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS tokens_secret ON tokens(secret, expires_at)",
    """CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, kind TEXT NOT NULL,
        key TEXT NOT NULL, fields TEXT NOT NULL, actor TEXT NOT NULL)""",
    *MEDIA_SCHEMA,
    *JOBS_SCHEMA,
    *CALLBACK_SCHEMA,
    *NODE_COUNT_SCHEMA,
)

# Emptied by reset. AUTOINCREMENT counters (users.seq, changes.seq) are kept on purpose so
# that sequence numbers stay monotonic across resets.
RESET_TABLES: tuple[str, ...] = (
    "departments",
    "users",
    "user_departments",
    "tags",
    "tag_users",
    "tag_parties",
    "secrets",
    "tokens",
    "changes",
    *MEDIA_TABLES,
    *JOBS_TABLES,
    *CALLBACK_TABLES,
    *NODE_COUNT_TABLES,
)

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


class Store:
    """One SQLite connection shared by all requests, serialised by a re-entrant lock."""

    def __init__(self, path: str | None, clock: Callable[[], float]) -> None:
        self._owned_file: str | None = None
        if path is None:
            fd, path = tempfile.mkstemp(prefix="wecom-emulator-", suffix=".sqlite")
            os.close(fd)
            self._owned_file = path
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
        self.departments = Departments(self)
        self.users = Users(self)
        self.tags = Tags(self)
        self.secrets = Secrets(self)
        self.tokens = Tokens(self)
        self.media = Media(self)
        self.jobs = Jobs(self)
        self.callbacks = Callbacks(self)
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

    def reset(self, root_name: str) -> None:
        """Empty every table, then put back the root department."""
        with self.transaction():
            for table in RESET_TABLES:
                self.execute(f"DELETE FROM {table}")
            self.departments.ensure_root(root_name)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if self._owned_file:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(self._owned_file + suffix)
                except FileNotFoundError:
                    pass
