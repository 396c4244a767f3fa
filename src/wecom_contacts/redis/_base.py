"""What the Redis parts share: client ownership, safe descriptions, errors, script calls.

Every part works on a single Redis, on a Redis Cluster (``redis.cluster.RedisCluster`` /
``redis.asyncio.cluster.RedisCluster``, or ``from_url(url, cluster=True)``) and on a Sentinel
master (a client from ``Sentinel(...).master_for(name)``). For the cluster, every command and
script the parts send touches one key, or keys sharing a hash tag, so one slot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import redis
import redis.asyncio as aredis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.exceptions import (
    ClusterError,
    NoScriptError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisClusterException,
    RedisError,
    SlotNotCoveredError,
    TryAgainError,
)
from redis.retry import Retry

from ..errors import WeComError

__all__ = [
    "AsyncRedis",
    "RedisPart",
    "StoreError",
    "StoreUnavailable",
    "SyncRedis",
    "describe_url",
    "is_redis_failure",
]

# The clients a part accepts: a single Redis (or a Sentinel master, which is one), or a cluster.
SyncRedis = redis.Redis | RedisCluster
AsyncRedis = aredis.Redis | AsyncRedisCluster

# What redis-py raises. The cluster client's own errors (no node reachable, slot not covered,
# keys in different slots) derive from RedisClusterException, which is not a RedisError.
_REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, RedisClusterException)

log = logging.getLogger("wecom_contacts.redis")

# redis-py's own defaults (5 s timeouts, 10 retries) can stall a caller for many seconds
# before an outage surfaces; these make it surface in about a second. Callers may override
# any of them through from_url(**redis_kwargs).
CLIENT_DEFAULTS: Mapping[str, Any] = {
    "socket_timeout": 2.0,
    "socket_connect_timeout": 2.0,
    "health_check_interval": 30,
}
_RETRIES = 2

# Answers that mean "this Redis cannot serve us right now", as opposed to "we asked wrongly".
_UNAVAILABLE = (
    redis.ConnectionError,  # includes refused, auth failures, loading, no Sentinel master
    redis.TimeoutError,
    ReadOnlyError,  # a replica after a failover
    OutOfMemoryError,
    ClusterError,  # CLUSTERDOWN, MASTERDOWN, redirections exhausted
    TryAgainError,  # a slot being resharded
    SlotNotCoveredError,  # the client knows no node serving the key's slot
)
# The cluster client raises a bare RedisClusterException when its start-up nodes give no
# usable slot map: none reachable (the cause is then the connection error), or not all slots
# served, or nodes disagreeing (a cluster being formed or rebuilt).
_CLUSTER_UNAVAILABLE_TEXT = ("All slots are not covered", "startup_nodes could not agree")


def _dropped_under_us(exc: BaseException) -> bool:
    """An AttributeError from inside redis-py: a connection closed while a command used it.

    redis-py 8.1's async cluster client, on CLUSTERDOWN (and after repeated MOVED), closes
    every connection of the client, including those other tasks are sending on; they then
    fail with ``'NoneType' object has no attribute 'writelines'`` instead of a RedisError.
    """
    if not isinstance(exc, AttributeError) or exc.__traceback__ is None:
        return False
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module == "redis" or module.startswith("redis.")


def is_redis_failure(exc: BaseException) -> bool:
    """True for an error redis-py raised about Redis (not a bug in the caller's code)."""
    return isinstance(exc, _REDIS_ERRORS) or _dropped_under_us(exc)


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _UNAVAILABLE) or _dropped_under_us(exc):
        return True
    if isinstance(exc, RedisClusterException):
        if str(exc).startswith(_CLUSTER_UNAVAILABLE_TEXT):
            return True
        cause = exc.__cause__
        return cause is not None and _unavailable(cause)
    return False


class StoreError(WeComError):
    """Redis answered, but not as expected (wrong key type, script error, ...)."""


class StoreUnavailable(StoreError):
    """Redis could not be reached or cannot serve (refused, timed out, auth, read-only)."""


