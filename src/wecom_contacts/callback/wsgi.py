"""The WSGI callback receiver: `make_wsgi_app`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Literal
from urllib.parse import parse_qsl

from ._receiver import DEFAULT_MAX_BODY_SIZE, Delivery, ReceiverCore, Reply
from .crypto import CallbackCrypto
from .events import CallbackEvent
from .replay import DedupStore

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["CallbackWSGIApp", "make_wsgi_app"]

Handler = Callable[[CallbackEvent], object]



class _TooLarge:
    """The body is over the limit (a sentinel, never a body)."""


_TOO_LARGE = _TooLarge()
_CHUNK_LINE = 1024  # a chunk-size line longer than this is not HTTP/1.1


def _read_body(environ: WSGIEnvironment, limit: int) -> bytes | str | _TooLarge:
    """The request body, `_TOO_LARGE` past `limit` bytes, or why it cannot be read.

    Without a Content-Length the body came chunked (as some proxies forward it): a server
    that decodes chunked bodies says so with `wsgi.input_terminated` (gunicorn, waitress,
    werkzeug) and the input is read to its end; otherwise (wsgiref) the chunked framing is
    decoded here. Either way no more than `limit + 1` bytes are read.
    """
    stream: IO[bytes] = environ["wsgi.input"]
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not declared.isdigit():
            return "invalid Content-Length"
        if int(declared) > limit:
            return _TOO_LARGE
        return stream.read(int(declared)) if int(declared) else b""
    if environ.get("wsgi.input_terminated"):
        data = stream.read(limit + 1)
        return _TOO_LARGE if len(data) > limit else data
    coding = str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    if "chunked" not in coding:
        return b""  # no Content-Length and not chunked: an empty body
    return _dechunk(stream, limit)


def _dechunk(stream: IO[bytes], limit: int) -> bytes | str | _TooLarge:
    parts: list[bytes] = []
    size = 0
    while True:
        line = stream.readline(_CHUNK_LINE + 1)
        if not line.endswith(b"\n") or len(line) > _CHUNK_LINE:
            return "invalid chunked body"
        field = line.split(b";", 1)[0].strip()
        if not field or len(field) > 8 or not all(c in b"0123456789abcdefABCDEF" for c in field):
            return "invalid chunk size"
        length = int(field, 16)
        if length == 0:
            break
        size += length
        if size > limit:
            return _TOO_LARGE
        chunk = stream.read(length)
        if len(chunk) != length or stream.readline(3).strip():
            return "truncated chunked body"
        parts.append(chunk)
    for _ in range(64):  # trailer fields, ended by an empty line
        if not stream.readline(_CHUNK_LINE + 1).strip():
            break
    return b"".join(parts)


def make_wsgi_app(
    crypto: CallbackCrypto,
    handler: Handler,
    *,
    max_age: float | None = 300,
    dedup: DedupStore | Literal[False] | None = None,
    dedup_ttl: float | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ack_first: bool = False,
    retry_on_error: bool = False,
    executor: Executor | None = None,
) -> CallbackWSGIApp:
    """A WSGI app answering WeCom's verification GET and event POSTs on any path.

    https://developer.work.weixin.qq.com/document/path/90930

    Arguments as for `make_asgi_app`, except: `handler` must be synchronous, and with
    `ack_first` it runs on `executor` (default: a 4-thread pool the app owns; `close()`
    waits for it).
    """
    core = ReceiverCore(
        crypto, max_age=max_age, dedup=dedup, dedup_ttl=dedup_ttl,
        max_body_size=max_body_size, ack_first=ack_first, retry_on_error=retry_on_error,
    )
    return CallbackWSGIApp(core, handler, executor)


class CallbackWSGIApp:
    """The WSGI callable built by `make_wsgi_app`."""

    def __init__(self, core: ReceiverCore, handler: Handler, executor: Executor | None) -> None:
        self._core = core
        self._handler = handler
        self._executor = executor
        self._owns_executor = executor is None
        self._lock = threading.Lock()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        reply = self._dispatch(environ)
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(reply.body))),
            *reply.headers,
        ]
        start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", headers)
        return [reply.body]

    def close(self) -> None:
        """Wait for handlers still running after their acknowledgement (ack_first)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None and self._owns_executor:
            executor.shutdown(wait=True)

    def _dispatch(self, environ: WSGIEnvironment) -> Reply:
        core = self._core
        client = str(environ.get("REMOTE_ADDR") or "?")
        method = str(environ.get("REQUEST_METHOD", ""))
        query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
        if method == "GET":
            return core.verify(query, client)
        if method != "POST":
            return core.method_not_allowed(method, client)
        body = _read_body(environ, core.max_body_size)
        if isinstance(body, _TooLarge):
            return core.too_large(client)
        if isinstance(body, str):
            return core.bad_request(body, client)
        opened = core.open(query, body, client)
        if isinstance(opened, Reply):
            return opened
        if self._seen(opened):
            return core.duplicate(opened, client)
        if core.ack_first:
            self._pool().submit(self._deliver, opened)
            return Reply(200)
        return self._deliver(opened)

    def _pool(self) -> Executor:
        with self._lock:
            if self._executor is None:
                # Created on first use, so that it is created after a pre-forking server forks.
                self._executor = ThreadPoolExecutor(4, thread_name_prefix="wecom-callback")
                self._owns_executor = True
            return self._executor

    def _seen(self, delivery: Delivery) -> bool:
        store = self._core.dedup
        if store is None:
            return False
        try:
            return store.seen(delivery.key, self._core.dedup_ttl)
        except Exception:
            self._core.dedup_failed(delivery)
            return False

    def _deliver(self, delivery: Delivery) -> Reply:
        try:
            self._handler(delivery.event)
        except Exception:
            reply = self._core.handler_failed(delivery)
            if reply.status != 200 and self._core.dedup is not None:
                try:
                    self._core.dedup.forget(delivery.key)
                except Exception:
                    self._core.dedup_failed(delivery, forgetting=True)
            return reply
        return Reply(200)
