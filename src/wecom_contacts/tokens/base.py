"""Token store basics: the key of a (corp, secret) pair, the Token, the TokenStore protocol.

A store holds one token per key. The key is ``token_key(corp_id, secret)``: the corp id plus a
fingerprint of the secret, so that several secrets of one corp (the contacts-sync secret and
each app's) never share a token, and the secret itself is never written anywhere.

Every store (memory, SQLite, Redis) imports these types from here, never from the package
root, so no store module depends on the package that re-exports it.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["LockTimeout", "Token", "TokenStore", "token_key"]


def token_key(corp_id: str, secret: str) -> str:
    """The cache key of a (corp, secret) pair; the secret appears only as a short digest."""
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]
    return f"wecom:token:{corp_id}:{digest}"


@dataclass(frozen=True, slots=True)
class Token:
    """An access token and when it stops being good; its value never shows in a repr."""

    value: str = field(repr=False)
    expires_at: float
    refresh_at: float

    def usable(self, now: float) -> bool:
        """True while the token is good and not yet inside the early-refresh margin."""
        return now < self.refresh_at

    @classmethod
    def issued(cls, value: str, expires_in: float, now: float, margin: float) -> Token:
        """A token fetched at ``now``; refreshed ``margin`` early, but never before half-life."""
        early = min(margin, expires_in / 2)
        return cls(value=value, expires_at=now + expires_in, refresh_at=now + expires_in - early)


class LockTimeout(Exception):
    """The refresh lock could not be taken in time."""


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live. Paired sync/async methods; the async ones must not block the loop."""

    def get(self, key: str) -> Token | None: ...
    def set(self, key: str, token: Token) -> None: ...
    def delete(self, key: str, *, only_if: str | None = None) -> None:
        """Drop the token; with ``only_if``, only while it still holds that value."""
        ...
    def lock(self, key: str, *, timeout: float) -> AbstractContextManager[None]:
        """Exclusive refresh lock across everyone sharing this store."""
        ...
    async def aget(self, key: str) -> Token | None: ...
    async def aset(self, key: str, token: Token) -> None: ...
    async def adelete(self, key: str, *, only_if: str | None = None) -> None: ...
    def alock(self, key: str, *, timeout: float) -> AbstractAsyncContextManager[None]:
        """The async twin of ``lock``."""
        ...
