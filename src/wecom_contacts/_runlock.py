"""An exclusive lock held for a whole run (an apply), freed by the OS when its holder dies.

The lock is a write transaction held open on a small side database (``<name>.lock``), as the
SQLite token store's refresh lock: SQLite takes it with the operating system's file locks
(``fcntl`` on POSIX, ``LockFileEx`` on Windows), so a holder killed with ``kill -9`` leaves
nothing behind and the next run takes the lock at once. Who holds it (pid, host, start time,
what it runs) is written beside it (``<name>.lock.json``) so that a refused run can say.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from ._private import private_file, write_private
from .errors import WeComError

__all__ = ["Holder", "RunLock", "RunLockedError", "journal_lock"]

# Locks this process holds: path -> (holding thread, depth). The thread that holds a lock may
# take it again (the CLI holds a journal's lock around the library's apply, which takes it
# too); any other thread or process is refused.
_HELD: dict[str, tuple[int, int]] = {}
_HELD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """The process holding a lock, as it described itself."""

    pid: int | None
    host: str
    started: str
    what: str

    def __str__(self) -> str:
        pid = "an unknown process" if self.pid is None else f"process {self.pid}"
        doing = f" ({self.what})" if self.what else ""
        return f"{pid} on {self.host or '?'}, started {self.started or '?'}{doing}"


class RunLockedError(WeComError):
    """Another process holds the lock: nothing was done."""

    def __init__(self, lock: Path, holder: Holder, purpose: str) -> None:
        self.lock_path = lock
        self.holder = holder
        super().__init__(
            f"{purpose} is already running in {holder}; wait for it to end (or stop it: a "
            f"stopped run is resumed by the next one). Lock: {lock}"
        )


class RunLock:
    """``with RunLock(path, purpose=..., what=...):`` — exclusive, never waits.

    ``purpose`` names the run in the refusal ("an apply of this journal"); ``what`` is
    recorded for others to see (e.g. the plan's digest and the corp).
    """

    def __init__(self, path: str | os.PathLike[str], *, purpose: str, what: str = "") -> None:
        self.path = Path(path)
        self.info_path = self.path.with_name(self.path.name + ".json")
        self.purpose = purpose
        self.what = what
        self._conn: sqlite3.Connection | None = None
        self._nested = False

    def acquire(self) -> None:
        """Take the lock now, or raise `RunLockedError` naming the holder."""
        key = os.path.abspath(self.path)
        me = threading.get_ident()
        with _HELD_LOCK:
            owner, depth = _HELD.get(key, (None, 0))
            if owner == me:
                _HELD[key] = (me, depth + 1)
                self._nested = True
                return
        if owner is not None:
            # Another thread of this process holds it. Not even a failed attempt may open the
            # file: closing it would drop this process's POSIX locks on it, SQLite's too.
            raise RunLockedError(self.path, self._holder(), self.purpose)
        self._take()
        with _HELD_LOCK:
            _HELD[key] = (me, 1)

    def _take(self) -> None:
        private_file(self.path)
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise RunLockedError(self.path, self._holder(), self.purpose) from None
            raise
        self._conn = conn
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_private(self.info_path, json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "started": started,
            "what": self.what,
        }))

    def release(self) -> None:
        key = os.path.abspath(self.path)
        with _HELD_LOCK:
            owner, depth = _HELD.get(key, (None, 0))
            if self._nested:
                self._nested = False
                _HELD[key] = (owner or 0, depth - 1)
                return
            _HELD.pop(key, None)
        conn, self._conn = self._conn, None
        if conn is None:
            return
        # The record goes first: whoever takes the lock next writes its own.
        self.info_path.unlink(missing_ok=True)
        try:
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    def _holder(self) -> Holder:
        # The holder writes its record just after taking the lock: give it a moment.
        for _ in range(20):
            try:
                data = json.loads(self.info_path.read_text(encoding="utf-8"))
                return Holder(int(data["pid"]), str(data["host"]), str(data["started"]),
                              str(data.get("what", "")))
            except (OSError, ValueError, KeyError, TypeError):
                time.sleep(0.05)
        return Holder(None, "", "", "")

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def journal_lock(journal: str | os.PathLike[str], *, what: str = "") -> RunLock:
    """The lock of one apply journal (``<journal>.lock``), held for the whole apply."""
    path = Path(journal)
    return RunLock(path.with_name(path.name + ".lock"),
                   purpose=f"an apply of the journal {path}", what=what)