def describe_url(url: str) -> str:
    """The URL without password or query (which may hold one), fit for logs and errors."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    if not user + host:  # unix:///path: urlunsplit would drop the empty authority
        return f"{parts.scheme}://{parts.path}"
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))


def _url_password(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.password:
        return unquote(parts.password)
    values = parse_qs(parts.query).get("password")
    return values[0] if values else None


def _describe_pool(kwargs: Mapping[str, Any], ssl: bool) -> str:
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    user = f"{kwargs['username']}@" if kwargs.get("username") else ""
    scheme = "rediss" if ssl else "redis"
    host = kwargs.get("host", "localhost")
    return f"{scheme}://{user}{host}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def _describe_cluster(client: RedisCluster | AsyncRedisCluster) -> tuple[str, str | None]:
    # The sync client keeps its connection settings in its nodes manager, the async one on
    # itself; both keep the start-up nodes they were given.
    holder: Any = getattr(client, "nodes_manager", client)
    kwargs: Mapping[str, Any] = getattr(holder, "connection_kwargs", None) or {}
    nodes: Any = getattr(client, "startup_nodes", None) or []
    node: Any = nodes[0] if nodes else client.get_default_node()
    ssl = bool(kwargs.get("ssl")) or "SSL" in getattr(
        kwargs.get("connection_class"), "__name__", ""
    )
    user = f"{kwargs['username']}@" if kwargs.get("username") else ""
    host = getattr(node, "host", "localhost")
    port = getattr(node, "port", 6379)
    where = f"{'rediss' if ssl else 'redis'}://{user}{host}:{port} (cluster)"
    return where, kwargs.get("password")


def _describe_client(client: SyncRedis | AsyncRedis) -> tuple[str, str | None]:
    if isinstance(client, RedisCluster | AsyncRedisCluster):
        return _describe_cluster(client)
    pool = client.connection_pool
    kwargs: Mapping[str, Any] = pool.connection_kwargs
    service = getattr(pool, "service_name", None)
    if isinstance(service, str):  # a Sentinel pool: the master's address changes on failover
        return f"sentinel://{service}/{kwargs.get('db', 0)}", kwargs.get("password")
    ssl = "SSL" in getattr(pool, "connection_class", type(None)).__name__
    return _describe_pool(kwargs, ssl), kwargs.get("password")


def _check_cluster_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(
            f"a Redis Cluster is reached over redis:// or rediss://, not {parts.scheme}://"
        )
    db = parse_qs(parts.query).get("db", [parts.path.strip("/") or "0"])[0]
    if db != "0":
        raise ValueError(f"a Redis Cluster has only database 0, not {db}")


def _client_kwargs(redis_kwargs: Mapping[str, Any], *, for_async: bool) -> dict[str, Any]:
    kwargs = {**CLIENT_DEFAULTS, **redis_kwargs}
    if "retry" not in kwargs:
        # One quick reconnect covers an idle connection the server dropped; more only delay
        # the error when Redis is really down.
        backoff = ExponentialWithJitterBackoff(cap=0.2, base=0.02)
        kwargs["retry"] = AsyncRetry(backoff, _RETRIES) if for_async else Retry(backoff, _RETRIES)
    return kwargs


class RedisPart:
    """Holds a sync client and async clients, closes those it made, and names Redis safely.

    Built from a URL, it makes its sync client on first use and one async client per event
    loop (an asyncio connection belongs to the loop that opened it). Given clients are used
    as they are and left for their owner to close.
    """

    def __init__(
        self,
        client: SyncRedis | None = None,
        async_client: AsyncRedis | None = None,
        *,
        url: str | None = None,
        cluster: bool = False,
        redis_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if client is None and async_client is None and url is None:
            raise ValueError("give a Redis URL (use from_url) or a client / async_client")
        if cluster:
            if url is None:
                raise ValueError(
                    "cluster=True applies to a URL; pass RedisCluster clients as they are"
                )
            _check_cluster_url(url)
        self._client = client
        self._async_client = async_client
        self._url = url
        self.cluster = cluster or isinstance(client, RedisCluster) or isinstance(
            async_client, AsyncRedisCluster
        )
        self._kwargs = dict(redis_kwargs or {})
        self._own_client: SyncRedis | None = None
        self._making = threading.Lock()
        self._loop_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncRedis
        ] = weakref.WeakKeyDictionary()
        if url is not None:
            self.where = describe_url(url) + (" (cluster)" if cluster else "")
            self._password = _url_password(url)
        else:
            given = client if client is not None else async_client
            assert given is not None
            self.where, self._password = _describe_client(given)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.where!r})"

    def _sync(self) -> SyncRedis:
        if self._client is not None:
            return self._client
        if self._url is None:
            raise TypeError(
                f"{type(self).__name__} was given only an async client; use the a* methods, "
                "or pass client= as well"
            )
        with self._making:  # two threads' first calls must not each make (and leak) a pool
            if self._own_client is None:
                kwargs = _client_kwargs(self._kwargs, for_async=False)
                # A cluster client connects here, to learn the slot map: a failure raises
                # now, inside the caller's error translation, and the next call tries again.
                self._own_client = (
                    RedisCluster.from_url(self._url, **kwargs)
                    if self.cluster
                    else redis.Redis.from_url(self._url, **kwargs)
                )
            return self._own_client

    async def _async(self) -> AsyncRedis:
        """The async client for the running loop; for a cluster, with its slot map loaded.

        redis-py's async cluster client sends a command issued before it knows the slot map
        to a random node. Many first commands at once then meet MOVED answers, and after a
        few of those the client drops all its connections, failing the others' commands in
        flight (redis-py 8.1). Loading the map first (once; it is locked) avoids that.
        """
        client = self._async_client if self._async_client is not None else self._own_async()
        if isinstance(client, AsyncRedisCluster) and client.get_default_node() is None:
            await client.initialize()
        return client

    def _own_async(self) -> AsyncRedis:
        if self._url is None:
            raise TypeError(
                f"{type(self).__name__} was given only a sync client; use the sync methods, "
                "or pass async_client= as well"
            )
        loop = asyncio.get_running_loop()
        client = self._loop_clients.get(loop)
        if client is None:
            kwargs = _client_kwargs(self._kwargs, for_async=True)
            client = (
                AsyncRedisCluster.from_url(self._url, **kwargs)
                if self.cluster
                else aredis.Redis.from_url(self._url, **kwargs)
            )
            self._loop_clients[loop] = client
        return client

    def close(self) -> None:
        """Close the sync client this object made (given clients are left open)."""
        with self._making:
            client, self._own_client = self._own_client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the async client this object made for the running loop."""
        client = self._loop_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def _error(self, exc: Exception, doing: str) -> StoreError:
        reason = str(exc) or type(exc).__name__
        if _dropped_under_us(exc):
            reason = f"the client closed the connection under the command ({reason})"
        if self._password:
            reason = reason.replace(self._password, "***")
        if _unavailable(exc):
            return StoreUnavailable(f"Redis at {self.where} is unavailable while {doing}: {reason}")
        return StoreError(f"Redis at {self.where} failed while {doing}: {reason}")

    @contextmanager
    def _translating(self, doing: str) -> Iterator[None]:
        """Turn redis-py's errors into ours, naming the server but never its password."""
        try:
            yield
        except Exception as exc:
            if not is_redis_failure(exc):
                raise
            raise self._error(exc, doing) from exc


class Script:
    """A Lua script sent by digest (EVALSHA) and loaded on the first NOSCRIPT answer.

    On a cluster each master has its own script cache; the NOSCRIPT fallback covers that too.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode("utf-8")).hexdigest()

    def run(self, client: SyncRedis, keys: list[str], args: list[Any]) -> Any:
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)

    async def arun(self, client: AsyncRedis, keys: list[str], args: list[Any]) -> Any:
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await client.eval(self.source, len(keys), *keys, *args)


class WarnEvery:
    """Logs a warning at most once per ``interval`` seconds, so an outage cannot flood logs."""

    def __init__(self, interval: float = 60.0) -> None:
        self.interval = interval
        self._next = 0.0

    def __call__(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.interval
            log.warning(message, *args)
