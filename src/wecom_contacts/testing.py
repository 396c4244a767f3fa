"""EmulatorControl: drive a running emulator's control namespace (reset, seed, faults, stats),
and CallbackInbox: an in-process receiver of the emulator's outgoing callbacks.

Used by the pytest plugin, the demo and the benchmarks; usable in any test harness.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .callback import CallbackEvent

__all__ = ["CallbackInbox", "EmulatorControl"]


class EmulatorControl:
    """A thin handle on ``/_emulator/*`` of the emulator at ``base_url``.

    ``http_client`` (closed with this handle) replaces the default one, e.g. an in-process
    client of ``wecom_contacts.emulator.inprocess``; its base URL is set to ``base_url``.
    """

    def __init__(self, base_url: str, *, corp_id: str, secret: str,
                 http_client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        if http_client is None:
            # Control calls such as seeding 25,000 members take seconds, more on a busy machine:
            # a short read timeout would fail a test that is only slow.
            http_client = httpx.Client(timeout=httpx.Timeout(30, read=300))
        http_client.base_url = httpx.URL(self.base_url)
        self._http = http_client

    def __repr__(self) -> str:
        return f"EmulatorControl({self.base_url!r}, corp_id={self.corp_id!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        resp = self._http.post(f"/_emulator/{path}", json=payload or {})
        if resp.status_code == 400:  # the control API says what it refused: pass it on
            try:
                reason = resp.json().get("error") or resp.text
            except ValueError:
                reason = resp.text
            raise ValueError(f"POST /_emulator/{path} refused: {reason}")
        resp.raise_for_status()
        return resp.json()

    def reset(self) -> None:
        """Empty directory (root only); tokens, stats and faults cleared."""
        self._post("reset")

    def seed(self, document: dict[str, Any]) -> Any:
        """Load a directory document (wire field names), as if typed in the admin console."""
        return self._post("seed", document)

    def fault(self, path: str, *, count: int = 1, **kind: Any) -> None:
        """For the next ``count`` calls to ``path``: errcode=, http_status=, delay= or drop=."""
        self._post("faults", {"path": path, "count": count, **kind})

    def clear_faults(self) -> None:
        self._http.delete("/_emulator/faults").raise_for_status()

    def revoke_tokens(self, secret: str | None = None) -> None:
        """Invalidate issued tokens early (all, or one secret's)."""
        self._post("tokens/revoke", {"secret": secret} if secret else {})

    def add_secret(self, secret: str, **options: Any) -> None:
        """Add an app secret (visible scope, sensitive-field switch)."""
        self._post("secrets", {"secret": secret, **options})

    def configure(self, **switches: Any) -> None:
        """Flip emulator switches at run time."""
        self._post("config", switches)

    def stats(self) -> dict[str, Any]:
        resp = self._http.get("/_emulator/stats")
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    def calls(self, path: str) -> int:
        """How many requests reached ``path`` (e.g. ``/cgi-bin/gettoken``)."""
        return int(self.stats().get("calls", {}).get(path, 0))

    def directory(self) -> dict[str, Any]:
        resp = self._http.get("/_emulator/directory")
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    def add_robot(self, key: str, name: str = "robot") -> None:
        """Accept group-robot webhook posts with this key (``/cgi-bin/webhook/send?key=``)."""
        self._post("robots", {"key": key, "name": name})

    def messages(self) -> list[dict[str, Any]]:
        """Robot posts and application messages (message/send) received, oldest first."""
        resp = self._http.get("/_emulator/messages")
        resp.raise_for_status()
        return list(resp.json()["messages"])

    def advance_jobs(self) -> list[str]:
        """Finish every pending import and export job now; returns their job ids."""
        return [str(jobid) for jobid in self._post("jobs/advance")["finished"]]

    def changes(self, since: int = 0) -> list[dict[str, Any]]:
        """Recorded changes (and job results) after ``since``, oldest first."""
        resp = self._http.get("/_emulator/changes", params={"since": since, "limit": 100000})
        resp.raise_for_status()
        return list(resp.json()["changes"])

    def configure_callback(
        self, url: str, token: str, encoding_aes_key: str, *, secret: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Send change events to ``url`` (the contacts-sync secret's callback by default).

        Options: ``echo_own_changes``, ``minimal_fields``, ``timeout``, ``retries``,
        ``retry_interval``, ``verify`` (see docs/emulator.md).
        """
        body = {"url": url, "token": token, "encoding_aes_key": encoding_aes_key, **options}
        if secret is not None:
            body["secret"] = secret
        data: dict[str, Any] = self._post("callback", body)["callback"]
        return data

    def remove_callback(self, secret: str | None = None) -> int:
        """Stop one secret's callback (all callbacks without ``secret``)."""
        resp = self._http.delete(
            "/_emulator/callback", params={"secret": secret} if secret else None
        )
        resp.raise_for_status()
        return int(resp.json()["removed"])

    def callbacks(self, **filters: Any) -> list[dict[str, Any]]:
        """Callback deliveries, oldest first; filters: ``secret``, ``outcome``, ``since``."""
        resp = self._http.get("/_emulator/callbacks", params={"limit": 100000, **filters})
        resp.raise_for_status()
        return list(resp.json()["deliveries"])

    @contextmanager
    def receive_callbacks(self, *, secret: str | None = None,
                          **options: Any) -> Iterator[CallbackInbox]:
        """Receive this emulator's callbacks in-process, as typed events.

        Starts the library's own ASGI receiver on a free loopback port (needs the ``server``
        extra), with a fresh token and EncodingAESKey, and configures it as the callback of
        ``secret`` (the contacts-sync secret by default). ``options`` go to
        ``configure_callback``; ``echo_own_changes`` defaults to True here, so that the
        changes a test makes through the API arrive too (WeCom itself does not call a secret
        back for its own changes: pass False to model that). The callback is removed on exit.
        """
        from ._background import BackgroundServer
        from .callback import CallbackCrypto, make_asgi_app

        token = secrets.token_hex(8)
        key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
        inbox = CallbackInbox(self)
        app = make_asgi_app(CallbackCrypto(token, key, receive_id=self.corp_id), inbox._add)
        with BackgroundServer(app) as receiver:
            options.setdefault("echo_own_changes", True)
            self.configure_callback(f"{receiver.url}/wecom/callback", token, key,
                                    secret=secret, **options)
            try:
                yield inbox
            finally:
                self.remove_callback(secret or self.secret)

    def flush_callbacks(self, timeout: float = 30) -> None:
        """Wait until every change so far was delivered, failed or skipped."""
        resp = self._http.post(
            "/_emulator/callbacks/flush", json={"timeout": timeout}, timeout=timeout + 10
        )
        resp.raise_for_status()
        if not resp.json()["flushed"]:
            raise TimeoutError(f"{resp.json()['pending']} callback deliveries still pending")


class CallbackInbox:
    """The events an in-process receiver got from the emulator, in arrival order.

    ``events`` fills while the emulator delivers; ``wait()`` first lets the emulator finish
    every delivery it has, so that the events of everything done so far are there.
    """

    def __init__(self, control: EmulatorControl) -> None:
        self._control = control
        self._cond = threading.Condition()
        self.events: list[CallbackEvent] = []

    def __repr__(self) -> str:
        return f"CallbackInbox({len(self.events)} events)"

    def _add(self, event: CallbackEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait(self, count: int | None = None, *, timeout: float = 30.0) -> list[CallbackEvent]:
        """Every delivery of the changes so far made, then the events (at least ``count`` of
        them when given: TimeoutError otherwise)."""
        self._control.flush_callbacks(timeout)
        with self._cond:
            if count is not None and not self._cond.wait_for(
                    lambda: len(self.events) >= count, timeout):
                raise TimeoutError(f"{len(self.events)} callback events arrived, "
                                   f"{count} expected")
            return list(self.events)

    def clear(self) -> None:
        with self._cond:
            self.events.clear()
