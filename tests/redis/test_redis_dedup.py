"""RedisDedupStore: callback replay protection shared through Redis, failing open."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from wecom_contacts.callback.replay import DedupStore
from wecom_contacts.redis import RedisDedupStore

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisDedupStore]:
    s = RedisDedupStore.from_url(redis_url)
    try:
        yield s
    finally:
        s.close()


def test_store_satisfies_the_dedup_store_protocol(store: RedisDedupStore) -> None:
    assert isinstance(store, DedupStore)


def test_the_first_delivery_is_new_and_a_repeat_is_seen(store: RedisDedupStore) -> None:
    assert store.seen("ww:1700000000:abc", 60) is False
    assert store.seen("ww:1700000000:abc", 60) is True
    assert store.seen("ww:1700000000:def", 60) is False


def test_a_key_is_new_again_after_its_ttl(
    store: RedisDedupStore, redis_client: redis.Redis
) -> None:
    assert store.seen("k", 0.2) is False
    assert 0 < redis_client.pttl("wecom:callback:seen:k") <= 200
    time.sleep(0.3)
    assert store.seen("k", 0.2) is False


def test_a_forgotten_key_is_processed_on_the_next_retry(store: RedisDedupStore) -> None:
    store.seen("k", 60)
    store.forget("k")
    assert store.seen("k", 60) is False


def test_of_many_concurrent_receivers_exactly_one_sees_a_key_first(redis_url: str) -> None:
    stores = [RedisDedupStore.from_url(redis_url) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    answers: list[bool] = []

    def receive(s: RedisDedupStore) -> None:
        barrier.wait()
        answers.append(s.seen("same-message", 60))

    threads = [threading.Thread(target=receive, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(answers) == [False] + [True] * 7


async def test_async_twins_share_the_sync_view(store: RedisDedupStore) -> None:
    try:
        assert await store.aseen("k", 60) is False
        assert store.seen("k", 60) is True
        await store.aforget("k")
        both = await asyncio.gather(store.aseen("k", 60), store.aseen("k", 60))
        assert sorted(both) == [False, True]
    finally:
        await store.aclose()


def test_unreachable_redis_fails_open_so_the_event_is_delivered(
    dead_redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisDedupStore.from_url(dead_redis_url)
    try:
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            assert store.seen("k", 60) is False
            assert store.seen("k", 60) is False  # a repeat gets through too: no loss
            store.forget("k")  # logged, never raised
        assert "failing open" in caplog.text and "hunter2" not in caplog.text
    finally:
        store.close()


async def test_unreachable_redis_fails_open_for_async_receivers(dead_redis_url: str) -> None:
    store = RedisDedupStore.from_url(dead_redis_url)
    try:
        assert await store.aseen("k", 60) is False
        await store.aforget("k")
    finally:
        await store.aclose()
