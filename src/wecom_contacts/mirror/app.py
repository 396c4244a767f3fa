"""The ASGI app of `mirror serve`: WeCom's callbacks on any path, status at /_mirror/status."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from ..callback import CallbackCrypto, DedupStore, make_asgi_app
from .service import MirrorService

__all__ = ["make_mirror_app"]


def make_mirror_app(service: MirrorService, crypto: CallbackCrypto, *,
                    dedup: DedupStore | Literal[False] | None = None,
                    max_age: float | None = 300, run_loop: bool = True) -> Starlette:
    """Callbacks → ``service.handle``; the reconcile/retry loop runs while the app is up
    (``run_loop``). A handler that cannot even queue an event answers 503 (WeCom retries)."""
    receiver = make_asgi_app(crypto, service.handle, max_age=max_age, dedup=dedup,
                             retry_on_error=True)

    async def status(_request: Request) -> JSONResponse:
        return JSONResponse(service.status.to_dict())

    @asynccontextmanager
    async def lifespan(_app: Starlette):  # type: ignore[no-untyped-def]
        if run_loop:
            service.start()
        try:
            yield
        finally:
            if run_loop:
                service.stop()

    return Starlette(routes=[Route("/_mirror/status", status, methods=["GET"]),
                             Mount("/", receiver)], lifespan=lifespan)
