"""The request pipeline: the one place that does I/O for the client.

rate limiter → token (single-flight) → transport → envelope → typed error or retry → payload.
The async classes are the source; the sync twins below the marker are generated from them by
``scripts/unasync.py`` (a test fails when they are stale).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .._endpoints import Endpoint
from ..errors import ApiError, TokenFetchError, WeComError
from ..tokens.base import Token, TokenStore, token_key
from .decide import RetryPolicy, decode_envelope, encode_body, retry_delay
from .ratelimit import RateLimiter
from .transport import AsyncTransport, Transport, Upload

__all__ = ["AsyncPipeline", "AsyncTokenProvider", "Pipeline", "TokenProvider"]

log = logging.getLogger("wecom_contacts.http")

GETTOKEN = "gettoken"
# Codes that mean "this token is no good": drop it, fetch another, resend once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class AsyncTokenProvider:
    """Hands out a valid token; concurrent misses cause exactly one ``gettoken``."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        store: TokenStore,
        transport: AsyncTransport,
        base_url: str,
        timeout: float,
        margin: float = 300.0,
        lock_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._corp_id = corp_id
        self._secret = secret
        self._store = store
        self._key = token_key(corp_id, secret)
        self._transport = transport
        self._url = f"{base_url}/cgi-bin/{GETTOKEN}"
        self._timeout = timeout
        self._margin = margin
        self._lock_timeout = lock_timeout
        self._clock = clock
        self._local_lock = asyncio.Lock()
        self.fetches = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(corp_id={self._corp_id!r}, store={self._store!r})"

    async def _fresh(self) -> Token | None:
        token = await self._store.aget(self._key)
        if token is not None and token.usable(self._clock()):
            return token
        return None

    async def get(self) -> str:
        """A usable token: from the store, or fetched under the in-process and store locks."""
        token = await self._fresh()
        if token is not None:
            return token.value
        async with self._local_lock:
            token = await self._fresh()
            if token is not None:
                return token.value
            async with self._store.alock(self._key, timeout=self._lock_timeout):
                # Another process may have refreshed while we waited for the lock.
                token = await self._fresh()
                if token is not None:
                    return token.value
                token = await self._fetch()
                await self._store.aset(self._key, token)
                return token.value

    async def invalidate(self, bad_value: str) -> None:
        """Drop ``bad_value``, but never a newer token another caller has just stored."""
        await self._store.adelete(self._key, only_if=bad_value)

    async def _fetch(self) -> Token:
        self.fetches += 1
        log.debug("fetching a token for corp %s", self._corp_id)
        raw = await self._transport.send(
            "GET",
            self._url,
            params={"corpid": self._corp_id, "corpsecret": self._secret},
            content=None,
            upload=None,
            timeout=self._timeout,
        )
        try:
            data = decode_envelope(raw, GETTOKEN)
        except WeComError as exc:
            errcode = getattr(exc, "errcode", None)
            if errcode is None:
                raise
            raise TokenFetchError(errcode, getattr(exc, "errmsg", ""), endpoint=GETTOKEN) from None
        return Token.issued(
            str(data["access_token"]), float(data.get("expires_in", 7200)),
            self._clock(), self._margin,
        )


