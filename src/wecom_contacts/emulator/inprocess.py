"""In-process transports: an httpx client drives the emulator's ASGI app without a socket.

``AsyncEmulatorTransport`` runs the app on the caller's event loop; ``EmulatorTransport``
(sync) runs it on one background event-loop thread (``LoopThread``) shared by every sync
client of a test session. Both keep what a test can observe over HTTP:

- the client's read timeout: a call the app does not answer in time raises
  ``httpx.ReadTimeout`` while the app goes on (and then sees the caller gone, as over a socket:
  ``receive()`` answers ``http.disconnect``);
- the ``drop`` fault: the app's ``DropConnection`` finds an ``abort()`` on the transport of
  ``receive``'s owner, as it does on uvicorn, and the client gets ``RemoteProtocolError``
  (what httpx raises when a server closes the connection without answering);
- an exception in the app is a 500 (before the response started) or a dropped connection
  (after), as uvicorn does.

What a socket adds and this cannot: a real listening port (the CLI in a subprocess, aiohttp,
raw sockets) and connection-level behaviour (keep-alive, Nagle, limits on the pool). Those
tests use the over-HTTP server (``EmulatorServer``, or the plugin's ``transport="http"``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport", "LoopThread"]

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Message]],
     Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

_CLIENT = ("127.0.0.1", 50000)  # what the emulator reports as the caller's address


class _Abortable:
    """Stands in for uvicorn's asyncio transport: the drop fault calls ``abort()``."""

    def __init__(self) -> None:
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


class _Exchange:
    """One request's ASGI cycle: the body in, the response collected."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._body_sent = False
        self.transport = _Abortable()
        self.gave_up = False  # the caller timed out
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.complete = False
        self._finished: asyncio.Event | None = None

    async def receive(self) -> Message:
        if self.gave_up or self.transport.aborted:
            return {"type": "http.disconnect"}
        if not self._body_sent:
            self._body_sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        assert self._finished is not None
        await self._finished.wait()  # like a socket: nothing more until the client goes
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.gave_up or self.transport.aborted:
            return
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            self.chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.complete = True

    async def run(self, app: ASGIApp, scope: MutableMapping[str, Any]) -> None:
        self._finished = asyncio.Event()
        try:
            await app(scope, self.receive, self.send)
        except Exception:
            if self.status is None and not self.transport.aborted:  # uvicorn answers 500
                self.status, self.complete = 500, True
                self.headers = [(b"content-type", b"text/plain; charset=utf-8")]
                self.chunks = [b"Internal Server Error"]
        finally:
            self._finished.set()

    def response(self, request: httpx.Request) -> httpx.Response:
        if self.transport.aborted or self.status is None or not self.complete:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(self.status, headers=self.headers, content=b"".join(self.chunks),
                              request=request)


def _scope(request: httpx.Request) -> MutableMapping[str, Any]:
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": unquote(url.path),
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": _CLIENT,
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
    }


def _read_timeout(request: httpx.Request) -> float | None:
    timeout: dict[str, float | None] = request.extensions.get("timeout", {})
    return timeout.get("read")


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=AsyncEmulatorTransport(app))``: the app on this loop."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._late: set[asyncio.Task[None]] = set()  # calls the caller stopped waiting for

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(await request.aread())
        task = asyncio.ensure_future(exchange.run(self._app, _scope(request)))
        done, _ = await asyncio.wait({task}, timeout=_read_timeout(request))
        if not done:
            exchange.gave_up = True
            self._late.add(task)
            task.add_done_callback(self._late.discard)
            raise httpx.ReadTimeout("no answer within the read timeout", request=request)
        return exchange.response(request)

    async def aclose(self) -> None:
        # a server would finish the calls a client gave up on; let them, briefly
        if self._late:
            _, pending = await asyncio.wait(set(self._late), timeout=5)
            for task in pending:
                task.cancel()


class LoopThread:
    """One event loop on a daemon thread, where sync clients' calls run the app."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="wecom-emulator-inprocess")
        self._thread.start()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()

    def __enter__(self) -> LoopThread:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EmulatorTransport(httpx.BaseTransport):
    """``httpx.Client(transport=EmulatorTransport(app, loop))``: the app on ``loop``'s thread.

    Closing the transport leaves the shared loop running; close the ``LoopThread`` itself.
    """

    def __init__(self, app: ASGIApp, loop: LoopThread) -> None:
        self._app = app
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = _Exchange(request.read())
        future = asyncio.run_coroutine_threadsafe(
            exchange.run(self._app, _scope(request)), self._loop.loop
        )
        try:
            future.result(_read_timeout(request))
        except concurrent.futures.TimeoutError:
            exchange.gave_up = True  # the app goes on, and then sees the caller gone
            raise httpx.ReadTimeout("no answer within the read timeout", request=request) \
                from None
        return exchange.response(request)
