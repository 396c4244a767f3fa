"""Import and export jobs: their request, progress, job-level error and per-row results."""

from __future__ import annotations

import json
import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .database import Database

Family = Literal["import", "export"]
State = Literal["pending", "running", "done"]


@dataclass
class Job:
    """One job. ``state`` is neutral; each family renders its own status numbers.

    ``total`` is the API's row count; progress counts ``done`` of ``steps`` (rows plus
    follow-up work such as replaceuser's deletions).
    """

    jobid: str
    family: Family
    type: str
    caller: str
    request: dict[str, Any]
    state: State = "pending"
    total: int = 0
    steps: int = 0
    done: int = 0
    errcode: int = 0
    errmsg: str = ""
    purged: bool = False
    created_at: float = 0.0
    finished_at: float | None = None

    @property
    def percentage(self) -> int:
        if self.state == "done":
            return 100
        return self.done * 100 // self.steps if self.steps else 0


class Jobs:
    """Access to the jobs, job_results and departments_to_delete tables."""

    def __init__(self, db: Database) -> None:
        self._s = db
        # set by the job runner: called when a job is added (it then waits for the commit)
        self.on_added: Callable[[], None] | None = None

    @staticmethod
    def new_id() -> str:
        return "jobid_" + _random.token_urlsafe(32)

    def add(self, job: Job) -> None:
        self._s.execute(
            "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (job.jobid, job.family, job.type, job.caller,
             json.dumps(job.request, ensure_ascii=False), job.state, job.total, job.steps,
             job.done,
             job.errcode, job.errmsg, int(job.purged), job.created_at, job.finished_at),
        )
        if self.on_added is not None:
            self.on_added()

    @staticmethod
    def _job(r: Any) -> Job:
        return Job(r["jobid"], r["family"], r["type"], r["caller"], json.loads(r["request"]),
                   r["state"], r["total"], r["steps"], r["done"], r["errcode"], r["errmsg"],
                   bool(r["purged"]), r["created_at"], r["finished_at"])

    def get(self, jobid: str) -> Job | None:
        rows = self._s.query("SELECT * FROM jobs WHERE jobid = ?", (jobid,))
        return self._job(rows[0]) if rows else None

    def unfinished(self, family: Family | None = None) -> list[Job]:
        """Jobs not done yet, oldest first."""
        sql = "SELECT * FROM jobs WHERE state != 'done'"
        args: tuple[Any, ...] = ()
        if family is not None:
            sql, args = sql + " AND family = ?", (family,)
        return [self._job(r) for r in self._s.query(sql + " ORDER BY rowid", args)]

    def all(self) -> list[Job]:
        return [self._job(r) for r in self._s.query("SELECT * FROM jobs ORDER BY rowid")]

    def progress(self, jobid: str, *, total: int, steps: int, done: int) -> None:
        self._s.execute(
            "UPDATE jobs SET state = 'running', total = ?, steps = ?, done = ? WHERE jobid = ?",
            (total, steps, done, jobid),
        )

    def finish(self, jobid: str, now: float, errcode: int = 0, errmsg: str = "ok") -> None:
        self._s.execute(
            "UPDATE jobs SET state = 'done', done = steps, errcode = ?, errmsg = ?, "
            "finished_at = ? WHERE jobid = ?", (errcode, errmsg, now, jobid),
        )

    def add_results(self, jobid: str, start: int, rows: list[dict[str, Any]]) -> None:
        for i, row in enumerate(rows):
            self._s.execute("INSERT INTO job_results VALUES (?, ?, ?)",
                            (jobid, start + i, json.dumps(row, ensure_ascii=False)))

    def results(self, jobid: str) -> list[dict[str, Any]]:
        rows = self._s.query("SELECT data FROM job_results WHERE jobid = ? ORDER BY idx",
                             (jobid,))
        return [json.loads(r["data"]) for r in rows]

    def purge_older(self, family: Family, keep: int) -> None:
        """Only the newest ``keep`` jobs of a family keep their results (40089 for the rest)."""
        rows = self._s.query(
            "SELECT jobid FROM jobs WHERE family = ? AND purged = 0 ORDER BY rowid DESC "
            "LIMIT -1 OFFSET ?", (family, keep),
        )
        for r in rows:
            self._s.execute("UPDATE jobs SET purged = 1 WHERE jobid = ?", (r["jobid"],))
            self._s.execute("DELETE FROM job_results WHERE jobid = ?", (r["jobid"],))

    def departments_to_delete(self) -> list[int]:
        return [r["id"] for r in self._s.query("SELECT id FROM departments_to_delete")]

    def mark_department_for_deletion(self, dept_id: int, marked: bool) -> None:
        if marked:
            self._s.execute("INSERT OR IGNORE INTO departments_to_delete VALUES (?)", (dept_id,))
        else:
            self._s.execute("DELETE FROM departments_to_delete WHERE id = ?", (dept_id,))
