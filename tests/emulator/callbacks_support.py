"""A live callback receiver for the emulator's outgoing callbacks: the project's ASGI app on
uvicorn, behind a wrapper that can answer an error or stall before the receiver sees a POST."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import Any, TypedDict

import uvicorn
from starlette.types import Message, Receive, Scope, Send

from wecom_contacts.callback import CallbackCrypto, make_asgi_app

TOKEN = "emulatorCallbackToken1"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # a published WeCom sample key


class CallbackTiming(TypedDict):
    """Two of the emulator's callback options (``configure_callback(**options)``)."""

    retry_interval: float
    timeout: float


# quick retries; an answer may still be slow on a busy machine
FAST: CallbackTiming = {"retry_interval": 0.02, "timeout": 10}


class Receiver:
    """Records typed events; `fail()` / `stall()` script how the next POSTs are answered."""

    def __init__(self, corp_id: str, *, token: str = TOKEN, key: str = KEY) -> None:
        self.crypto = CallbackCrypto(token, key, corp_id)
        self.url = ""
        self.events: list[Any] = []
        self.posts: list[str] = []  # one entry per POST that arrived: "ok", "500", "stall"
        self.answered = 0  # POSTs of this generation that the app has finished answering
        self._plan: deque[tuple[str, float]] = deque()
        self._cond = threading.Condition()
        self._generation = 0
        self._app = make_asgi_app(self.crypto, functools.partial(self._handle, 0))

    def clear(self) -> None:
        """Forget events, the plan and the receiver's de-duplication memory."""
        with self._cond:
            self.events.clear()
            self.posts.clear()
            self.answered = 0
            self._plan.clear()
            # a POST still stalled from an earlier test must not add to this test's events
            self._generation += 1
            self._app = make_asgi_app(self.crypto, functools.partial(self._handle,
                                                                     self._generation))

    def fail(self, times: int = 1, status: int = 500) -> None:
        self._plan.extend([("status", float(status))] * times)

    def stall(self, seconds: float, times: int = 1) -> None:
        """Hold the next POSTs `seconds` before the receiver handles (and answers) them."""
        self._plan.extend([("stall", seconds)] * times)

    def _handle(self, generation: int, event: Any) -> None:
        with self._cond:
            if generation != self._generation:
                return
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.events) >= count, timeout), self.events
            return list(self.events)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        # the body is read first, so that a stalled POST is still handled after the stall
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        # bound now: a POST stalled past the end of its test must reach that test's app (and
        # be dropped by its generation check), not the app of the test that runs next
        app = self._app
        kind, value = self._plan.popleft() if self._plan else ("ok", 0.0)
        if kind == "status":
            self.posts.append(str(int(value)))
            await send({"type": "http.response.start", "status": int(value), "headers": []})
            await send({"type": "http.response.body", "body": b"planned failure"})
            return
        self.posts.append("stall" if kind == "stall" else "ok")
        if kind == "stall":
            await asyncio.sleep(value)

        async def replay() -> Message:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        await app(scope, replay, send)
        with self._cond:
            if app is self._app:
                self.answered += 1
                self._cond.notify_all()

    def wait_answered(self, count: int, timeout: float = 10.0) -> None:
        """Until `count` POSTs (stalled ones included) have been answered by the app."""
        with self._cond:
            assert self._cond.wait_for(lambda: self.answered >= count, timeout), self.answered


@contextlib.contextmanager
def serving(receiver: Receiver) -> Iterator[Receiver]:
    """Serve `receiver` with uvicorn on 127.0.0.1 (a free port) in a background thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        receiver, log_level="error", lifespan="off", ws="none", access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="callback-receiver")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.005)
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}/wecom/callback"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
