"""De-duplication: MemoryDedupStore semantics and the delivery key."""

from __future__ import annotations

import threading

import pytest

from wecom_contacts.callback import (
    CallbackCrypto,
    DedupStore,
    MemoryDedupStore,
    dedup_key,
    parse_event,
)

from .support import CORP_ID, KEY, TOKEN, sample


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_first_sighting_is_new_and_the_second_is_seen() -> None:
    store = MemoryDedupStore()
    assert store.seen("k", 60) is False
    assert store.seen("k", 60) is True
    assert store.seen("other", 60) is False


def test_keys_expire_after_their_ttl() -> None:
    clock = FakeClock()
    store = MemoryDedupStore(clock=clock)
    store.seen("k", 60)
    clock.now += 59
    assert store.seen("k", 60) is True
    clock.now += 2
    assert store.seen("k", 60) is False
    assert len(store) == 1


def test_expired_keys_are_pruned_as_new_ones_arrive() -> None:
    clock = FakeClock()
    store = MemoryDedupStore(clock=clock)
    for i in range(100):
        store.seen(f"old{i}", 10)
    clock.now += 11
    store.seen("new", 10)
    assert len(store) == 1


def test_the_store_is_bounded_dropping_the_oldest_first() -> None:
    store = MemoryDedupStore(max_entries=3)
    for key in "abcd":
        store.seen(key, 60)
    assert len(store) == 3
    assert store.seen("a", 60) is False  # dropped, so new again
    assert store.seen("d", 60) is True


def test_forget_makes_a_key_new_again() -> None:
    store = MemoryDedupStore()
    store.seen("k", 60)
    store.forget("k")
    store.forget("never-seen")
    assert store.seen("k", 60) is False


async def test_async_twins_share_the_same_state() -> None:
    store = MemoryDedupStore()
    assert await store.aseen("k", 60) is False
    assert store.seen("k", 60) is True
    await store.aforget("k")
    assert await store.aseen("k", 60) is False


def test_exactly_one_of_many_concurrent_callers_sees_a_new_key() -> None:
    store = MemoryDedupStore()
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def race() -> None:
        barrier.wait()
        results.append(store.seen("k", 60))

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] + [True] * 15


def test_memory_store_satisfies_the_protocol() -> None:
    assert isinstance(MemoryDedupStore(), DedupStore)


def test_retries_of_one_message_share_a_key_though_their_ciphertexts_differ() -> None:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
    xml, _ = sample("update_user")
    first, second = crypto.encrypt_message(xml), crypto.encrypt_message(xml)
    assert first.encrypt != second.encrypt
    events = [
        parse_event(crypto.decrypt(m.msg_signature, m.timestamp, m.nonce, m.as_post_body("x")))
        for m in (first, second)
    ]
    assert dedup_key(events[0]) == dedup_key(events[1])


def test_different_changes_to_one_user_in_the_same_second_get_different_keys() -> None:
    # FromUserName + CreateTime (the docs' advice) would merge these: FromUserName is "sys".
    head = ("<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
            "<Event>change_contact</Event><ChangeType>update_user</ChangeType>"
            "<UserID>zhangsan</UserID>")
    name_change = parse_event(head + "<Name>张三丰</Name></xml>")
    mobile_change = parse_event(head + "<Mobile>13900000000</Mobile></xml>")
    assert dedup_key(name_change) != dedup_key(mobile_change)


@pytest.mark.parametrize(
    "variant",
    [
        lambda xml: xml.replace("<![CDATA[zhangsan]]>", "zhangsan"),
        lambda xml: xml.replace("\n  ", ""),
    ],
)
def test_the_key_ignores_serialisation_details(variant: object) -> None:
    xml, _ = sample("delete_user", create_time=1)
    changed = variant(xml)  # type: ignore[operator]
    assert changed != xml
    assert dedup_key(parse_event(xml)) == dedup_key(parse_event(changed))


def test_field_order_does_not_change_the_key() -> None:
    a = parse_event("<xml><CreateTime>1</CreateTime><Event>e</Event><Id>1</Id></xml>")
    b = parse_event("<xml><Id>1</Id><Event>e</Event><CreateTime>1</CreateTime></xml>")
    assert dedup_key(a) == dedup_key(b)


def test_the_key_names_the_corp_and_the_create_time() -> None:
    xml, create_time = sample("delete_party")
    key = dedup_key(parse_event(xml))
    assert key.startswith(f"{CORP_ID}:{create_time}:")
