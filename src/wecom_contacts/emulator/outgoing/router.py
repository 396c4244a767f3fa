"""Outgoing callbacks: a router queues an event per change and callback; senders post them."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..config import EmulatorConfig
from ..context import CONSOLE
from ..store.callbacks import Callback
from ..store.facade import Store
from ..store.records import Change
from .crypto import aes_key
from .events import Event, EventOptions, Skip, build_event, job_field
from .sender import Sender

log = logging.getLogger("wecom_contacts.emulator.callbacks")
_BATCH = 500  # changes routed per transaction, so API calls interleave with a big backlog
_IDLE_WAIT = 5.0  # a safety net only: every recorded change wakes the router


class Deliverer:
    """Routes recorded changes to the configured callbacks and runs their senders.

    Ordering: each callback has one sender thread that posts its queue strictly in order; an
    event that fails blocks the events after it until it is delivered or has used its
    retries (then it is marked failed and the next one goes). Callbacks never wait for each
    other.
    """

    def __init__(
        self, store: Store, settings: Callable[[], EmulatorConfig], now: Callable[[], float]
    ) -> None:
        self.store = store
        self.settings = settings
        self.now = now
        self._lock = threading.Lock()  # routing and (re)configuration; taken before the store's
        self._start_lock = threading.Lock()  # wake() runs under the store lock: never take _lock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._router: threading.Thread | None = None
        self._senders: dict[int, Sender] = {}
        cbs = store.callbacks
        with store.transaction():
            # a database without a cursor starts at its newest change: nothing recorded
            # before it could have had a callback; with a cursor, routing resumes there
            cbs.set_cursor(cbs.cursor())
        if cbs.active():  # a --db file with callbacks: carry on where the last run stopped
            self.wake()

    # -- control ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something was recorded: route it soon (cheap; called after every commit)."""
        if self._stopping.is_set():
            return
        with self._start_lock:
            if self._router is None:
                self._router = threading.Thread(
                    target=self._route_loop, daemon=True, name="wecom-emulator-callbacks"
                )
                self._router.start()
        self._wake.set()

    def configure(self, callback: Callback) -> Callback:
        """Store a callback (replacing the secret's earlier one); it gets later changes only."""
        with self._lock:
            stored = self.store.callbacks.add(
                dataclasses.replace(callback, since_seq=self.store.callbacks.last_seq())
            )
            self._stop_inactive()
        self.wake()
        return stored

    def remove(self, owner: str | None) -> int:
        """Remove one secret's callback, or all; undelivered events are cancelled."""
        with self._lock:
            removed = self.store.callbacks.remove(owner, now=self.now())
            self._stop_inactive()
        return removed

    def reset(self) -> None:
        """After the store was reset: no callbacks, and nothing recorded so far is routed."""
        with self._lock:
            for sender in self._senders.values():
                sender.stop()
            self._senders.clear()
            with self.store.transaction():
                self.store.callbacks.set_cursor(self.store.callbacks.last_seq())

    def idle(self) -> tuple[bool, int]:
        """(every change routed and every event settled, number of events still pending)."""
        cbs = self.store.callbacks
        routed = cbs.cursor() >= cbs.last_seq()
        pending = cbs.pending_count()
        return routed and pending == 0, pending

    def close(self) -> None:
        """Stop the router and the senders (a sender in the middle of a POST is abandoned)."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            senders = list(self._senders.values())
            self._senders.clear()
        for sender in senders:
            sender.stop()
        deadline = time.monotonic() + 2
        for thread in [self._router, *senders]:
            if thread is not None and thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))

    # -- routing ------------------------------------------------------------------------------

    def _route_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(_IDLE_WAIT)
            self._wake.clear()
            try:
                self.route()
            except Exception:
                if self._stopping.is_set():
                    return  # the store closed under us while shutting down
                log.exception("routing callback events failed; retrying")
                self._stopping.wait(0.5)

    def route(self) -> None:
        """Queue an event per callback for every change not routed yet, then start senders."""
        with self._lock:
            cbs = self.store.callbacks
            while not self._stopping.is_set():
                with self.store.transaction():
                    targets = cbs.active()
                    # without callbacks only a job result naming its own URL goes anywhere
                    changes = (self.store.changes(cbs.cursor(), _BATCH) if targets
                               else cbs.job_results_after(cbs.cursor(), _BATCH))
                    if not changes:
                        if not targets:
                            cbs.set_cursor(cbs.last_seq())
                        break
                    apps = self._app_secrets()
                    for change in changes:
                        self._route_one(change, targets, apps)
                    cbs.set_cursor(changes[-1].seq)
            self._start_senders()

    def _app_secrets(self) -> dict[str, bool]:
        """App name → whether sensitive fields are withheld from it."""
        default = self.settings().hide_sensitive_fields_for_apps
        return {
            s.name: default if s.hide_sensitive is None else s.hide_sensitive
            for s in self.store.secrets.all()
            if s.kind == "app"
        }

    def _route_one(self, change: Change, targets: list[Callback], apps: dict[str, bool]) -> None:
        cfg = self.settings()
        if change.kind == "batch_job_result":
            self._route_job_result(change, targets, cfg)
            return
        for cb in targets:
            if cb.kind != "secret" or cb.since_seq >= change.seq:
                continue
            if change.actor == cb.owner and not cb.echo_own_changes:
                # callbacks.md §1: WeCom does not call a secret back for its own API writes
                self._queue(cb, change, Skip(f"made through the API by {cb.owner} itself"))
                continue
            opts = EventOptions(cfg.corp_id, cb.minimal_fields, apps.get(cb.owner, False))
            self._queue(cb, change, build_event(change, opts))

    def _route_job_result(
        self, change: Change, targets: list[Callback], cfg: EmulatorConfig
    ) -> None:
        """To the job's own `callback` if it named one, else to the submitting secret's
        (the console's jobs to the contacts-sync secret's) — batch.md §7, unconfirmed."""
        opts = EventOptions(cfg.corp_id)
        own = job_field(change.fields, "Callback")
        if isinstance(own, dict) and own.get("url"):
            cb = self._job_callback(change, own, cfg)
            event = build_event(change, opts)
            try:
                aes_key(cb.encoding_aes_key)
            except ValueError:
                event = Skip("the job's callback has no valid encodingaeskey")
                self.store.callbacks.deactivate(cb.id)
            self._queue(cb, change, event)
            return
        submitter = str(job_field(change.fields, "Caller", CONSOLE))
        if submitter == CONSOLE:
            submitter = cfg.sync_secret_name
        for cb in targets:
            if cb.kind == "secret" and cb.owner == submitter and cb.since_seq < change.seq:
                self._queue(cb, change, build_event(change, opts))

    def _job_callback(self, change: Change, own: dict[str, Any], cfg: EmulatorConfig) -> Callback:
        return self.store.callbacks.add(
            Callback(
                0, f"job:{change.key}", "job", str(own.get("url", "")),
                str(own.get("token", "")), str(own.get("encodingaeskey", "")),
                echo_own_changes=True, minimal_fields=False, timeout=5.0, retries=3,
                retry_interval=None, since_seq=change.seq - 1, created_at=self.now(),
            )
        )

    def _queue(self, cb: Callback, change: Change, event: Event | Skip) -> None:
        if isinstance(event, Skip):
            kind, xml, skip = change.kind, None, event.reason
        else:
            kind, xml, skip = event.kind, event.xml, None
        self.store.callbacks.queue(
            cb.id, change.seq, kind, change.key, change.actor, int(change.at), xml, skip,
            self.now(),
        )

    # -- senders ------------------------------------------------------------------------------

    def _start_senders(self) -> None:
        """Under _lock: one live sender per active callback, each woken to look at its queue."""
        if self._stopping.is_set():
            return
        for cb in self.store.callbacks.active():
            sender = self._senders.get(cb.id)
            if sender is None or not sender.is_alive():
                sender = self._senders[cb.id] = Sender(
                    self.store.callbacks, cb.id, self.settings, self.now
                )
                sender.start()
            sender.wake.set()

    def _stop_inactive(self) -> None:
        active = {cb.id for cb in self.store.callbacks.active()}
        for cid in [cid for cid in self._senders if cid not in active]:
            self._senders.pop(cid).stop()
