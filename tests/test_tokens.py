"""Token stores and token lifetimes (no HTTP)."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from wecom_contacts import MemoryTokenStore, SQLiteTokenStore, Token
from wecom_contacts.tokens import LockTimeout, token_key


def test_key_separates_secrets_of_one_corp_and_hides_the_secret() -> None:
    a, b = token_key("ww1", "sync-secret"), token_key("ww1", "app-secret")
    assert a != b and "ww1" in a
    assert "sync-secret" not in a and "app-secret" not in b
    assert token_key("ww2", "sync-secret") != a


def test_token_refreshes_early_but_never_before_half_life() -> None:
    tok = Token.issued("v", 7200, now=1000, margin=300)
    assert tok.usable(1000 + 6899) and not tok.usable(1000 + 6900)
    short = Token.issued("v", 10, now=0, margin=300)
    assert short.usable(4.9) and not short.usable(5)


def test_token_repr_hides_value() -> None:
    assert "s3cr3t-token" not in repr(Token.issued("s3cr3t-token", 7200, now=0, margin=0))


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_delete_only_if_keeps_a_newer_token(kind: str, tmp_path: Path) -> None:
    store = MemoryTokenStore() if kind == "memory" else SQLiteTokenStore(tmp_path / "t.db")
    store.set("k", Token("new", 10, 5))
    store.delete("k", only_if="old")
    assert store.get("k") == Token("new", 10, 5)
    store.delete("k", only_if="new")
    assert store.get("k") is None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_async_methods_mirror_sync_ones(kind: str, tmp_path: Path) -> None:
    store = MemoryTokenStore() if kind == "memory" else SQLiteTokenStore(tmp_path / "t.db")
    await store.aset("k", Token("v", 10, 5))
    assert (await store.aget("k")) == Token("v", 10, 5)
    await store.adelete("k")
    assert await store.aget("k") is None


def test_sqlite_store_is_shared_between_instances(tmp_path: Path) -> None:
    SQLiteTokenStore(tmp_path / "t.db").set("k", Token("v", 10, 5))
    assert SQLiteTokenStore(tmp_path / "t.db").get("k") == Token("v", 10, 5)


def _hold_lock(path: str, ready: multiprocessing.synchronize.Event) -> None:
    store = SQLiteTokenStore(path)
    with store.lock("k", timeout=5):
        ready.set()
        import time

        time.sleep(60)


def test_sqlite_lock_excludes_others_and_is_freed_when_its_holder_dies(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    SQLiteTokenStore(path)
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(path, ready))
    proc.start()
    try:
        assert ready.wait(30)
        store = SQLiteTokenStore(path)
        with pytest.raises(LockTimeout), store.lock("k", timeout=0.2):
            pass
        proc.kill()
        proc.join(10)
        with store.lock("k", timeout=5):
            pass
    finally:
        proc.kill()


async def test_sqlite_async_lock_waits_for_the_sync_holder(tmp_path: Path) -> None:
    store = SQLiteTokenStore(tmp_path / "t.db")
    order: list[str] = []
    with store.lock("k", timeout=1):
        waiter = asyncio.create_task(_take_async(store, order))
        await asyncio.sleep(0.1)
        order.append("released")
    await waiter
    assert order == ["released", "acquired"]


async def _take_async(store: SQLiteTokenStore, order: list[str]) -> None:
    async with store.alock("k", timeout=5):
        order.append("acquired")


def test_sqlite_lock_excludes_threads_of_one_process_with_their_own_instances(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.db"
    SQLiteTokenStore(path)
    inside: list[int] = []
    overlaps: list[int] = []

    def worker(n: int) -> None:
        store = SQLiteTokenStore(path, poll_interval=0.001)
        for _ in range(20):
            with store.lock("k", timeout=10):
                if inside:
                    overlaps.append(n)
                inside.append(n)
                time.sleep(0.0005)
                inside.pop()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert overlaps == [] and inside == []
