"""The history of sync runs in a SQLite file (0600): when, source fingerprint, counts,
outcome, report path."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["History", "RunRecord"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL, finished_at REAL,
    source TEXT NOT NULL, source_members INTEGER, source_sha256 TEXT,
    outcome TEXT NOT NULL, exit_code INTEGER, counts TEXT NOT NULL DEFAULT '{}',
    message TEXT NOT NULL DEFAULT '', report TEXT NOT NULL DEFAULT '',
    source_counts TEXT NOT NULL DEFAULT '{}')"""
# columns added since the first release, for a history file an older version made
_ADDED = {"source_counts": "TEXT NOT NULL DEFAULT '{}'"}
_COLUMNS = ("id, started_at, finished_at, source, source_members, source_sha256, outcome, "
            "exit_code, counts, message, report, source_counts")


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: float
    finished_at: float | None
    source: str
    source_members: int | None
    source_sha256: str | None
    outcome: str  # "running" until finished; see docs/operations.md for the others
    exit_code: int | None
    counts: dict[str, int]
    message: str
    report: str
    # entries per section the source managed (members, departments, tags), for the guard
    source_counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at) if self.finished_at else None,
            "source": self.source,
            "source_fingerprint": {"members": self.source_members, "sha256": self.source_sha256,
                                   **{k: v for k, v in self.source_counts.items()
                                      if k != "members"}},
            "outcome": self.outcome, "exit_code": self.exit_code, "counts": self.counts,
            "message": self.message, "report": self.report,
        }


def _iso(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


class History:
    """Open with ``History(path)``; every write is its own committed transaction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # created 0600 before SQLite opens it (its journal files copy these permissions)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.execute(_SCHEMA)
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(runs)")}
        for column, kind in _ADDED.items():
            if column not in have:
                self._conn.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, source: str, *, members: int | None = None, sha256: str | None = None,
              now: float | None = None) -> int:
        cur = self._conn.execute(
            "INSERT INTO runs (started_at, source, source_members, source_sha256, outcome) "
            "VALUES (?, ?, ?, ?, 'running')", (now or time.time(), source, members, sha256))
        return int(cur.lastrowid or 0)

    def set_source(self, run_id: int, *, members: int, sha256: str,
                   sections: dict[str, int] | None = None) -> None:
        """What the run read: members, the hash, and (``sections``) the entries of each
        section the source manages."""
        self._conn.execute(
            "UPDATE runs SET source_members = ?, source_sha256 = ?, source_counts = ? "
            "WHERE id = ?", (members, sha256, json.dumps(sections or {"members": members}),
                             run_id))

    def finish(self, run_id: int, outcome: str, exit_code: int, *,
               counts: dict[str, int] | None = None, message: str = "", report: str = "",
               now: float | None = None) -> None:
        self._conn.execute(
            "UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, counts = ?, "
            "message = ?, report = ? WHERE id = ?",
            (now or time.time(), outcome, exit_code, json.dumps(counts or {}), message, report,
             run_id))

    def runs(self, *, limit: int = 20, source: str | None = None) -> list[RunRecord]:
        """The latest runs first."""
        where, args = ("WHERE source = ?", [source]) if source else ("", [])
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM runs {where} ORDER BY id DESC LIMIT ?",
            (*args, limit)).fetchall()
        return [_record(r) for r in rows]

    def last_success(self, source: str) -> RunRecord | None:
        """The latest run of ``source`` that read it completely and finished well."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM runs WHERE source = ? "
            "AND outcome IN ('applied', 'no-changes') ORDER BY id DESC LIMIT 1",
            (source,)).fetchone()
        return _record(row) if row else None


def _record(row: tuple[Any, ...]) -> RunRecord:
    return RunRecord(int(row[0]), float(row[1]), row[2], str(row[3]), row[4], row[5],
                     str(row[6]), row[7], json.loads(row[8] or "{}"), str(row[9]),
                     str(row[10]), json.loads(row[11] or "{}"))
