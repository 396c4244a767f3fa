"""Rate-limiter hook: the pipeline asks before every call; the default lets everything through."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["LocalRateLimiter", "RateLimiter"]


@runtime_checkable
class RateLimiter(Protocol):
    """Blocks until a call to ``path`` may go out. Paired sync/async methods."""

    def acquire(self, path: str) -> None: ...
    async def aacquire(self, path: str) -> None: ...


class LocalRateLimiter:
    """A per-path token bucket for one process (WeCom counts per corp and per API).

    ``per_minute`` defaults to WeCom's published 10,000 calls/min per corp per API, so that
    one process alone cannot earn a 45009 block.
    """

    def __init__(self, per_minute: float = 10_000, *, burst: float | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = burst if burst is not None else max(1.0, self.rate)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._mutex = threading.Lock()

    def _take(self, path: str) -> float:
        """Take a token now, returning how long the caller must wait for it (0 = go)."""
        with self._mutex:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(path, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate) - 1.0
            self._buckets[path] = (tokens, now)
            return 0.0 if tokens >= 0 else -tokens / self.rate

    def acquire(self, path: str) -> None:
        wait = self._take(path)
        if wait > 0:
            time.sleep(wait)

    async def aacquire(self, path: str) -> None:
        wait = self._take(path)
        if wait > 0:
            await asyncio.sleep(wait)
