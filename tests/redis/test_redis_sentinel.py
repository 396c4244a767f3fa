"""The Redis parts on clients from ``Sentinel(...).master_for(...)``, through a failover.

Each test has a master, a replica and a Sentinel of its own. They share the xdist group of
the cluster tests, which leaves the other worker to the single-node tests.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.sentinel import Sentinel

from wecom_contacts.redis import (
    RedisDedupStore,
    RedisRateLimiter,
    RedisTokenStore,
    StoreUnavailable,
)
from wecom_contacts.tokens import LockTimeout, Token

from .conftest import SentinelSet

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis-cluster")]

KEY = "wecom:token:ww-sentinel:0123456789abcdef"

# redis-py leaves its sync Sentinel and the async Sentinel's constructor unannotated:
# their calls here carry `type: ignore[no-untyped-call]`.

async def close_sentinels(sentinel: Sentinel, asentinel: AsyncSentinel) -> None:
    for s in sentinel.sentinels:
        s.close()
    for a in asentinel.sentinels:
        await a.aclose()


def fresh(value: str) -> Token:
    return Token.issued(value, 7200, now=time.time(), margin=300)


async def test_the_stores_work_on_sentinel_master_clients(redis_sentinel: SentinelSet) -> None:
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        [("127.0.0.1", redis_sentinel.port)], socket_timeout=1)
    asentinel = AsyncSentinel(  # type: ignore[no-untyped-call]
        [("127.0.0.1", redis_sentinel.port)], socket_timeout=1)
    client = sentinel.master_for(  # type: ignore[no-untyped-call]
        redis_sentinel.service, socket_timeout=1)
    aclient = asentinel.master_for(redis_sentinel.service, socket_timeout=1)
    try:
        store = RedisTokenStore(client, aclient)
        assert repr(store) == "RedisTokenStore('sentinel://wecom/0')"
        store.set(KEY, fresh("v1"))
        got = await store.aget(KEY)
        assert got is not None and got.value == "v1"
        await store.adelete(KEY, only_if="v1")
        assert store.get(KEY) is None
        with store.lock(KEY, timeout=1):
            with pytest.raises(LockTimeout):
                async with store.alock(KEY, timeout=0.2):
                    pass
        dedup = RedisDedupStore(client, aclient)
        assert dedup.seen("m", 60) is False and await dedup.aseen("m", 60) is True
        limiter = RedisRateLimiter(client, aclient, corp_id="ww", per_minute=600)
        for _ in range(10):
            limiter.acquire("user/get")
        started = time.monotonic()
        await limiter.aacquire("user/get")  # the burst of 10 is spent: paced
        assert time.monotonic() - started > 0.05
    finally:
        client.close()
        await aclient.aclose()
        await close_sentinels(sentinel, asentinel)


async def test_after_a_failover_the_same_stores_write_to_the_new_master(
    redis_sentinel: SentinelSet,
) -> None:
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        [("127.0.0.1", redis_sentinel.port)], socket_timeout=1)
    asentinel = AsyncSentinel(  # type: ignore[no-untyped-call]
        [("127.0.0.1", redis_sentinel.port)], socket_timeout=1)
    old = sentinel.discover_master(redis_sentinel.service)  # type: ignore[no-untyped-call]
    client = sentinel.master_for(  # type: ignore[no-untyped-call]
        redis_sentinel.service, socket_timeout=1)
    aclient = asentinel.master_for(redis_sentinel.service, socket_timeout=1)
    store = RedisTokenStore(client, aclient)
    try:
        store.set(KEY, fresh("before"))
        assert (await store.aget(KEY)) is not None
        redis_sentinel.master.kill()
        redis_sentinel.master.wait()
        # While the Sentinel notices and promotes the replica: StoreUnavailable, nothing else.
        deadline = time.monotonic() + 15
        while True:
            try:
                store.set(KEY, fresh("after"))
                break
            except StoreUnavailable:
                assert time.monotonic() < deadline, "no failover within 15 s"
                await asyncio.sleep(0.1)
        new = sentinel.discover_master(redis_sentinel.service)  # type: ignore[no-untyped-call]
        assert new != old
        got = store.get(KEY)
        assert got is not None and got.value == "after"
        while True:  # the async client finds the new master too
            try:
                got = await store.aget(KEY)
                break
            except StoreUnavailable:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
        assert got is not None and got.value == "after"
        with store.lock(KEY, timeout=1):
            pass
    finally:
        client.close()
        await aclient.aclose()
        await close_sentinels(sentinel, asentinel)
