"""SQLiteTokenStore: a token file shared by the processes of one host."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from .._private import private_file, refuse_writable_by_others
from .base import LockTimeout, Token

__all__ = ["SQLiteTokenStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL,
    refresh_at REAL NOT NULL
)
"""


class SQLiteTokenStore:
    """A token file shared by the processes of one host.

    The refresh lock is a write transaction held open on a side database (``<path>.lock``):
    SQLite takes it with the operating system's file locks (``fcntl`` on POSIX,
    ``LockFileEx`` on Windows), which the system releases when the holder dies, so a killed
    process never leaves the others waiting.

    The files are created 0600 (directories 0700) whatever the umask: they hold a live
    access token. A store file that others may write is refused (`UnsafeFileError`): anyone
    could plant a token there.
    """

    def __init__(self, path: str | os.PathLike[str], *, poll_interval: float = 0.01) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._poll = poll_interval
        self._local = threading.local()
        for part in (self.path, Path(f"{self.path}-wal"), self._lock_path):
            refuse_writable_by_others(part, "the token store file")
        private_file(self.path)
        private_file(self._lock_path)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteTokenStore({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def get(self, key: str) -> Token | None:
        row = self._conn().execute(
            "SELECT value, expires_at, refresh_at FROM tokens WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return Token(value=row[0], expires_at=row[1], refresh_at=row[2])

    def set(self, key: str, token: Token) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO tokens (key, value, expires_at, refresh_at) VALUES (?,?,?,?)",
            (key, token.value, token.expires_at, token.refresh_at),
        )

    def delete(self, key: str, *, only_if: str | None = None) -> None:
        if only_if is None:
            self._conn().execute("DELETE FROM tokens WHERE key = ?", (key,))
        else:
            self._conn().execute("DELETE FROM tokens WHERE key = ? AND value = ?", (key, only_if))

    def _try_lock(self) -> sqlite3.Connection | None:
        """The lock database's write transaction if free now (its connection), else None."""
        # timeout=0: never wait inside SQLite, so that the async twin never blocks its loop
        conn = sqlite3.connect(self._lock_path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise
        return conn

    @staticmethod
    def _release(conn: sqlite3.Connection) -> None:
        try:
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    def _busy(self, timeout: float) -> LockTimeout:
        return LockTimeout(f"token refresh lock {self._lock_path} busy for {timeout}s")

    @contextmanager
    def lock(self, key: str, *, timeout: float) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        while (conn := self._try_lock()) is None:
            if time.monotonic() >= deadline:
                raise self._busy(timeout)
            time.sleep(self._poll)
        try:
            yield
        finally:
            self._release(conn)

    async def aget(self, key: str) -> Token | None:
        return await asyncio.to_thread(self.get, key)

    async def aset(self, key: str, token: Token) -> None:
        await asyncio.to_thread(self.set, key, token)

    async def adelete(self, key: str, *, only_if: str | None = None) -> None:
        await asyncio.to_thread(self.delete, key, only_if=only_if)

    @asynccontextmanager
    async def alock(self, key: str, *, timeout: float) -> AsyncIterator[None]:
        deadline = time.monotonic() + timeout
        while (conn := self._try_lock()) is None:
            if time.monotonic() >= deadline:
                raise self._busy(timeout)
            await asyncio.sleep(self._poll)
        try:
            yield
        finally:
            self._release(conn)
