"""`mirror serve`'s engine: apply each callback event, reconcile on a timer, keep what fails.

Rules (docs/mirror.md, "serve"):

- An event is applied to the target at once, under one lock with the reconcile write.
- An event that cannot be applied (target down, a read WeCom refused) goes to the queue
  (0600 SQLite) and is answered 200: it is kept, not dropped, and WeCom's own three retries
  are not needed. If even the queue cannot take it, the receiver answers 503 so WeCom retries.
- While the queue is not empty, new events go behind it, so that order is kept.
- The queue is retried every ``retry_interval`` seconds and after each reconcile. Events
  received before a successful reconcile's read began are covered by it and are dropped as
  such (counted, never silently); later ones are applied in order.
- Only the leader (``Leadership``) reconciles; every process applies the events it receives.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..callback import CallbackEvent, ChangeContactEvent
from ..sync import ReadVia
from .diff import DeletionCap, render_diff
from .errors import MirrorError
from .events import NeedsFullRead, describe_event, diff_for_event
from .full import apply_snapshot, read_snapshot
from .leader import Leadership, SoleLeadership
from .queue import EventQueue
from .target import Target

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["MirrorService", "ServiceStatus"]

log = logging.getLogger("wecom_contacts.mirror")
_LOGGED_LINES = 50  # drift lines logged per reconcile; the counts cover the rest


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class ServiceStatus:
    """Counters and the last outcomes; served as JSON at ``/_mirror/status``."""

    applied: int = 0
    ignored: int = 0
    queued: int = 0
    covered_by_reconcile: int = 0
    retried_ok: int = 0
    reconciles: int = 0
    leader: bool = False
    pending: int = 0
    last_event_at: str | None = None
    last_reconcile_at: str | None = None
    last_drift: dict[str, Any] = field(default_factory=dict)
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class MirrorService:
    """Handler for the callback receiver plus the reconcile / retry loop (``start``/``stop``)."""

    def __init__(self, client: Client, target: Target, queue: EventQueue, *,
                 reconcile_interval: float = 600.0, retry_interval: float = 5.0,
                 cap: DeletionCap | None = None, leadership: Leadership | None = None,
                 via: ReadVia = "auto") -> None:
        self.client = client
        self.target = target
        self.queue = queue
        self.reconcile_interval = reconcile_interval
        self.retry_interval = retry_interval
        self.cap = cap or DeletionCap()
        self.leadership = leadership or SoleLeadership()
        self.via: ReadVia = via
        self.status = ServiceStatus(pending=len(queue))
        self._lock = threading.RLock()
        self._during_read: list[CallbackEvent] | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()  # the loop should look now
        self._reconcile_soon = False  # an event needs a full read
        self._thread: threading.Thread | None = None

    # ---- events -----------------------------------------------------------------------

    def handle(self, event: CallbackEvent) -> None:
        """Apply one event, or keep it in the queue; raises only if it cannot be kept."""
        received = time.time()
        if not isinstance(event, ChangeContactEvent):
            self.status.ignored += 1  # job results and unknown kinds change no row
            return
        with self._lock:
            self.status.last_event_at = _now()
            if self._during_read is not None:
                self._during_read.append(event)
            if len(self.queue):
                # behind the others, in order; the loop retries at once (in its thread, so
                # that a target that hangs does not hold WeCom's request past its 5 s)
                self._keep(event, "behind earlier events that wait", received)
                self._wake.set()
                return
            try:
                self._apply(event)
            except NeedsFullRead as exc:
                self._keep(event, str(exc), received)
                self._reconcile_soon = True
                self._wake.set()
            except Exception as exc:  # the target or WeCom failed: keep it, retry later
                self._keep(event, f"{type(exc).__name__}: {exc}", received)

    def _apply(self, event: CallbackEvent) -> None:
        diff = diff_for_event(event, self.target, self.client)
        self.target.apply(diff)
        self.status.applied += 1
        if len(diff):
            log.info("applied %s: %s", describe_event(event),
                     render_diff(diff).splitlines()[-1])

    def _keep(self, event: CallbackEvent, reason: str, received: float) -> None:
        self.queue.put(event, reason, received_at=received)  # raising here means 503
        self.status.queued += 1
        self.status.pending = len(self.queue)
        self.status.last_error = f"{describe_event(event)}: {reason}"
        log.warning("kept %s for a retry: %s", describe_event(event), reason)

    def _drain(self, covered_before: float | None = None) -> int:
        """Retry queued events in order; stop at the first that still fails. Returns how many
        are left."""
        with self._lock:
            for item in self.queue.items():
                if covered_before is not None and item.received_at < covered_before:
                    self.queue.done(item)
                    self.status.covered_by_reconcile += 1
                    continue
                try:
                    self._apply(item.event)
                except NeedsFullRead as exc:
                    self.queue.failed(item, str(exc))
                    if covered_before is None:  # a reconcile will cover it
                        self._reconcile_soon = True
                    break
                except Exception as exc:
                    self.queue.failed(item, f"{type(exc).__name__}: {exc}")
                    break
                self.queue.done(item)
                self.status.retried_ok += 1
            left = len(self.queue)
            self.status.pending = left
            return left

    # ---- reconcile --------------------------------------------------------------------

    def reconcile(self) -> dict[str, Any] | None:
        """A full read and diff; writes the drift found (within the cap), then retries the
        queue. Returns the drift counts, or None if it could not run (logged)."""
        read_started = time.time()
        started_at = datetime.fromtimestamp(read_started, timezone.utc).isoformat()
        with self._lock:
            self._during_read = []
        try:
            live = read_snapshot(self.client, via=self.via)
            with self._lock:
                report = apply_snapshot(self.target, live, cap=self.cap, started_at=started_at)
                # events applied while the read ran are newer than it: apply them again
                for event in self._during_read or []:
                    try:
                        self._apply(event)
                    except Exception as exc:
                        self._keep(event, f"{type(exc).__name__}: {exc}", time.time())
                self._during_read = None
        except Exception as exc:
            with self._lock:
                self._during_read = None
            self.status.last_error = f"reconcile: {type(exc).__name__}: {exc}"
            log.error("reconcile failed, nothing written: %s", exc)
            return None
        drift = report.diff.counts()
        first = report.held_size == 0
        self.status.reconciles += 1
        self.status.last_reconcile_at = report.started_at
        self.status.last_drift = drift
        self.target.set_state({"last_reconcile_at": report.started_at,
                               "last_reconcile_drift": json.dumps(drift)})
        if first:
            log.info("initial mirror: %s", render_diff(report.diff).splitlines()[-1])
        elif len(report.diff):
            lines = render_diff(report.diff).splitlines()
            shown = lines[:-1][:_LOGGED_LINES]
            more = len(lines) - 1 - len(shown)
            log.warning("reconcile repaired %d drift(s):\n%s%s\n%s", len(report.diff),
                        "\n".join(shown), f"\n… and {more} more" if more else "", lines[-1])
        else:
            log.info("reconcile: no drift")
        self._drain(covered_before=read_started)
        return drift

    # ---- the loop ---------------------------------------------------------------------

    def _last_full_pass(self) -> float | None:
        try:
            value = self.target.get_state("last_full_sync_at")
            return datetime.fromisoformat(value).timestamp() if value else None
        except (MirrorError, ValueError):
            return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wecom-mirror", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.leadership.release()

    def _run(self) -> None:
        next_reconcile = time.monotonic()  # first thing: catch up with WeCom
        while not self._stop.is_set():
            self._wake.clear()
            if len(self.queue):
                try:
                    # a reconcile by any process of the fleet (its start is in the target)
                    # covers what was received before it
                    self._drain(covered_before=self._last_full_pass())
                except MirrorError as exc:
                    log.warning("queue retry failed: %s", exc)
            if time.monotonic() >= next_reconcile or self._reconcile_soon:
                self._reconcile_soon = False
                self.status.leader = self.leadership.acquire()
                if self.status.leader:
                    self.reconcile()
                next_reconcile = time.monotonic() + self.reconcile_interval
            else:
                # renew the lock well before it expires
                self.status.leader = self.leadership.acquire()
            self._wake.wait(self.retry_interval)