class AsyncPipeline:
    """Sends one endpoint call with auth, limits and retries; returns the envelope's payload."""

    def __init__(
        self,
        *,
        base_url: str,
        transport: AsyncTransport,
        tokens: AsyncTokenProvider,
        retry: RetryPolicy,
        timeout: float,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._base = f"{base_url}/cgi-bin/"
        self.transport = transport
        self.tokens = tokens
        self.retry = retry
        self.timeout = timeout
        self.rate_limiter = rate_limiter
        self._sleep = sleep

    async def call(
        self,
        endpoint: Endpoint,
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        content = encode_body(body) if body is not None else None
        query = {k: str(v) for k, v in (params or {}).items()}
        url = self._base + endpoint.path
        started = time.monotonic()
        attempt = 0
        token_resent = False
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                await self.rate_limiter.aacquire(endpoint.path)
            token = ""
            try:
                token = await self.tokens.get()
                raw = await self.transport.send(
                    endpoint.method,
                    url,
                    params={**query, "access_token": token},
                    content=content,
                    upload=upload,
                    timeout=self.timeout,
                )
                return decode_envelope(raw, endpoint.path, resent=attempt > 1)
            except ApiError as exc:
                if (
                    exc.errcode in TOKEN_ERRCODES
                    and token
                    and not token_resent
                    and not isinstance(exc, TokenFetchError)
                ):
                    token_resent = True
                    log.debug("token refused on %s (errcode %s): refreshing", endpoint.path,
                              exc.errcode)
                    await self.tokens.invalidate(token)
                    attempt -= 1  # a token refresh is not a retry of the call itself
                    continue
                error: WeComError = exc
            except WeComError as exc:
                error = exc
            delay = retry_delay(
                self.retry, error, endpoint, attempt=attempt, elapsed=time.monotonic() - started
            )
            if delay is None:
                raise error
            log.debug("retrying %s in %.2fs after %s", endpoint.path, delay, type(error).__name__)
            await self._sleep(delay)


# ---- generated by scripts/unasync.py: do not edit below this line ----


class TokenProvider:
    """Hands out a valid token; concurrent misses cause exactly one ``gettoken``."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        store: TokenStore,
        transport: Transport,
        base_url: str,
        timeout: float,
        margin: float = 300.0,
        lock_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._corp_id = corp_id
        self._secret = secret
        self._store = store
        self._key = token_key(corp_id, secret)
        self._transport = transport
        self._url = f"{base_url}/cgi-bin/{GETTOKEN}"
        self._timeout = timeout
        self._margin = margin
        self._lock_timeout = lock_timeout
        self._clock = clock
        self._local_lock = threading.Lock()
        self.fetches = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(corp_id={self._corp_id!r}, store={self._store!r})"

    def _fresh(self) -> Token | None:
        token = self._store.get(self._key)
        if token is not None and token.usable(self._clock()):
            return token
        return None

    def get(self) -> str:
        """A usable token: from the store, or fetched under the in-process and store locks."""
        token = self._fresh()
        if token is not None:
            return token.value
        with self._local_lock:
            token = self._fresh()
            if token is not None:
                return token.value
            with self._store.lock(self._key, timeout=self._lock_timeout):
                # Another process may have refreshed while we waited for the lock.
                token = self._fresh()
                if token is not None:
                    return token.value
                token = self._fetch()
                self._store.set(self._key, token)
                return token.value

    def invalidate(self, bad_value: str) -> None:
        """Drop ``bad_value``, but never a newer token another caller has just stored."""
        self._store.delete(self._key, only_if=bad_value)

    def _fetch(self) -> Token:
        self.fetches += 1
        log.debug("fetching a token for corp %s", self._corp_id)
        raw = self._transport.send(
            "GET",
            self._url,
            params={"corpid": self._corp_id, "corpsecret": self._secret},
            content=None,
            upload=None,
            timeout=self._timeout,
        )
        try:
            data = decode_envelope(raw, GETTOKEN)
        except WeComError as exc:
            errcode = getattr(exc, "errcode", None)
            if errcode is None:
                raise
            raise TokenFetchError(errcode, getattr(exc, "errmsg", ""), endpoint=GETTOKEN) from None
        return Token.issued(
            str(data["access_token"]), float(data.get("expires_in", 7200)),
            self._clock(), self._margin,
        )


class Pipeline:
    """Sends one endpoint call with auth, limits and retries; returns the envelope's payload."""

    def __init__(
        self,
        *,
        base_url: str,
        transport: Transport,
        tokens: TokenProvider,
        retry: RetryPolicy,
        timeout: float,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self._base = f"{base_url}/cgi-bin/"
        self.transport = transport
        self.tokens = tokens
        self.retry = retry
        self.timeout = timeout
        self.rate_limiter = rate_limiter
        self._sleep = sleep

    def call(
        self,
        endpoint: Endpoint,
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        content = encode_body(body) if body is not None else None
        query = {k: str(v) for k, v in (params or {}).items()}
        url = self._base + endpoint.path
        started = time.monotonic()
        attempt = 0
        token_resent = False
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                self.rate_limiter.acquire(endpoint.path)
            token = ""
            try:
                token = self.tokens.get()
                raw = self.transport.send(
                    endpoint.method,
                    url,
                    params={**query, "access_token": token},
                    content=content,
                    upload=upload,
                    timeout=self.timeout,
                )
                return decode_envelope(raw, endpoint.path, resent=attempt > 1)
            except ApiError as exc:
                if (
                    exc.errcode in TOKEN_ERRCODES
                    and token
                    and not token_resent
                    and not isinstance(exc, TokenFetchError)
                ):
                    token_resent = True
                    log.debug("token refused on %s (errcode %s): refreshing", endpoint.path,
                              exc.errcode)
                    self.tokens.invalidate(token)
                    attempt -= 1  # a token refresh is not a retry of the call itself
                    continue
                error: WeComError = exc
            except WeComError as exc:
                error = exc
            delay = retry_delay(
                self.retry, error, endpoint, attempt=attempt, elapsed=time.monotonic() - started
            )
            if delay is None:
                raise error
            log.debug("retrying %s in %.2fs after %s", endpoint.path, delay, type(error).__name__)
            self._sleep(delay)
