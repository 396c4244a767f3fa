"""Replay protection: the de-duplication store protocol, an in-memory store, the key."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from .events import CallbackEvent

__all__ = ["DedupStore", "MemoryDedupStore", "dedup_key"]


@runtime_checkable
class DedupStore(Protocol):
    """Remembers delivery keys for a while; shared by every process that receives callbacks.

    `seen` must be atomic: of two concurrent calls with the same new key, exactly one
    returns False (with Redis: `SET key 1 NX EX ttl`, seen = the SET did not happen).
    """

    def seen(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; return True if it was already recorded."""
        ...

    async def aseen(self, key: str, ttl: float) -> bool:
        """Async twin of `seen`."""
        ...

    def forget(self, key: str) -> None:
        """Drop `key`, so that WeCom's next retry of that message is processed."""
        ...

    async def aforget(self, key: str) -> None:
        """Async twin of `forget`."""
        ...


class MemoryDedupStore:
    """Thread-safe in-process store; right for one process, not for several.

    Args:
        max_entries: beyond this, the oldest keys are dropped first (bounds memory under a
            flood; a dropped key only weakens de-duplication, never acceptance checks).
        clock: monotonic seconds.
    """

    def __init__(
        self, *, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        # OrderedDict, not dict: finding the oldest key stays O(1) after deletions.
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._clock = clock

    def __len__(self) -> int:
        return len(self._expiry)

    def seen(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; return True if it was already recorded."""
        now = self._clock()
        with self._lock:
            expiry = self._expiry.get(key)
            if expiry is not None and expiry > now:
                return True
            if expiry is not None:
                del self._expiry[key]  # re-inserted at the end, keeping expiry order
            self._expiry[key] = now + ttl
            self._prune(now)
            return False

    async def aseen(self, key: str, ttl: float) -> bool:
        """Async twin of `seen` (no I/O, so it simply calls it)."""
        return self.seen(key, ttl)

    def forget(self, key: str) -> None:
        """Drop `key`."""
        with self._lock:
            self._expiry.pop(key, None)

    async def aforget(self, key: str) -> None:
        """Async twin of `forget`."""
        self.forget(key)

    def _prune(self, now: float) -> None:
        # Oldest keys come first; stop at the first live one (amortised O(1) per insert).
        expiry = self._expiry
        while expiry:
            oldest, until = next(iter(expiry.items()))
            if until > now and len(expiry) <= self._max_entries:
                break
            del expiry[oldest]


def dedup_key(event: CallbackEvent) -> str:
    """A key equal for WeCom's retries of one message and different for any two messages
    whose content differs, even within the same second.

    WeCom keeps the message (and its CreateTime) identical across its retries, while the
    ciphertext changes, so the key hashes the decrypted fields, order-independently.
    `FromUserName + CreateTime` (the docs' advice) is not enough: FromUserName is always
    `sys` for contact events, and two changes often share a second.
    """
    raw = event.raw
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{raw.get('ToUserName', '')}:{raw.get('CreateTime', '')}:{digest}"
