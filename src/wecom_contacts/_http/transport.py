"""Transports: the one seam where bytes meet the network, sync (httpx) and async (aiohttp or httpx).

Each transport sends one request and returns a ``RawResponse`` with the whole body read, or
raises one of our ``TransportError`` kinds. Mapping the libraries' exceptions here, in one
place, is what lets the retry policy tell "never sent" from "maybe applied".
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx

from ..errors import ConnectError, ConnectionDropped, RequestTimeout, TransportError

__all__ = [
    "AiohttpTransport",
    "AsyncTransport",
    "HttpxAsyncTransport",
    "HttpxTransport",
    "RawResponse",
    "Transport",
    "make_async_transport",
    "make_sync_transport",
]


@dataclass(frozen=True, slots=True)
class RawResponse:
    status_code: int
    content: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Upload:
    """A multipart file part (media/upload)."""

    field: str
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


class Transport(Protocol):
    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        content: bytes | None,
        upload: Upload | None,
        timeout: float,
    ) -> RawResponse: ...

    def close(self) -> None: ...


class AsyncTransport(Protocol):
    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        content: bytes | None,
        upload: Upload | None,
        timeout: float,
    ) -> RawResponse: ...

    async def aclose(self) -> None: ...


_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_SECRET_PARAM = re.compile(r"((?:access_token|corpsecret)=)[^&\s\"']+")


class _RedactQuery(logging.Filter):
    """httpx logs every request URL at INFO; the URL carries the token (or the secret)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a if isinstance(a, (int, float)) else _SECRET_PARAM.sub(r"\1***", str(a))
                for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _SECRET_PARAM.sub(r"\1***", record.msg)
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactQuery())


def _httpx_error(exc: httpx.TransportError) -> TransportError:
    # httpx's ConnectTimeout is a TimeoutException too: test it first, the request never left.
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectError(f"could not connect: {type(exc).__name__}")
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"no answer in time: {type(exc).__name__}")
    return ConnectionDropped(f"connection failed mid-request: {type(exc).__name__}")


def _httpx_files(upload: Upload | None) -> Any:
    if upload is None:
        return None
    return {upload.field: (upload.filename, upload.data, upload.content_type)}


class HttpxTransport:
    """Sync transport over an ``httpx.Client`` (ours, or one the user passes)."""

    def __init__(self, client: httpx.Client, *, owned: bool) -> None:
        self._client = client
        self._owned = owned

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        content: bytes | None,
        upload: Upload | None,
        timeout: float,
    ) -> RawResponse:
        try:
            resp = self._client.request(
                method,
                url,
                params=params,
                content=content,
                files=_httpx_files(upload),
                headers=_JSON_HEADERS if content is not None else None,
                timeout=timeout,
            )
        except httpx.TransportError as exc:
            raise _httpx_error(exc) from None
        return RawResponse(resp.status_code, resp.content, resp.headers.get("content-type", ""))

    def close(self) -> None:
        if self._owned:
            self._client.close()


class HttpxAsyncTransport:
    """Async transport over a user's ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient, *, owned: bool) -> None:
        self._client = client
        self._owned = owned

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        content: bytes | None,
        upload: Upload | None,
        timeout: float,
    ) -> RawResponse:
        try:
            resp = await self._client.request(
                method,
                url,
                params=params,
                content=content,
                files=_httpx_files(upload),
                headers=_JSON_HEADERS if content is not None else None,
                timeout=timeout,
            )
        except httpx.TransportError as exc:
            raise _httpx_error(exc) from None
        return RawResponse(resp.status_code, resp.content, resp.headers.get("content-type", ""))

    async def aclose(self) -> None:
        if self._owned:
            await self._client.aclose()


def _aiohttp_error(exc: BaseException) -> TransportError:
    # Order matters: aiohttp's connect errors subclass its generic connection error, and
    # ServerDisconnectedError does too; a disconnect after sending may have been applied.
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return ConnectError(f"could not connect: {type(exc).__name__}")
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return RequestTimeout(f"no answer in time: {type(exc).__name__}")
    return ConnectionDropped(f"connection failed mid-request: {type(exc).__name__}")


class AiohttpTransport:
    """The default async transport: one aiohttp session (one pool) for the client's life.

    aiohttp's pool sustains far more calls in flight than httpx's own async pool (see
    bench/client_overhead.py), which is why it is the default.
    """

    def __init__(self, *, limit: int = 100) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str],
        content: bytes | None,
        upload: Upload | None,
        timeout: float,
    ) -> RawResponse:
        session = self._get_session()
        data: Any = content
        headers = _JSON_HEADERS if content is not None else None
        if upload is not None:
            form = aiohttp.FormData()
            # a file object, not bytes: aiohttp warns (ResourceWarning) on bodies over 1 MB
            form.add_field(
                upload.field, io.BytesIO(upload.data), filename=upload.filename,
                content_type=upload.content_type,
            )
            data = form
        try:
            async with session.request(
                method,
                url,
                params=dict(params),
                data=data,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as resp:
                body = await resp.read()
                return RawResponse(resp.status, body, resp.headers.get("Content-Type", ""))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _aiohttp_error(exc) from None

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_sync_transport(http_client: httpx.Client | None) -> Transport:
    if http_client is None:
        return HttpxTransport(httpx.Client(), owned=True)
    return HttpxTransport(http_client, owned=False)


def make_async_transport(http_client: httpx.AsyncClient | None) -> AsyncTransport:
    if http_client is None:
        return AiohttpTransport()
    return HttpxAsyncTransport(http_client, owned=False)
