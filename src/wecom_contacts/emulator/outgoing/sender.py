"""One callback's sender: posts its queue in order, retrying each event before the next."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import httpx

from ..config import EmulatorConfig
from ..store.callbacks import DELIVERED, FAILED, PENDING, Callback, Callbacks, Delivery
from .crypto import aes_key, seal

log = logging.getLogger("wecom_contacts.emulator.callbacks")


class Sender(threading.Thread):
    """Posts one callback's queue in order, retrying each event before the next.

    It is given what it uses: the callback outbox, the current settings (the corp id and the
    default retry interval, both changeable at run time) and the emulator's clock.
    """

    def __init__(
        self,
        callbacks: Callbacks,
        callback_id: int,
        settings: Callable[[], EmulatorConfig],
        now: Callable[[], float],
    ) -> None:
        super().__init__(daemon=True, name=f"wecom-emulator-callback-{callback_id}")
        self.callbacks = callbacks
        self.settings = settings
        self.now = now
        self.callback_id = callback_id
        self.wake = threading.Event()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.wake.set()

    @property
    def stopped(self) -> bool:
        return self._stop_event.is_set()

    def run(self) -> None:
        # trust_env=False: a proxy from the environment must not carry loopback deliveries
        with httpx.Client(trust_env=False, follow_redirects=False) as http:
            while not self.stopped:
                try:
                    busy = self._step(http)
                except Exception:
                    if self.stopped:
                        return  # the store closed under us while shutting down
                    log.exception("callback sender %d failed; retrying", self.callback_id)
                    busy = False
                if not busy:
                    self.wake.wait(1.0)
                    self.wake.clear()

    def _step(self, http: httpx.Client) -> bool:
        cbs = self.callbacks
        cb = cbs.get(self.callback_id)
        if cb is None or not cb.active:
            self.stop()
            return False
        delivery = cbs.next_pending(cb.id)
        if delivery is None:
            if cb.kind == "job":  # a job's own URL receives that job's result only
                cbs.deactivate(cb.id)
                self.stop()
            return False
        self._deliver(http, cb, delivery)
        return True

    def _deliver(self, http: httpx.Client, cb: Callback, delivery: Delivery) -> None:
        key = aes_key(cb.encoding_aes_key)
        corp_id = self.settings().corp_id
        attempts = delivery.attempts  # a --db restart resumes the count
        while not self.stopped:
            # a fresh timestamp and nonce per attempt; CreateTime inside stays the same, so
            # receivers can tell a retry (callbacks.md §9.3); the wall clock, not the
            # emulator's shifted one, so that receivers' freshness checks pass
            sealed = seal(delivery.xml or "", token=cb.token, key=key, corp_id=corp_id,
                          agent_id="", timestamp=int(time.time()))
            status, error = self._post(http, cb, sealed.params, sealed.body)
            attempts += 1
            now = self.now()
            if status == 200:
                self.callbacks.attempted(delivery.id, outcome=DELIVERED, status=status,
                                            error=None, now=now, next_at=None)
                return
            if attempts > cb.retries:
                self.callbacks.attempted(delivery.id, outcome=FAILED, status=status,
                                            error=error, now=now, next_at=None)
                return
            interval = self.retry_interval(cb)
            self.callbacks.attempted(delivery.id, outcome=PENDING, status=status,
                                        error=error, now=now, next_at=now + interval)
            if self._stop_event.wait(interval):
                return

    def retry_interval(self, cb: Callback) -> float:
        if cb.retry_interval is not None:
            return cb.retry_interval
        return self.settings().callback_retry_interval

    @staticmethod
    def _post(
        http: httpx.Client, cb: Callback, params: dict[str, str], body: bytes
    ) -> tuple[int | None, str | None]:
        try:
            response = http.post(
                cb.url, params=params, content=body, timeout=cb.timeout,
                headers={"Content-Type": "text/xml; charset=utf-8"},
            )
        except httpx.TimeoutException:
            # WeCom drops a receiver that has not answered within 5 s and retries
            return None, f"no answer within {cb.timeout:g} s"
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"
        if response.status_code == 200:
            return 200, None
        return response.status_code, f"HTTP {response.status_code}"
