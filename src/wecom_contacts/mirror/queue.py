"""Events that could not be applied yet, kept in order in a private SQLite file (0600)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..callback import CallbackEvent, event_from_raw

__all__ = ["EventQueue", "QueuedEvent"]


@dataclass(frozen=True)
class QueuedEvent:
    id: int
    received_at: float  # time.time() when the receiver got it
    event: CallbackEvent
    reason: str
    attempts: int


class EventQueue:
    """A FIFO of events on disk: ``put``, ``items`` (oldest first), ``done``, ``failed``.

    Events hold members' personal data: the file is created 0600. Each call commits, so a
    killed process loses nothing it acknowledged to WeCom.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30,
                                   isolation_level=None)
        self._db.execute(
            "create table if not exists pending (id integer primary key autoincrement, "
            "received_at real not null, raw text not null, reason text not null, "
            "attempts integer not null default 0)")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, event: CallbackEvent, reason: str, *, received_at: float | None = None
            ) -> None:
        raw = json.dumps(event.raw, ensure_ascii=False)
        with self._lock:
            self._db.execute("insert into pending (received_at, raw, reason) values (?, ?, ?)",
                             (received_at or time.time(), raw, reason))

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._db.execute("select count(*) from pending").fetchone()
            return int(count)

    def items(self) -> list[QueuedEvent]:
        with self._lock:
            found = self._db.execute(
                "select id, received_at, raw, reason, attempts from pending order by id"
            ).fetchall()
        return [QueuedEvent(i, at, event_from_raw(json.loads(raw)), reason, attempts)
                for i, at, raw, reason, attempts in found]

    def done(self, item: QueuedEvent) -> None:
        with self._lock:
            self._db.execute("delete from pending where id = ?", (item.id,))

    def failed(self, item: QueuedEvent, reason: str) -> None:
        with self._lock:
            self._db.execute("update pending set attempts = attempts + 1, reason = ? "
                             "where id = ?", (reason, item.id))
