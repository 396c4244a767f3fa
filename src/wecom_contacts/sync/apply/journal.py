"""The apply journal: one SQLite file per apply, every step recorded before and after it runs."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from ..._private import private_file
from ..errors import JournalError
from ..plan.types import Plan

__all__ = ["STATUSES", "Journal", "JournalState", "read_journal"]

STATUSES = ("pending", "running", "done", "failed", "skipped")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS steps (
        id INTEGER PRIMARY KEY, op TEXT NOT NULL, target TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT, error TEXT, started_at REAL, finished_at REAL)""",
    # import jobs submitted for groups of steps, until their rows are settled
    """CREATE TABLE IF NOT EXISTS jobs (
        job_id TEXT PRIMARY KEY, steps TEXT NOT NULL, submitted_at REAL NOT NULL)""",
)


class Journal:
    """Step states of one plan's apply. Each change is its own committed transaction, so a
    process killed at any point leaves at most one step "running"."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str], plan: Plan, *, durable: bool = True) -> Journal:
        """Open (or create) the journal of ``plan``; refuses a journal of another plan."""
        name = os.fspath(path)
        # members' data: 0600 (SQLite gives its -wal and -shm files the same mode)
        private_file(name)
        conn = sqlite3.connect(name, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed step survives a power cut, not only a killed process
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        for statement in _SCHEMA:
            conn.execute(statement)
        journal = cls(conn, name)
        digest = journal.meta("plan_digest")
        if digest is None:
            with journal._tx():
                conn.execute("INSERT INTO meta VALUES ('plan_digest', ?)", (plan.digest,))
                conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (plan.fingerprint,))
                conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (str(time.time()),))
                conn.executemany(
                    "INSERT INTO steps (id, op, target, status) VALUES (?, ?, ?, 'pending')",
                    [(s.id, s.op, s.target) for s in plan.steps],
                )
        elif digest != plan.digest:
            conn.close()
            raise JournalError(
                f"the journal {name} records the apply of another plan; use a new journal "
                "file for this plan (or the plan that journal belongs to)"
            )
        return journal

    def _tx(self) -> _Transaction:
        return _Transaction(self._conn)

    def transaction(self) -> _Transaction:
        """Group several marks into one commit (one fsync instead of one per step)."""
        return self._tx()

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def statuses(self) -> dict[int, str]:
        return {int(i): str(s) for i, s in self._conn.execute("SELECT id, status FROM steps")}

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT status, COUNT(*) FROM steps GROUP BY status")
        return {str(s): int(n) for s, n in rows}

    def results(self) -> dict[int, dict[str, Any]]:
        rows = self._conn.execute("SELECT id, result FROM steps WHERE result IS NOT NULL")
        return {int(i): json.loads(r) for i, r in rows}

    def errors(self) -> dict[int, dict[str, Any]]:
        rows = self._conn.execute("SELECT id, error FROM steps WHERE error IS NOT NULL")
        return {int(i): json.loads(e) for i, e in rows}

    def mark_running(self, step_id: int) -> None:
        self._conn.execute(
            "UPDATE steps SET status = 'running', attempts = attempts + 1, started_at = ?, "
            "error = NULL WHERE id = ?", (time.time(), step_id),
        )

    def mark_done(self, step_id: int, result: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE steps SET status = 'done', result = ?, error = NULL, finished_at = ? "
            "WHERE id = ?", (json.dumps(result, ensure_ascii=False), time.time(), step_id),
        )

    def mark_failed(self, step_id: int, error: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE steps SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
            (json.dumps(error, ensure_ascii=False), time.time(), step_id),
        )

    def mark_skipped(self, step_id: int, reason: str) -> None:
        self._conn.execute(
            "UPDATE steps SET status = 'skipped', error = ?, finished_at = ? WHERE id = ?",
            (json.dumps({"skipped": reason}, ensure_ascii=False), time.time(), step_id),
        )

    def record_job(self, job_id: str, step_ids: list[int]) -> None:
        """An import job now carries these steps (committed before waiting for it)."""
        self._conn.execute("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?)",
                           (job_id, json.dumps(step_ids), time.time()))

    def open_jobs(self) -> list[tuple[str, list[int]]]:
        """Jobs whose rows were not settled: an earlier run stopped while they ran."""
        rows = self._conn.execute("SELECT job_id, steps FROM jobs ORDER BY submitted_at")
        return [(str(j), [int(i) for i in json.loads(s)]) for j, s in rows]

    def close_job(self, job_id: str) -> None:
        self._conn.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))

    def close(self) -> None:
        self._conn.close()


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._conn.execute("ROLLBACK" if exc_type else "COMMIT")


@dataclass
class JournalState:
    """What a journal says about an apply, read without changing it (``read_journal``)."""

    path: str
    plan_digest: str
    created_at: float
    counts: dict[str, int]  # status → steps
    steps: list[dict[str, Any]] = field(default_factory=list)  # not done: id, op, target, ...
    open_jobs: list[tuple[str, list[int]]] = field(default_factory=list)
    last_activity: float | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        return self.counts.get("done", 0) == self.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "journal": self.path, "plan_digest": self.plan_digest, "created_at": self.created_at,
            "last_activity": self.last_activity, "total": self.total, "finished": self.finished,
            "counts": {s: self.counts.get(s, 0) for s in STATUSES}, "steps": self.steps,
            "open_jobs": [{"job_id": j, "steps": ids} for j, ids in self.open_jobs],
        }


def read_journal(path: str | os.PathLike[str]) -> JournalState:
    """The state of the apply journaled in ``path`` (read-only; safe while it runs)."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise JournalError(f"no journal at {name}")
    try:
        conn = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise JournalError(f"cannot read the journal {name}: {exc}") from None
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        counts = {str(s): int(n) for s, n in
                  conn.execute("SELECT status, COUNT(*) FROM steps GROUP BY status")}
        rows = conn.execute(
            "SELECT id, op, target, status, attempts, error FROM steps WHERE status != 'done' "
            "ORDER BY id")
        steps = [{"id": int(i), "op": op, "target": target, "status": status,
                  "attempts": int(attempts), "error": json.loads(error) if error else None}
                 for i, op, target, status, attempts, error in rows]
        jobs = [(str(j), [int(i) for i in json.loads(ids)])
                for j, ids in conn.execute("SELECT job_id, steps FROM jobs ORDER BY submitted_at")]
        (last,) = conn.execute(
            "SELECT MAX(MAX(COALESCE(started_at, 0)), MAX(COALESCE(finished_at, 0))) FROM steps"
        ).fetchone()
    except (sqlite3.Error, ValueError) as exc:
        raise JournalError(f"{name} is not an apply journal: {exc}") from None
    finally:
        conn.close()
    if "plan_digest" not in meta:
        raise JournalError(f"{name} is not an apply journal (no plan recorded)")
    return JournalState(name, meta["plan_digest"], float(meta.get("created_at", 0)), counts,
                        steps, jobs, float(last) if last else None)
