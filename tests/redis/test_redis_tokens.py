"""RedisTokenStore against a real redis-server: storage, compare-and-delete, the refresh lock."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Event

import pytest
import redis
import redis.asyncio as aredis

from wecom_contacts import WeComError
from wecom_contacts.redis import RedisTokenStore, StoreUnavailable
from wecom_contacts.redis.tokens import hash_tagged
from wecom_contacts.tokens import LockTimeout, Token, TokenStore

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]

KEY = "wecom:token:ww-test:0123456789abcdef"
STORED = "wecom:token:{ww-test:0123456789abcdef}"  # KEY as written: with a cluster hash tag


def fresh(value: str, lifetime: float = 7200) -> Token:
    return Token.issued(value, lifetime, now=time.time(), margin=300)


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisTokenStore]:
    s = RedisTokenStore.from_url(redis_url, lock_ttl=2.0)
    try:
        yield s
    finally:
        s.close()


def test_the_public_name_in_tokens_is_this_class() -> None:
    from wecom_contacts import tokens

    assert tokens.RedisTokenStore is RedisTokenStore


def test_store_satisfies_the_token_store_protocol(store: RedisTokenStore) -> None:
    assert isinstance(store, TokenStore)


def test_a_stored_token_reads_back_and_lives_in_redis_as_long_as_the_token(
    store: RedisTokenStore, redis_client: redis.Redis
) -> None:
    token = fresh("tok-1", lifetime=60)
    store.set(KEY, token)
    assert store.get(KEY) == token
    assert 58_000 < redis_client.pttl(STORED) <= 60_000
    raw = redis_client.get(STORED)
    assert isinstance(raw, bytes) and b"tok-1" in raw


def test_a_token_and_its_lock_are_stored_under_one_hash_tag(
    store: RedisTokenStore, redis_client: redis.Redis
) -> None:
    store.set(KEY, fresh("v"))
    with store.lock(KEY, timeout=1):
        names = sorted(redis_client.keys("*"))
    assert names == [STORED.encode(), f"{STORED}:lock".encode()]


@pytest.mark.parametrize(
    ("key", "tagged"),
    [
        ("wecom:token:ww1:abc", "wecom:token:{ww1:abc}"),
        ("other:key", "{other:key}"),
        ("already:{tagged}:key", "already:{tagged}:key"),
        ("empty:{}:tag", "{empty:{}:tag}"),  # Redis ignores an empty {}: wrap it all
    ],
)
def test_hash_tagged_puts_one_tag_in_every_key(key: str, tagged: str) -> None:
    assert hash_tagged(key) == tagged


def test_a_missing_token_reads_as_none(store: RedisTokenStore) -> None:
    assert store.get(KEY) is None


def test_an_already_expired_token_is_not_kept(store: RedisTokenStore) -> None:
    store.set(KEY, fresh("live"))
    store.set(KEY, Token("dead", expires_at=time.time() - 1, refresh_at=time.time() - 2))
    assert store.get(KEY) is None


def test_the_token_expires_with_its_lifetime(store: RedisTokenStore) -> None:
    store.set(KEY, fresh("short", lifetime=0.3))
    assert store.get(KEY) is not None
    time.sleep(0.4)
    assert store.get(KEY) is None


def test_an_entry_written_by_someone_else_reads_as_missing(
    store: RedisTokenStore, redis_client: redis.Redis
) -> None:
    redis_client.set(STORED, b"not json")
    assert store.get(KEY) is None
    store.delete(KEY, only_if="anything")  # must not raise on a foreign entry
    assert redis_client.get(STORED) == b"not json"


def test_delete_only_if_keeps_a_newer_token_another_node_stored(store: RedisTokenStore) -> None:
    store.set(KEY, fresh("new"))
    store.delete(KEY, only_if="old")  # a node that saw "old" refused
    token = store.get(KEY)
    assert token is not None and token.value == "new"


def test_delete_only_if_drops_the_refused_token(store: RedisTokenStore) -> None:
    store.set(KEY, fresh("old"))
    store.delete(KEY, only_if="old")
    assert store.get(KEY) is None


def test_delete_without_condition_drops_any_token(store: RedisTokenStore) -> None:
    store.set(KEY, fresh("v"))
    store.delete(KEY)
    assert store.get(KEY) is None


async def test_async_methods_see_what_sync_ones_wrote_and_back(redis_url: str) -> None:
    store = RedisTokenStore.from_url(redis_url)
    try:
        store.set(KEY, fresh("from-sync"))
        got = await store.aget(KEY)
        assert got is not None and got.value == "from-sync"
        await store.aset(KEY, fresh("from-async"))
        got = store.get(KEY)
        assert got is not None and got.value == "from-async"
        await store.adelete(KEY, only_if="from-sync")
        assert (await store.aget(KEY)) is not None
        await store.adelete(KEY, only_if="from-async")
        assert (await store.aget(KEY)) is None
    finally:
        store.close()
        await store.aclose()


def test_one_store_serves_several_event_loops(redis_url: str) -> None:
    store = RedisTokenStore.from_url(redis_url)

    async def use(value: str) -> str | None:
        try:
            await store.aset(KEY, fresh(value))
            token = await store.aget(KEY)
            return None if token is None else token.value
        finally:
            await store.aclose()

    assert asyncio.run(use("first")) == "first"
    assert asyncio.run(use("second")) == "second"


def test_prefix_keeps_two_deployments_apart(redis_url: str) -> None:
    blue = RedisTokenStore.from_url(redis_url, prefix="blue:")
    green = RedisTokenStore.from_url(redis_url, prefix="green:")
    try:
        blue.set(KEY, fresh("b"))
        assert green.get(KEY) is None
    finally:
        blue.close()
        green.close()


def test_given_clients_are_used_and_left_open(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        store = RedisTokenStore(client)
        store.set(KEY, fresh("v"))
        store.close()
        assert client.ping()
        assert "127.0.0.1" in repr(store)
    finally:
        client.close()


async def test_a_sync_only_store_says_so_when_used_async(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        with pytest.raises(TypeError, match="only a sync client"):
            await RedisTokenStore(client).aget(KEY)
    finally:
        client.close()


async def test_a_given_async_client_serves_the_async_methods(redis_url: str) -> None:
    client = aredis.Redis.from_url(redis_url)
    try:
        store = RedisTokenStore(async_client=client)
        await store.aset(KEY, fresh("v"))
        assert (await store.aget(KEY)) is not None
    finally:
        await client.aclose()


# -- the refresh lock --


def test_lock_excludes_a_second_taker_until_released(store: RedisTokenStore) -> None:
    with store.lock(KEY, timeout=1):
        started = time.monotonic()
        with pytest.raises(LockTimeout, match="busy"), store.lock(KEY, timeout=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    with store.lock(KEY, timeout=0.3):
        pass


def test_lock_serialises_threads_of_several_stores(redis_url: str) -> None:
    inside = 0
    overlaps = 0
    entered = 0
    mutex = threading.Lock()

    def worker() -> None:
        nonlocal inside, overlaps, entered
        s = RedisTokenStore.from_url(redis_url, poll_interval=0.005)
        try:
            for _ in range(5):
                with s.lock(KEY, timeout=10):
                    with mutex:
                        inside += 1
                        entered += 1
                        overlaps += inside > 1
                    time.sleep(0.005)
                    with mutex:
                        inside -= 1
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert entered == 30 and overlaps == 0


async def test_alock_excludes_other_tasks_without_blocking_the_loop(redis_url: str) -> None:
    store = RedisTokenStore.from_url(redis_url, poll_interval=0.005)
    order: list[str] = []
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def holder(name: str) -> None:
        async with store.alock(KEY, timeout=5):
            order.append(f"{name}+")
            await asyncio.sleep(0.2)
            order.append(f"{name}-")

    tick = asyncio.create_task(ticker())
    try:
        await asyncio.gather(holder("a"), holder("b"))
    finally:
        tick.cancel()
        await store.aclose()
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    # the waiter slept and the loop kept running (how many ticks fit depends on the load)
    assert ticks >= 2


async def test_alock_times_out_with_lock_timeout(redis_url: str) -> None:
    store = RedisTokenStore.from_url(redis_url)
    try:
        with store.lock(KEY, timeout=1):
            with pytest.raises(LockTimeout):
                async with store.alock(KEY, timeout=0.2):
                    pass
    finally:
        store.close()
        await store.aclose()


def test_a_holder_past_its_lock_ttl_never_frees_the_next_holders_lock(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    slow = RedisTokenStore.from_url(redis_url, lock_ttl=0.2)
    other = RedisTokenStore.from_url(redis_url, lock_ttl=5)
    try:
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            with slow.lock(KEY, timeout=1):
                time.sleep(0.3)  # our lock expired meanwhile
                next_holder = other.lock(KEY, timeout=1)
                next_holder.__enter__()
            # slow's release ran: the other holder's lock must still be in force
            with pytest.raises(LockTimeout):
                with slow.lock(KEY, timeout=0.2):
                    pass
            next_holder.__exit__(None, None, None)
        assert "expired before release" in caplog.text
    finally:
        slow.close()
        other.close()


def _hold_lock_forever(url: str, lock_ttl: float, ready: Event) -> None:
    store = RedisTokenStore.from_url(url, lock_ttl=lock_ttl)
    with store.lock(KEY, timeout=5):
        ready.set()
        time.sleep(120)


def test_a_killed_lock_holder_is_overtaken_within_the_lock_ttl(redis_url: str) -> None:
    lock_ttl = 2.0
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock_forever, args=(redis_url, lock_ttl, ready))
    proc.start()
    store = RedisTokenStore.from_url(redis_url, lock_ttl=lock_ttl)
    try:
        assert ready.wait(30), "the child never took the lock"
        with pytest.raises(LockTimeout), store.lock(KEY, timeout=0.2):
            pass
        proc.kill()
        proc.join(10)
        killed_at = time.monotonic()
        with store.lock(KEY, timeout=lock_ttl * 3):
            waited = time.monotonic() - killed_at
        assert waited <= lock_ttl + 0.5
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join(10)
        store.close()


# -- Redis unavailable --


def test_unreachable_redis_raises_store_unavailable_naming_it_without_password(
    dead_redis_url: str,
) -> None:
    store = RedisTokenStore.from_url(dead_redis_url)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            store.get(KEY)
        assert time.monotonic() - started < 5  # an outage surfaces quickly, not after minutes
        text = str(caught.value)
        assert isinstance(caught.value, WeComError)
        assert "hunter2" not in text and "hunter2" not in repr(store)
        port = dead_redis_url.rsplit(":", 1)[1].split("/")[0]
        assert f"redis://127.0.0.1:{port}/0" in text and "reading a token" in text
        with pytest.raises(StoreUnavailable), store.lock(KEY, timeout=1):
            pass
    finally:
        store.close()


async def test_unreachable_redis_raises_store_unavailable_in_async_calls(
    dead_redis_url: str,
) -> None:
    store = RedisTokenStore.from_url(dead_redis_url)
    try:
        with pytest.raises(StoreUnavailable, match="storing a token") as caught:
            await store.aset(KEY, fresh("v"))
        assert "hunter2" not in str(caught.value)
        with pytest.raises(StoreUnavailable):
            async with store.alock(KEY, timeout=1):
                pass
    finally:
        await store.aclose()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:hunter2@127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://app:hunter2@cache.internal:6380/2", "rediss://app@cache.internal:6380/2"),
        ("unix:///run/redis.sock?db=1&password=hunter2", "unix:///run/redis.sock"),
    ],
)
def test_a_store_names_its_redis_without_the_password(url: str, shown: str) -> None:
    store = RedisTokenStore.from_url(url)
    assert repr(store) == f"RedisTokenStore({shown!r})"


def test_a_store_on_a_given_client_names_it_without_the_password() -> None:
    client = redis.Redis(host="127.0.0.1", port=6390, db=3, password="hunter2")
    try:
        assert repr(RedisTokenStore(client)) == "RedisTokenStore('redis://127.0.0.1:6390/3')"
    finally:
        client.close()
