"""MemoryTokenStore: the default, in-process token store."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from .base import Token

__all__ = ["MemoryTokenStore"]


class MemoryTokenStore:
    """In-process store (the default). Single-flight within the process is the client's job."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._mutex = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryTokenStore(keys={len(self._tokens)})"

    def get(self, key: str) -> Token | None:
        return self._tokens.get(key)

    def set(self, key: str, token: Token) -> None:
        with self._mutex:
            self._tokens[key] = token

    def delete(self, key: str, *, only_if: str | None = None) -> None:
        with self._mutex:
            current = self._tokens.get(key)
            if current is not None and (only_if is None or current.value == only_if):
                del self._tokens[key]

    @contextmanager
    def lock(self, key: str, *, timeout: float) -> Iterator[None]:
        # One process: the client's own lock already serialises refreshes.
        yield

    async def aget(self, key: str) -> Token | None:
        return self.get(key)

    async def aset(self, key: str, token: Token) -> None:
        self.set(key, token)

    async def adelete(self, key: str, *, only_if: str | None = None) -> None:
        self.delete(key, only_if=only_if)

    @asynccontextmanager
    async def alock(self, key: str, *, timeout: float) -> AsyncIterator[None]:
        yield
