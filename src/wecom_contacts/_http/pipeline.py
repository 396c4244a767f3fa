"""The request pipeline: the one place that does I/O for the client.

rate limiter → token (single-flight) → transport → envelope → typed error or retry → payload.
Every exchange, ``gettoken`` included, is retried by one rule (``decide.retry_delay``) applied to
its own endpoint; which errcodes drop the token and resend once is the errcode table's
``refresh_token`` field.
The async classes are the source; the sync twins below the marker are generated from them by
``scripts/unasync.py`` (a test fails when they are stale).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._endpoints import Endpoint, endpoint
from ..errors import ApiError, TokenFetchError, WeComError
from ..tokens.base import Token, TokenStore, token_key
from .answers import Answer
from .decide import RetryPolicy, decode_envelope, encode_body, plain_success, retry_delay
from .ratelimit import RateLimiter
from .transport import AsyncTransport, Transport, Upload

__all__ = ["AsyncPipeline", "AsyncTokenProvider", "Pipeline", "TokenProvider"]

log = logging.getLogger("wecom_contacts.http")

T = TypeVar("T")

GETTOKEN = "gettoken"
_GETTOKEN = endpoint(GETTOKEN)


def _log_exchange(endpoint: Endpoint, outcome: str, attempt: int, sent: float) -> None:
    # One INFO line per attempt (`--verbose`): the path, never the URL, which carries the token.
    if log.isEnabledFor(logging.INFO):
        retry = f", retry {attempt - 1}" if attempt > 1 else ""
        log.info("%s %s -> %s%s, %.0f ms", endpoint.method, endpoint.path, outcome, retry,
                 (time.monotonic() - sent) * 1000)


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
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
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
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
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
        """One token from ``gettoken``, retried like any other call (same policy and rule)."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._fetch_once()
            except WeComError as exc:
                delay = retry_delay(
                    self._retry, exc, _GETTOKEN, attempt=attempt,
                    elapsed=time.monotonic() - started,
                )
                if delay is None:
                    errcode = getattr(exc, "errcode", None)
                    if errcode is None:
                        raise
                    # an errcode from gettoken is about the corp id or secret: say so
                    raise TokenFetchError(
                        errcode, getattr(exc, "errmsg", ""), endpoint=GETTOKEN
                    ) from None
                log.debug("retrying gettoken in %.2fs after %s", delay, type(exc).__name__)
                await self._sleep(delay)

    async def _fetch_once(self) -> Token:
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
        data = decode_envelope(raw, GETTOKEN)
        return Token.issued(
            str(data["access_token"]), float(data.get("expires_in", 7200)),
            self._clock(), self._margin,
        )


class AsyncPipeline:
    """Sends one endpoint call with auth, limits and retries; returns the endpoint's result."""

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
        answer: Answer[T],
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> T:
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
            # gettoken retries itself (its own endpoint's rule); its failure ends the call
            token = await self.tokens.get()
            sent = time.monotonic()
            try:
                raw = await self.transport.send(
                    endpoint.method,
                    url,
                    params={**query, "access_token": token},
                    content=content,
                    upload=upload,
                    timeout=self.timeout,
                )
                result = plain_success(raw, answer)
                if result is None:
                    payload = decode_envelope(raw, endpoint.path, resent=attempt > 1)
            except ApiError as exc:
                _log_exchange(endpoint, f"errcode {exc.errcode}", attempt, sent)
                if exc.info.refresh_token and not token_resent:
                    token_resent = True
                    log.debug("token refused on %s (errcode %s): refreshing", endpoint.path,
                              exc.errcode)
                    await self.tokens.invalidate(token)
                    attempt -= 1  # a token refresh is not a retry of the call itself
                    continue
                error: WeComError = exc
            except WeComError as exc:
                _log_exchange(endpoint, type(exc).__name__, attempt, sent)
                error = exc
            else:
                _log_exchange(endpoint, "errcode 0", attempt, sent)
                # built outside the try, as a resource built it from the payload before: a
                # model's refusal of an errcode-0 answer is not a WeComError to retry
                return result if result is not None else answer.slow(payload)
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
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Any] = time.sleep,
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
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
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
        """One token from ``gettoken``, retried like any other call (same policy and rule)."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._fetch_once()
            except WeComError as exc:
                delay = retry_delay(
                    self._retry, exc, _GETTOKEN, attempt=attempt,
                    elapsed=time.monotonic() - started,
                )
                if delay is None:
                    errcode = getattr(exc, "errcode", None)
                    if errcode is None:
                        raise
                    # an errcode from gettoken is about the corp id or secret: say so
                    raise TokenFetchError(
                        errcode, getattr(exc, "errmsg", ""), endpoint=GETTOKEN
                    ) from None
                log.debug("retrying gettoken in %.2fs after %s", delay, type(exc).__name__)
                self._sleep(delay)

    def _fetch_once(self) -> Token:
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
        data = decode_envelope(raw, GETTOKEN)
        return Token.issued(
            str(data["access_token"]), float(data.get("expires_in", 7200)),
            self._clock(), self._margin,
        )


class Pipeline:
    """Sends one endpoint call with auth, limits and retries; returns the endpoint's result."""

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
        answer: Answer[T],
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> T:
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
            # gettoken retries itself (its own endpoint's rule); its failure ends the call
            token = self.tokens.get()
            sent = time.monotonic()
            try:
                raw = self.transport.send(
                    endpoint.method,
                    url,
                    params={**query, "access_token": token},
                    content=content,
                    upload=upload,
                    timeout=self.timeout,
                )
                result = plain_success(raw, answer)
                if result is None:
                    payload = decode_envelope(raw, endpoint.path, resent=attempt > 1)
            except ApiError as exc:
                _log_exchange(endpoint, f"errcode {exc.errcode}", attempt, sent)
                if exc.info.refresh_token and not token_resent:
                    token_resent = True
                    log.debug("token refused on %s (errcode %s): refreshing", endpoint.path,
                              exc.errcode)
                    self.tokens.invalidate(token)
                    attempt -= 1  # a token refresh is not a retry of the call itself
                    continue
                error: WeComError = exc
            except WeComError as exc:
                _log_exchange(endpoint, type(exc).__name__, attempt, sent)
                error = exc
            else:
                _log_exchange(endpoint, "errcode 0", attempt, sent)
                # built outside the try, as a resource built it from the payload before: a
                # model's refusal of an errcode-0 answer is not a WeComError to retry
                return result if result is not None else answer.slow(payload)
            delay = retry_delay(
                self.retry, error, endpoint, attempt=attempt, elapsed=time.monotonic() - started
            )
            if delay is None:
                raise error
            log.debug("retrying %s in %.2fs after %s", endpoint.path, delay, type(error).__name__)
            self._sleep(delay)
