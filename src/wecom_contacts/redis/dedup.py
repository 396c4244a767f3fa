"""RedisDedupStore: callback replay protection shared by every receiving process."""

from __future__ import annotations

import logging
import math
from typing import Any

from ._base import AsyncRedis, RedisPart, StoreError, SyncRedis, WarnEvery

__all__ = ["RedisDedupStore"]

log = logging.getLogger("wecom_contacts.redis")


class RedisDedupStore(RedisPart):
    """The ``wecom_contacts.callback.replay.DedupStore`` on Redis: ``SET key 1 NX PX ttl``.

    Fails open: when Redis cannot answer, ``seen`` logs a warning and returns False, so the
    event is delivered (perhaps twice) rather than lost; WeCom gives up on an event after
    three unanswered deliveries, while handlers must tolerate duplicates anyway.

    Each command touches one key, so it works alike on one Redis and on a Redis Cluster.

    Args:
        client / async_client: redis-py clients to use (you close them), single-node,
            cluster or Sentinel; or ``from_url`` (``cluster=True`` for a Redis Cluster).
        prefix: prepended to every key, to keep several deployments apart in one database.
    """

    def __init__(
        self,
        client: SyncRedis | None = None,
        async_client: AsyncRedis | None = None,
        *,
        url: str | None = None,
        cluster: bool = False,
        prefix: str = "",
        redis_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            client, async_client, url=url, cluster=cluster, redis_kwargs=redis_kwargs
        )
        self._prefix = prefix
        self._warn = WarnEvery()

    @classmethod
    def from_url(
        cls, url: str, *, cluster: bool = False, prefix: str = "", **redis_kwargs: Any
    ) -> RedisDedupStore:
        """A store on the Redis at ``url``; extra keyword arguments go to redis-py.

        With ``cluster=True``, ``url`` names any one node of a Redis Cluster.
        """
        return cls(url=url, cluster=cluster, prefix=prefix, redis_kwargs=redis_kwargs)

    def _key(self, key: str) -> str:
        return f"{self._prefix}wecom:callback:seen:{key}"

    def _open(self, exc: StoreError) -> bool:
        self._warn("callback de-duplication failing open (events may repeat): %s", exc)
        return False

    def seen(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was already recorded."""
        try:
            with self._translating("recording a callback"):
                created = self._sync().set(self._key(key), b"1", nx=True, px=_ms(ttl))
        except StoreError as exc:
            return self._open(exc)
        return not created

    async def aseen(self, key: str, ttl: float) -> bool:
        """Async twin of ``seen``."""
        try:
            with self._translating("recording a callback"):
                client = await self._async()
                created = await client.set(self._key(key), b"1", nx=True, px=_ms(ttl))
        except StoreError as exc:
            return self._open(exc)
        return not created

    def forget(self, key: str) -> None:
        """Drop ``key``, so that WeCom's next retry of that message is processed."""
        try:
            with self._translating("forgetting a callback"):
                self._sync().delete(self._key(key))
        except StoreError as exc:
            self._warn("could not forget a callback key; WeCom's retry may be ignored: %s", exc)

    async def aforget(self, key: str) -> None:
        """Async twin of ``forget``."""
        try:
            with self._translating("forgetting a callback"):
                client = await self._async()
                await client.delete(self._key(key))
        except StoreError as exc:
            self._warn("could not forget a callback key; WeCom's retry may be ignored: %s", exc)


def _ms(ttl: float) -> int:
    # PX, not EX: a fractional ttl must not round down to 0 (Redis refuses a zero expiry).
    return max(1, math.ceil(ttl * 1000))
