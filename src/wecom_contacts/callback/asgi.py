"""The ASGI (Starlette) callback receiver: `make_asgi_app`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Literal

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ._receiver import DEFAULT_MAX_BODY_SIZE, Delivery, ReceiverCore, Reply
from .crypto import CallbackCrypto
from .events import CallbackEvent
from .replay import DedupStore

__all__ = ["make_asgi_app"]

Handler = Callable[[CallbackEvent], object]


def make_asgi_app(
    crypto: CallbackCrypto,
    handler: Handler,
    *,
    max_age: float | None = 300,
    dedup: DedupStore | Literal[False] | None = None,
    dedup_ttl: float | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ack_first: bool = False,
    retry_on_error: bool = False,
) -> Starlette:
    """An ASGI app answering WeCom's verification GET and event POSTs on any path.

    https://developer.work.weixin.qq.com/document/path/90930

    Args:
        handler: called with each new event; sync (run in a worker thread) or async.
        max_age: seconds a signed timestamp may differ from the clock; None accepts any.
        dedup: store of delivery keys; None = a `MemoryDedupStore` for this app, False =
            no de-duplication.
        dedup_ttl: how long keys are kept (default: max(2 × max_age, 600) seconds).
        max_body_size: larger POST bodies get 413.
        ack_first: answer 200 first and run the handler afterwards (for handlers that may
            take longer than WeCom's 5 s).
        retry_on_error: when the handler raises, answer 503 and forget the key so that
            WeCom's retry runs it again; by default the failure is logged and acknowledged.
    """
    core = ReceiverCore(
        crypto, max_age=max_age, dedup=dedup, dedup_ttl=dedup_ttl,
        max_body_size=max_body_size, ack_first=ack_first, retry_on_error=retry_on_error,
    )
    # An ASGI callable (not a function) as the endpoint receives every method and path.
    return Starlette(routes=[Route("/{path:path}", _Endpoint(core, handler))])


def _is_async(handler: Handler) -> bool:
    while isinstance(handler, functools.partial):
        handler = handler.func
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
        getattr(handler, "__call__", None)  # noqa: B004 - an async __call__, not callable()
    )


def _response(reply: Reply) -> Response:
    return Response(reply.body, reply.status, dict(reply.headers), media_type="text/plain")


class _Endpoint:
    def __init__(self, core: ReceiverCore, handler: Handler) -> None:
        self._core = core
        self._handler = handler
        self._async = _is_async(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._dispatch(Request(scope, receive))
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        core = self._core
        client = request.client.host if request.client else "?"
        if request.method == "GET":
            return _response(core.verify(request.query_params, client))
        if request.method != "POST":
            return _response(core.method_not_allowed(request.method, client))
        body = await self._read_body(request, client)
        if isinstance(body, Reply):
            return _response(body)
        opened = core.open(request.query_params, body, client)
        if isinstance(opened, Reply):
            return _response(opened)
        if await self._seen(opened):
            return _response(core.duplicate(opened, client))
        if core.ack_first:
            return Response(status_code=200, background=BackgroundTask(self._deliver, opened))
        return _response(await self._deliver(opened))

    async def _read_body(self, request: Request, client: str) -> bytes | Reply:
        limit = self._core.max_body_size
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return self._core.too_large(client)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return self._core.too_large(client)
                chunks.append(chunk)
        except ClientDisconnect:
            return self._core.bad_request("client disconnected while sending the body", client)
        return b"".join(chunks)

    async def _seen(self, delivery: Delivery) -> bool:
        store = self._core.dedup
        if store is None:
            return False
        try:
            return await store.aseen(delivery.key, self._core.dedup_ttl)
        except Exception:
            self._core.dedup_failed(delivery)
            return False

    async def _deliver(self, delivery: Delivery) -> Reply:
        try:
            if self._async:
                result = self._handler(delivery.event)
            else:
                result = await run_in_threadpool(self._handler, delivery.event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            reply = self._core.handler_failed(delivery)
            if reply.status != 200 and self._core.dedup is not None:
                await self._forget(delivery)
            return reply
        return Reply(200)

    async def _forget(self, delivery: Delivery) -> None:
        assert self._core.dedup is not None
        try:
            await self._core.dedup.aforget(delivery.key)
        except Exception:
            self._core.dedup_failed(delivery, forgetting=True)
