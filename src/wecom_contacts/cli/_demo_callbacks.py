"""The demo's callback receiver: in-process, registered with the emulator's outgoing callbacks."""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ..callback import CallbackCrypto, CallbackEvent
from ._background import BackgroundServer

__all__ = ["Inbox", "receive_callbacks"]


class Inbox:
    """The events the receiver got, in arrival order."""

    def __init__(self, emulator_url: str) -> None:
        self.events: list[CallbackEvent] = []
        self.emulator_url = emulator_url

    def __call__(self, event: CallbackEvent) -> None:
        self.events.append(event)

    def settle(self, *, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until the emulator has delivered everything and no new event arrives."""
        httpx.post(
            f"{self.emulator_url}/_emulator/callbacks/flush",
            json={"timeout": timeout},
            timeout=timeout + 5,
        )
        deadline = time.monotonic() + timeout
        seen, since = len(self.events), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if len(self.events) != seen:
                seen, since = len(self.events), time.monotonic()
            elif time.monotonic() - since >= quiet:
                return


@contextmanager
def receive_callbacks(emulator_url: str, corp_id: str) -> Iterator[Inbox | None]:
    """Start a receiver and point the emulator at it; None if the emulator cannot call back."""
    from ..callback import make_asgi_app

    token = secrets.token_hex(8)
    aes_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
    inbox = Inbox(emulator_url)
    app = make_asgi_app(CallbackCrypto(token, aes_key, receive_id=corp_id), inbox)
    with BackgroundServer(app) as receiver:
        settings = {
            "url": f"{receiver.url}/wecom/callback",
            "token": token,
            "encoding_aes_key": aes_key,
            # WeCom does not tell an app about its own API changes; the demo wants to see them
            "echo_own_changes": True,
        }
        answer = httpx.post(f"{emulator_url}/_emulator/callback", json=settings, timeout=10)
        if answer.status_code in (404, 405):
            yield None
            return
        answer.raise_for_status()
        yield inbox
