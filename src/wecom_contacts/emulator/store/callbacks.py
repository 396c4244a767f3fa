"""Configured callbacks, their delivery queue and the router's cursor over the change log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .database import Database
from .records import Change

PENDING, DELIVERED, FAILED, SKIPPED, CANCELLED = (
    "pending",
    "delivered",
    "failed",
    "skipped",
    "cancelled",
)


@dataclass(frozen=True)
class Callback:
    """Where and how one receiver gets its events; `owner` is a secret's name or job:<id>."""

    id: int
    owner: str
    kind: str
    url: str
    token: str
    encoding_aes_key: str
    echo_own_changes: bool
    minimal_fields: bool
    timeout: float
    retries: int
    retry_interval: float | None  # None: follow the callback_retry_interval setting
    since_seq: int
    active: bool = True
    created_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Settings without the token and key."""
        return {
            "id": self.id,
            "secret": self.owner,
            "kind": self.kind,
            "url": self.url,
            "echo_own_changes": self.echo_own_changes,
            "minimal_fields": self.minimal_fields,
            "timeout": self.timeout,
            "retries": self.retries,
            "retry_interval": self.retry_interval,
            "since_seq": self.since_seq,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Delivery:
    """One event queued for one callback."""

    id: int
    callback_id: int
    seq: int
    event: str
    xml: str | None
    attempts: int


_DELIVERY_JSON = (
    "d.id, c.owner AS secret, c.url, d.seq, d.event, d.key, d.actor, d.create_time, "
    "d.outcome, d.reason, d.attempts, d.status, d.error, d.queued_at, d.first_attempt_at, "
    "d.last_attempt_at, d.next_attempt_at, d.finished_at, d.xml"
)


def _callback(r: Any) -> Callback:
    return Callback(
        r["id"], r["owner"], r["kind"], r["url"], r["token"], r["encoding_aes_key"],
        bool(r["echo_own_changes"]), bool(r["minimal_fields"]), r["timeout"], r["retries"],
        r["retry_interval"], r["since_seq"], bool(r["active"]), r["created_at"],
    )


class Callbacks:
    """Access to callbacks, callback_deliveries and callback_router."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def last_seq(self) -> int:
        """The newest change seq ever recorded (kept across resets, like the seq itself)."""
        seq = self._s.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
        return int(seq or 0)

    def cursor(self) -> int:
        """The last change seq the router has turned into deliveries."""
        seq = self._s.scalar("SELECT last_seq FROM callback_router WHERE id = 1")
        return self.last_seq() if seq is None else int(seq)

    def set_cursor(self, seq: int) -> None:
        self._s.execute("INSERT OR REPLACE INTO callback_router (id, last_seq) VALUES (1, ?)",
                        (seq,))

    def job_results_after(self, seq: int, limit: int) -> list[Change]:
        """batch_job_result changes after `seq`, oldest first."""
        rows = self._s.query(
            "SELECT * FROM changes WHERE seq > ? AND kind = 'batch_job_result' "
            "ORDER BY seq LIMIT ?", (seq, limit),
        )
        return [Change(r["seq"], r["at"], r["kind"], r["key"], json.loads(r["fields"]),
                       r["actor"]) for r in rows]

    def add(self, cb: Callback) -> Callback:
        """Store a callback; a secret's earlier one stops and its queue is cancelled."""
        with self._s.transaction():
            if cb.kind == "secret":
                self.remove(cb.owner, now=cb.created_at)
            cur = self._s.execute(
                "INSERT INTO callbacks (owner, kind, url, token, encoding_aes_key, "
                "echo_own_changes, minimal_fields, timeout, retries, retry_interval, since_seq, "
                "active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (cb.owner, cb.kind, cb.url, cb.token, cb.encoding_aes_key,
                 int(cb.echo_own_changes), int(cb.minimal_fields), cb.timeout, cb.retries,
                 cb.retry_interval, cb.since_seq, cb.created_at),
            )
        assert cur.lastrowid is not None
        found = self.get(cur.lastrowid)
        assert found is not None
        return found

    def remove(self, owner: str | None, *, now: float) -> int:
        """Stop one secret's callback (or all of them); their undelivered events are cancelled."""
        with self._s.transaction():
            where, args = ("active = 1", ()) if owner is None else ("active = 1 AND owner = ?",
                                                                    (owner,))
            ids = [r["id"] for r in self._s.query(f"SELECT id FROM callbacks WHERE {where}", args)]
            for cid in ids:
                self.deactivate(cid)
                self._s.execute(
                    "UPDATE callback_deliveries SET outcome = ?, finished_at = ?, "
                    "reason = 'the callback was removed' WHERE callback_id = ? AND outcome = ?",
                    (CANCELLED, now, cid, PENDING),
                )
        return len(ids)

    def deactivate(self, cid: int) -> None:
        self._s.execute("UPDATE callbacks SET active = 0 WHERE id = ?", (cid,))

    def get(self, cid: int) -> Callback | None:
        rows = self._s.query("SELECT * FROM callbacks WHERE id = ?", (cid,))
        return _callback(rows[0]) if rows else None

    def active(self) -> list[Callback]:
        return [_callback(r) for r in self._s.query(
            "SELECT * FROM callbacks WHERE active = 1 ORDER BY id")]

    def queue(self, cid: int, seq: int, event: str, key: str, actor: str, create_time: int,
              xml: str | None, skip_reason: str | None, now: float) -> None:
        self._s.execute(
            "INSERT INTO callback_deliveries (callback_id, seq, event, key, actor, create_time, "
            "xml, outcome, reason, attempts, queued_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (cid, seq, event, key, actor, create_time, xml,
             SKIPPED if skip_reason else PENDING, skip_reason, now, now if skip_reason else None),
        )

    def next_pending(self, cid: int) -> Delivery | None:
        rows = self._s.query(
            "SELECT id, callback_id, seq, event, xml, attempts FROM callback_deliveries "
            "WHERE callback_id = ? AND outcome = ? ORDER BY id LIMIT 1", (cid, PENDING),
        )
        if not rows:
            return None
        r = rows[0]
        return Delivery(r["id"], r["callback_id"], r["seq"], r["event"], r["xml"], r["attempts"])

    def pending_count(self) -> int:
        return int(self._s.scalar(
            "SELECT COUNT(*) FROM callback_deliveries d JOIN callbacks c ON c.id = d.callback_id "
            "WHERE d.outcome = ? AND c.active = 1", (PENDING,)))

    def attempted(self, did: int, *, outcome: str, status: int | None, error: str | None,
                  now: float, next_at: float | None) -> None:
        """Record one attempt; `outcome` pending means another attempt follows at `next_at`.
        `error` None keeps the last error, so a delivered event still shows why it was retried."""
        self._s.execute(
            "UPDATE callback_deliveries SET attempts = attempts + 1, outcome = ?, status = ?, "
            "error = COALESCE(?, error), first_attempt_at = COALESCE(first_attempt_at, ?), "
            "last_attempt_at = ?, next_attempt_at = ?, finished_at = ? "
            # a removed callback's event that was in flight may still arrive
            "WHERE id = ? AND (outcome = ? OR (outcome = ? AND ? = ?))",
            (outcome, status, error, now, now, next_at, None if outcome == PENDING else now,
             did, PENDING, CANCELLED, outcome, DELIVERED),
        )

    def deliveries(self, *, since: int = 0, limit: int = 1000, owner: str | None = None,
                   outcome: str | None = None) -> list[dict[str, Any]]:
        sql = (f"SELECT {_DELIVERY_JSON} FROM callback_deliveries d "
               "JOIN callbacks c ON c.id = d.callback_id WHERE d.id > ?")
        args: list[Any] = [since]
        if owner is not None:
            sql, args = sql + " AND c.owner = ?", [*args, owner]
        if outcome is not None:
            sql, args = sql + " AND d.outcome = ?", [*args, outcome]
        rows = self._s.query(sql + " ORDER BY d.id LIMIT ?", [*args, limit])
        return [dict(r) for r in rows]
