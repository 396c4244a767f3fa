"""RedisTokenStore: access tokens shared by every host, with a distributed refresh lock."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from ..tokens.base import LockTimeout, Token
from ._base import AsyncRedis, RedisPart, Script, SyncRedis, is_redis_failure

__all__ = ["RedisTokenStore"]

log = logging.getLogger("wecom_contacts.redis")

# Compare-and-delete of a token: a node that saw an old token refused must not discard the
# newer one another node has stored meanwhile. Entries are JSON {"v", "e", "r"}.
_DELETE_IF_VALUE = Script(
    """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, doc = pcall(cjson.decode, raw)
if ok and type(doc) == 'table' and doc['v'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
)

# Release only our own lock: if it expired and another node took it, leave that one alone.
_UNLOCK = Script(
    """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
)


def encode_token(token: Token) -> str:
    """The stored form of a token (JSON, so the compare-and-delete script can read it)."""
    return json.dumps({"v": token.value, "e": token.expires_at, "r": token.refresh_at})


def decode_token(raw: bytes | str | None) -> Token | None:
    """The token in a stored entry; None for a missing or foreign entry (it gets replaced)."""
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        return Token(value=str(doc["v"]), expires_at=float(doc["e"]), refresh_at=float(doc["r"]))
    except (ValueError, TypeError, KeyError):
        return None


def hash_tagged(key: str) -> str:
    """``key`` with a cluster hash tag around its (corp, secret) part, unless it has a tag.

    ``wecom:token:<corp_id>:<digest>`` becomes ``wecom:token:{<corp_id>:<digest>}``. The lock
    key is this plus ``:lock``, so a token and its lock always share one cluster slot (one
    node): a node outage takes both or neither, and one script could touch both.
    """
    start = key.find("{")
    if start >= 0 and key.find("}", start) > start + 1:  # Redis hashes a non-empty {...}
        return key
    namespace = "wecom:token:"
    if key.startswith(namespace):
        return f"{namespace}{{{key[len(namespace):]}}}"
    return f"{{{key}}}"


def lock_pauses(
    timeout: float, poll: float, *, rand: Callable[[], float] = random.random
) -> Iterator[float]:
    """Pauses between lock attempts: none before the first, then jittered ones to the deadline.

    Jitter keeps the waiting nodes from polling Redis in lockstep.
    """
    deadline = time.monotonic() + timeout
    yield 0.0
    while (left := deadline - time.monotonic()) > 0:
        yield min(left, poll * (0.5 + rand()))


class RedisTokenStore(RedisPart):
    """A token store shared by every process and host that can reach one Redis.

    Each token is stored with a Redis TTL equal to its remaining life, so a dead token never
    lingers. The refresh lock is ``SET NX PX`` with a random owner value: a process that dies
    holding it delays the others by at most ``lock_ttl``. Keys carry a cluster hash tag
    (``wecom:token:{<corp_id>:<digest>}`` and ``...:lock``), so the store works unchanged on
    a Redis Cluster.

    Args:
        client / async_client: redis-py clients to use (you close them): ``redis.Redis``,
            ``redis.cluster.RedisCluster``, a Sentinel ``master_for(...)`` client, and their
            asyncio twins; or build the store with ``from_url``, which makes and owns its
            clients (``cluster=True`` for a Redis Cluster).
        lock_ttl: seconds after which an unreleased refresh lock frees itself. Keep it above
            the time one ``gettoken`` can take (the client's HTTP timeout, 10 s by default),
            or a slow refresh may overlap a second one (harmless, but one more ``gettoken``).
        poll_interval: mean pause between attempts to take a busy lock.
        prefix: prepended to every key, to keep several deployments apart in one database.
        clock: wall-clock seconds, the same clock the tokens' ``expires_at`` is measured on.

    Raises ``StoreUnavailable`` / ``StoreError`` (both ``WeComError``) when Redis fails, and
    ``LockTimeout`` when the lock stays busy past the caller's timeout.
    """

    def __init__(
        self,
        client: SyncRedis | None = None,
        async_client: AsyncRedis | None = None,
        *,
        url: str | None = None,
        cluster: bool = False,
        lock_ttl: float = 10.0,
        poll_interval: float = 0.02,
        prefix: str = "",
        clock: Callable[[], float] = time.time,
        redis_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if lock_ttl <= 0 or poll_interval <= 0:
            raise ValueError("lock_ttl and poll_interval must be positive")
        super().__init__(
            client, async_client, url=url, cluster=cluster, redis_kwargs=redis_kwargs
        )
        self.lock_ttl = lock_ttl
        self._lock_ms = max(1, math.ceil(lock_ttl * 1000))
        self._poll = poll_interval
        self._prefix = prefix
        self._clock = clock

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        cluster: bool = False,
        lock_ttl: float = 10.0,
        poll_interval: float = 0.02,
        prefix: str = "",
        **redis_kwargs: Any,
    ) -> RedisTokenStore:
        """A store on the Redis at ``url`` (``redis://``, ``rediss://`` or ``unix://``).

        With ``cluster=True``, ``url`` names any one node of a Redis Cluster (``redis://`` or
        ``rediss://``, database 0); the others are found from it. Extra keyword arguments go
        to redis-py (``socket_timeout=``, ``ssl_ca_certs=``, ...).
        """
        return cls(
            url=url, cluster=cluster, lock_ttl=lock_ttl, poll_interval=poll_interval,
            prefix=prefix, redis_kwargs=redis_kwargs,
        )

    def _key(self, key: str) -> str:
        return self._prefix + hash_tagged(key)

    def _lock_key(self, key: str) -> str:
        return f"{self._key(key)}:lock"

    def _ttl_ms(self, token: Token) -> int:
        return math.floor((token.expires_at - self._clock()) * 1000)

    def _lock_timeout(self, key: str, timeout: float) -> LockTimeout:
        return LockTimeout(
            f"token refresh lock {self._lock_key(key)!r} on {self.where} busy for {timeout}s"
        )

    def _released(self, key: str, count: int) -> None:
        if not count:
            log.warning(
                "token refresh lock %r had expired before release: the refresh took longer "
                "than lock_ttl=%ss, so another node may have refreshed too",
                self._lock_key(key), self.lock_ttl,
            )

    def _release_failed(self, key: str, exc: Exception) -> None:
        # Not raised: the token is already stored, and the lock frees itself at lock_ttl.
        log.warning(
            "could not release token refresh lock %r on %s (%s); it expires within %ss",
            self._lock_key(key), self.where, self._error(exc, "releasing the lock"),
            self.lock_ttl,
        )

    # -- sync --

    def get(self, key: str) -> Token | None:
        with self._translating("reading a token"):
            raw = self._sync().get(self._key(key))
        return decode_token(raw)

    def set(self, key: str, token: Token) -> None:
        ttl_ms = self._ttl_ms(token)
        with self._translating("storing a token"):
            if ttl_ms > 0:
                self._sync().set(self._key(key), encode_token(token), px=ttl_ms)
            else:
                self._sync().delete(self._key(key))

    def delete(self, key: str, *, only_if: str | None = None) -> None:
        with self._translating("deleting a token"):
            if only_if is None:
                self._sync().delete(self._key(key))
            else:
                _DELETE_IF_VALUE.run(self._sync(), [self._key(key)], [only_if])

    def _try_lock(self, key: str, owner: str) -> bool:
        with self._translating("taking the token refresh lock"):
            return bool(self._sync().set(self._lock_key(key), owner, nx=True, px=self._lock_ms))

    @contextmanager
    def lock(self, key: str, *, timeout: float) -> Iterator[None]:
        """Exclusive across every node sharing this Redis; frees itself after ``lock_ttl``."""
        owner = secrets.token_hex(16)
        for pause in lock_pauses(timeout, self._poll):
            if pause:
                time.sleep(pause)
            if self._try_lock(key, owner):
                break
        else:
            raise self._lock_timeout(key, timeout)
        try:
            yield
        finally:
            try:
                count = _UNLOCK.run(self._sync(), [self._lock_key(key)], [owner])
            except Exception as exc:
                if not is_redis_failure(exc):
                    raise
                self._release_failed(key, exc)
            else:
                self._released(key, int(count))

    # -- async --

    async def aget(self, key: str) -> Token | None:
        with self._translating("reading a token"):
            client = await self._async()
            raw = await client.get(self._key(key))
        return decode_token(raw)

    async def aset(self, key: str, token: Token) -> None:
        ttl_ms = self._ttl_ms(token)
        with self._translating("storing a token"):
            client = await self._async()
            if ttl_ms > 0:
                await client.set(self._key(key), encode_token(token), px=ttl_ms)
            else:
                await client.delete(self._key(key))

    async def adelete(self, key: str, *, only_if: str | None = None) -> None:
        with self._translating("deleting a token"):
            client = await self._async()
            if only_if is None:
                await client.delete(self._key(key))
            else:
                await _DELETE_IF_VALUE.arun(client, [self._key(key)], [only_if])

    async def _atry_lock(self, key: str, owner: str) -> bool:
        with self._translating("taking the token refresh lock"):
            client = await self._async()
            return bool(
                await client.set(self._lock_key(key), owner, nx=True, px=self._lock_ms)
            )

    @asynccontextmanager
    async def alock(self, key: str, *, timeout: float) -> AsyncIterator[None]:
        """The async twin of ``lock``; waiting never blocks the event loop."""
        owner = secrets.token_hex(16)
        for pause in lock_pauses(timeout, self._poll):
            if pause:
                await asyncio.sleep(pause)
            if await self._atry_lock(key, owner):
                break
        else:
            raise self._lock_timeout(key, timeout)
        try:
            yield
        finally:
            try:
                client = await self._async()
                count = await _UNLOCK.arun(client, [self._lock_key(key)], [owner])
            except Exception as exc:
                if not is_redis_failure(exc):
                    raise
                self._release_failed(key, exc)
            else:
                self._released(key, int(count))
