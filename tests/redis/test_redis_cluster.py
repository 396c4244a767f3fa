"""The Redis parts on a real Redis Cluster: three masters on loopback, keys spread over them.

The session cluster (``redis_cluster`` in conftest) is shared by every test here, so all of
them run in one xdist group, on one worker. The outage test builds a cluster of its own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack

import pytest
import redis
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.cluster import RedisCluster
from redis.exceptions import ClusterDownError, RedisClusterException

from wecom_contacts import AsyncClient, Client, WeComError
from wecom_contacts.redis import (
    RedisDedupStore,
    RedisRateLimiter,
    RedisTokenStore,
    StoreError,
    StoreUnavailable,
)
from wecom_contacts.redis._base import RedisPart, Script
from wecom_contacts.redis.ratelimit import normalize_path
from wecom_contacts.redis.tokens import hash_tagged
from wecom_contacts.testing import EmulatorControl
from wecom_contacts.tokens import LockTimeout, Token, token_key

from .conftest import RedisClusterNodes, free_port

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis-cluster")]

# redis-py leaves RedisCluster's keyslot, get_node_from_key and get_primaries unannotated:
# their calls here carry `type: ignore[no-untyped-call]`.

SECRET = "cluster-test-secret"
PATH = "department/simplelist"


def fresh(value: str, lifetime: float = 7200) -> Token:
    return Token.issued(value, lifetime, now=time.time(), margin=300)


def stored_token(corp_id: str) -> str:
    """The Redis key a token store writes the token of (corp_id, SECRET) under."""
    return hash_tagged(token_key(corp_id, SECRET))


def rate_key(corp_id: str, path: str, cell: str = "min") -> str:
    return f"wecom:rate:{{{corp_id}:{normalize_path(path)}}}:{cell}"


def one_per_master(raw: RedisCluster, key_of: Callable[[str], str], stem: str) -> dict[int, str]:
    """Names ``<stem>0``, ``<stem>1``, ... chosen so that each master holds the key of one."""
    found: dict[int, str] = {}
    for i in range(1000):
        name = f"{stem}{i}"
        node = raw.get_node_from_key(key_of(name))  # type: ignore[no-untyped-call]
        found.setdefault(node.port, name)
        if len(found) == 3:
            return found
    raise AssertionError("no names found that spread over three masters")


@pytest.fixture
def raw(redis_cluster_url: str) -> Iterator[RedisCluster]:
    """A plain cluster client, to look at what the stores wrote."""
    client = RedisCluster.from_url(redis_cluster_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def store(redis_cluster_url: str) -> Iterator[RedisTokenStore]:
    s = RedisTokenStore.from_url(redis_cluster_url, cluster=True, lock_ttl=2.0)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
async def astore(redis_cluster_url: str) -> AsyncIterator[RedisTokenStore]:
    s = RedisTokenStore.from_url(redis_cluster_url, cluster=True, lock_ttl=2.0)
    try:
        yield s
    finally:
        await s.aclose()


def test_the_cluster_has_three_masters_sharing_the_slots(
    raw: RedisCluster, redis_cluster: RedisClusterNodes
) -> None:
    primaries = raw.get_primaries()  # type: ignore[no-untyped-call]
    assert sorted(n.port for n in primaries) == sorted(redis_cluster.ports)
    for port in redis_cluster.ports:
        info = redis_cluster.info(port)
        assert info["cluster_state"] == "ok" and info["cluster_slots_ok"] == "16384"


# -- tokens --


def test_tokens_are_stored_read_and_deleted_on_every_master(
    store: RedisTokenStore, raw: RedisCluster
) -> None:
    corps = one_per_master(raw, stored_token, "ww-t")
    assert "(cluster)" in repr(store)
    for port, corp in corps.items():
        key = token_key(corp, SECRET)
        store.set(key, fresh(f"tok-{corp}", lifetime=60))
        got = store.get(key)
        assert got is not None and got.value == f"tok-{corp}"
        node = raw.get_node_from_key(stored_token(corp))  # type: ignore[no-untyped-call]
        assert node.port == port
        assert 58_000 < raw.pttl(stored_token(corp)) <= 60_000
    for corp in corps.values():  # compare-and-delete is a script: it runs on the key's master
        key = token_key(corp, SECRET)
        store.delete(key, only_if="someone-elses")
        assert store.get(key) is not None
        store.delete(key, only_if=f"tok-{corp}")
        assert store.get(key) is None
        assert raw.exists(stored_token(corp)) == 0


def test_a_token_and_its_lock_live_in_one_slot_on_one_master(
    store: RedisTokenStore, raw: RedisCluster, redis_cluster: RedisClusterNodes
) -> None:
    corps = one_per_master(raw, stored_token, "ww-s")
    with ExitStack() as locks:
        for corp in corps.values():
            store.set(token_key(corp, SECRET), fresh("v"))
            locks.enter_context(store.lock(token_key(corp, SECRET), timeout=1))
        held: dict[int, list[bytes]] = {}
        for port in redis_cluster.ports:
            with redis_cluster.node(port) as node:
                held[port] = sorted(node.keys("*"))
    for port, corp in corps.items():
        name = stored_token(corp)
        # Each master holds exactly its corp's token and that token's lock, nothing else.
        assert held[port] == [name.encode(), f"{name}:lock".encode()]
        assert raw.keyslot(name) == raw.keyslot(f"{name}:lock")  # type: ignore[no-untyped-call]


def test_the_refresh_lock_excludes_other_stores_and_frees_only_its_own(
    redis_cluster_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = token_key("ww-lock", SECRET)
    slow = RedisTokenStore.from_url(redis_cluster_url, cluster=True, lock_ttl=0.2)
    other = RedisTokenStore.from_url(redis_cluster_url, cluster=True, lock_ttl=5)
    try:
        with other.lock(key, timeout=1):
            with pytest.raises(LockTimeout, match="busy"), slow.lock(key, timeout=0.2):
                pass
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            with slow.lock(key, timeout=1):
                time.sleep(0.3)  # slow's lock expired; the other store takes it
                next_holder = other.lock(key, timeout=1)
                next_holder.__enter__()
            # slow's release (a compare-and-delete script) left the other's lock in force
            with pytest.raises(LockTimeout), slow.lock(key, timeout=0.2):
                pass
            next_holder.__exit__(None, None, None)
        assert "expired before release" in caplog.text
        with slow.lock(key, timeout=0.5):
            pass
    finally:
        slow.close()
        other.close()


async def test_async_methods_work_on_the_cluster_and_share_the_sync_view(
    astore: RedisTokenStore, store: RedisTokenStore
) -> None:
    key = token_key("ww-async", SECRET)
    await astore.aset(key, fresh("from-async"))
    got = store.get(key)
    assert got is not None and got.value == "from-async"
    await astore.adelete(key, only_if="older")
    assert (await astore.aget(key)) is not None
    await astore.adelete(key, only_if="from-async")
    assert (await astore.aget(key)) is None
    try:
        async with astore.alock(key, timeout=1):
            with pytest.raises(LockTimeout):
                async with store.alock(key, timeout=0.2):
                    pass
            with pytest.raises(LockTimeout), store.lock(key, timeout=0.1):
                pass
        async with store.alock(key, timeout=0.5):
            pass
    finally:
        await store.aclose()  # the async client it made for this loop


async def test_given_cluster_clients_are_used_and_left_open(redis_cluster_url: str) -> None:
    client = RedisCluster.from_url(redis_cluster_url)
    aclient = AsyncRedisCluster.from_url(redis_cluster_url)
    try:
        s = RedisTokenStore(client, aclient)
        key = token_key("ww-given", SECRET)
        s.set(key, fresh("given"))
        got = await s.aget(key)
        assert got is not None and got.value == "given"
        port = redis_cluster_url.rsplit(":", 1)[1]
        assert repr(s) == f"RedisTokenStore('redis://127.0.0.1:{port} (cluster)')"
        limiter = RedisRateLimiter(client, aclient, corp_id="ww-given", per_minute=600)
        limiter.acquire(PATH)
        await limiter.aacquire(PATH)
        s.close()
        await s.aclose()
        limiter.close()
        assert client.ping() and await aclient.ping()
    finally:
        client.close()
        await aclient.aclose()


# -- single-flight refresh through the real client --

CLIENTS = 4  # each with its own store, so its own connections: like four processes
CALLS = 12  # concurrent calls through each


def test_threads_of_several_clients_on_a_cold_cluster_fetch_one_token(
    redis_cluster_url: str, raw: RedisCluster, wecom_emulator: EmulatorControl
) -> None:
    emu = wecom_emulator
    stores = [RedisTokenStore.from_url(redis_cluster_url, cluster=True) for _ in range(CLIENTS)]
    clients = [Client(emu.corp_id, emu.secret, base_url=emu.base_url, token_store=s)
               for s in stores]
    errors: list[BaseException] = []

    def one_round() -> None:
        barrier = threading.Barrier(CLIENTS * CALLS)

        def call(client: Client) -> None:
            barrier.wait()
            try:
                client.departments.simple_list()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        threads = [threading.Thread(target=call, args=(c,)) for c in clients
                   for _ in range(CALLS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    try:
        one_round()
        assert errors == []
        assert emu.calls("/cgi-bin/department/simplelist") == CLIENTS * CALLS
        assert emu.calls("/cgi-bin/gettoken") == 1
        assert raw.exists(hash_tagged(token_key(emu.corp_id, emu.secret))) == 1
        # Every call of round two carries a refused token: each client drops it by
        # compare-and-delete, and one of them fetches the next.
        emu.revoke_tokens()
        one_round()
        assert errors == []
        assert emu.calls("/cgi-bin/department/simplelist") >= 2 * CLIENTS * CALLS
        assert emu.calls("/cgi-bin/gettoken") == 2
    finally:
        for c in clients:
            c.close()
        for s in stores:
            s.close()


async def test_tasks_of_several_async_clients_on_a_cold_cluster_fetch_one_token(
    redis_cluster_url: str, wecom_emulator: EmulatorControl
) -> None:
    emu = wecom_emulator
    stores = [RedisTokenStore.from_url(redis_cluster_url, cluster=True) for _ in range(CLIENTS)]
    clients = [AsyncClient(emu.corp_id, emu.secret, base_url=emu.base_url, token_store=s)
               for s in stores]
    try:
        results = await asyncio.gather(
            *(c.departments.simple_list() for c in clients for _ in range(CALLS)),
            return_exceptions=True,
        )
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert emu.calls("/cgi-bin/department/simplelist") == CLIENTS * CALLS
        assert emu.calls("/cgi-bin/gettoken") == 1
    finally:
        for c in clients:
            await c.aclose()
        for s in stores:
            await s.aclose()


# -- rate limiter --


def test_two_limiters_share_one_budget_on_the_cluster(
    redis_cluster_url: str, raw: RedisCluster
) -> None:
    # per_hour makes a second cell: the booking script then takes two keys, which the
    # cluster accepts only because they share a hash tag. 2/min is a burst of 1, then one
    # call a minute: whichever limiter asks second is told to wait about 60 s. The waits are
    # the limiter's bookings (no sleeping), so a busy machine cannot change them: the
    # limiter books paced calls from the start of the burst, not from when they are asked.
    a, b = (RedisRateLimiter.from_url(redis_cluster_url, cluster=True, corp_id="ww-rate",
                                      per_minute=2, per_hour=60) for _ in range(2))
    try:
        assert a._reserve(PATH) == 0.0
        assert b._reserve(PATH) > 30  # the same budget: b waits for a's minute
        minute, hour = rate_key("ww-rate", PATH), rate_key("ww-rate", PATH, "hour")
        assert raw.exists(minute, hour) == 2  # (a multi-key EXISTS too needs one slot)
        assert raw.keyslot(minute) == raw.keyslot(hour)  # type: ignore[no-untyped-call]
    finally:
        a.close()
        b.close()


async def test_paths_on_every_master_have_budgets_of_their_own(
    redis_cluster_url: str, raw: RedisCluster
) -> None:
    paths = list(one_per_master(raw, lambda p: rate_key("ww-paths", p), "user/get-").values())
    # 2/min: a burst of 1 per path, then one call a minute.
    lim = RedisRateLimiter.from_url(redis_cluster_url, cluster=True, corp_id="ww-paths",
                                    per_minute=2)
    try:
        # one burst per path, none waiting on another (one shared budget would make the
        # second and third wait about a minute each); the waits are bookings, not timings
        assert [await lim._areserve(path) for path in paths] == [0.0] * len(paths)
        assert await lim._areserve(paths[-1]) > 30  # that path's burst is spent
    finally:
        await lim.aclose()


# -- dedup --


def test_of_many_receivers_on_the_cluster_exactly_one_claims_a_key(
    redis_cluster_url: str, raw: RedisCluster
) -> None:
    stores = [RedisDedupStore.from_url(redis_cluster_url, cluster=True) for _ in range(8)]
    keys = one_per_master(raw, lambda k: f"wecom:callback:seen:{k}", "ww:1700000000:").values()
    barrier = threading.Barrier(len(stores))
    answers: dict[str, list[bool]] = {k: [] for k in keys}

    def receive(s: RedisDedupStore) -> None:
        barrier.wait()
        for k in keys:
            answers[k].append(s.seen(k, 60))

    threads = [threading.Thread(target=receive, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        for k in keys:
            assert sorted(answers[k]) == [False] + [True] * 7
            assert 0 < raw.pttl(f"wecom:callback:seen:{k}") <= 60_000
        stores[0].forget(next(iter(keys)))
        assert stores[1].seen(next(iter(keys)), 60) is False
    finally:
        for s in stores:
            s.close()


async def test_async_receivers_on_the_cluster_claim_a_key_once(redis_cluster_url: str) -> None:
    s = RedisDedupStore.from_url(redis_cluster_url, cluster=True)
    try:
        both = await asyncio.gather(s.aseen("k", 60), s.aseen("k", 60))
        assert sorted(both) == [False, True]
        await s.aforget("k")
        assert await s.aseen("k", 60) is False
    finally:
        await s.aclose()


# -- errors and outages --


def test_a_script_whose_keys_span_slots_is_refused_as_a_store_error(
    redis_cluster_url: str,
) -> None:
    # Why the hash tags matter: the cluster client refuses a script over two slots. That is
    # our mistake, not an outage, so it must not read as StoreUnavailable.
    part = RedisPart(url=redis_cluster_url, cluster=True)
    script = Script("return #KEYS")
    try:
        with pytest.raises(StoreError) as caught, part._translating("running a script"):
            script.run(part._sync(), ["a", "b"], [])
        assert not isinstance(caught.value, StoreUnavailable)
        assert isinstance(caught.value.__cause__, RedisClusterException)
        with part._translating("running a script"):
            assert script.run(part._sync(), ["{t}a", "{t}b"], []) == 2
    finally:
        part.close()


def test_cluster_urls_are_checked_when_the_store_is_built() -> None:
    with pytest.raises(ValueError, match="redis:// or rediss://"):
        RedisTokenStore.from_url("unix:///run/redis.sock", cluster=True)
    with pytest.raises(ValueError, match="database 0"):
        RedisDedupStore.from_url("redis://127.0.0.1:7000/2", cluster=True)
    with redis.Redis() as client, pytest.raises(ValueError, match="applies to a URL"):
        RedisDedupStore(client, cluster=True)


def test_an_unreachable_cluster_raises_store_unavailable_without_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    url = f"redis://:hunter2@127.0.0.1:{port}"
    store = RedisTokenStore.from_url(url, cluster=True)
    dedup = RedisDedupStore.from_url(url, cluster=True)
    limiter = RedisRateLimiter.from_url(url, cluster=True, corp_id="ww", per_minute=6000)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="reading a token") as caught:
            store.get("k")
        assert time.monotonic() - started < 5
        text = str(caught.value)
        assert isinstance(caught.value, WeComError)
        assert f"redis://127.0.0.1:{port} (cluster)" in text and "cannot be connected" in text
        assert "hunter2" not in text and "hunter2" not in repr(store)
        with pytest.raises(StoreUnavailable), store.lock("k", timeout=1):
            pass
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            assert dedup.seen("k", 60) is False  # fails open
            limiter.acquire(PATH)  # fails open, to the per-process limiter
        assert "failing open" in caplog.text and "hunter2" not in caplog.text
    finally:
        store.close()
        dedup.close()
        limiter.close()


async def test_an_unreachable_cluster_raises_store_unavailable_in_async_calls() -> None:
    store = RedisTokenStore.from_url(f"redis://:hunter2@127.0.0.1:{free_port()}", cluster=True)
    try:
        with pytest.raises(StoreUnavailable, match="storing a token") as caught:
            await store.aset("k", fresh("v"))
        assert "hunter2" not in str(caught.value)
    finally:
        await store.aclose()


async def test_a_dead_master_fails_its_slots_at_once_then_the_whole_cluster(
    doomed_redis_cluster: RedisClusterNodes, caplog: pytest.LogCaptureFixture
) -> None:
    nodes = doomed_redis_cluster
    victim = nodes.ports[2]
    raw = RedisCluster.from_url(nodes.url)
    try:
        corps = one_per_master(raw, stored_token, "ww-d")
        paths = one_per_master(raw, lambda p: rate_key("ww-d", p), "user/get-")
        seen = one_per_master(raw, lambda k: f"wecom:callback:seen:{k}", "msg-")
    finally:
        raw.close()
    dead_key, live_key = token_key(corps[victim], SECRET), token_key(corps[nodes.ports[0]], SECRET)
    store = RedisTokenStore.from_url(nodes.url, cluster=True)
    dedup = RedisDedupStore.from_url(nodes.url, cluster=True)
    strict = RedisRateLimiter.from_url(nodes.url, cluster=True, corp_id="ww-d",
                                       on_unavailable="closed")
    lenient = RedisRateLimiter.from_url(nodes.url, cluster=True, corp_id="ww-d")
    try:
        for key in (dead_key, live_key):
            store.set(key, fresh("v"))
            await store.aset(key, fresh("v"))  # the async client has its slot map too
        strict.acquire(paths[victim])
        lenient.acquire(paths[victim])
        assert dedup.seen(seen[victim], 60) is False

        nodes.procs[2].kill()
        nodes.procs[2].wait()
        started = time.monotonic()
        # At once: the dead master's keys are unavailable, the others still served.
        with pytest.raises(StoreUnavailable, match="reading a token") as caught:
            store.get(dead_key)
        assert str(victim) in str(caught.value) and "hunter2" not in str(caught.value)
        assert store.get(live_key) is not None
        with pytest.raises(StoreUnavailable):
            await store.aget(dead_key)
        with pytest.raises(StoreUnavailable), store.lock(dead_key, timeout=1):
            pass  # an outage is never mistaken for a busy lock
        with pytest.raises(StoreUnavailable, match="booking a call"):
            strict.acquire(paths[victim])
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            lenient.acquire(paths[victim])  # fails open
            assert dedup.seen(seen[victim], 60) is False  # fails open: delivered again
        assert caplog.text.count("failing open") == 2 and "hunter2" not in caplog.text
        assert time.monotonic() - started < 5

        # Then the survivors see the master fail and refuse every key: CLUSTERDOWN.
        nodes.wait_for("fail", nodes.ports[:2])
        with pytest.raises(StoreUnavailable) as caught:
            store.get(live_key)
        assert isinstance(caught.value.__cause__, ClusterDownError)
        # Many callers at once: redis-py's async cluster client answers CLUSTERDOWN by
        # closing all its connections, under the other callers' commands too. Each caller
        # must still get the documented error or policy, not a stray exception.
        reads = await asyncio.gather(*(store.aget(live_key) for _ in range(24)),
                                     return_exceptions=True)
        assert [type(r) for r in reads] == [StoreUnavailable] * 24
        claims = await asyncio.gather(*(dedup.aseen(f"m{i}", 60) for i in range(24)),
                                      return_exceptions=True)
        assert claims == [False] * 24
    finally:
        store.close()
        await store.aclose()
        dedup.close()
        await dedup.aclose()
        strict.close()
        lenient.close()
