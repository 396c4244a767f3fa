"""Delivery of outgoing callbacks: retries, slow receivers, ordering, flush, the delivery log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wecom_contacts.callback import CreatePartyEvent

from .callbacks_support import FAST, KEY, TOKEN, Receiver, serving
from .support import CORP_ID, Api, Control, make_department


@pytest.fixture(scope="module")
def live_receiver() -> Iterator[Receiver]:
    with serving(Receiver(CORP_ID)) as receiver:
        yield receiver


@pytest.fixture
def receiver(live_receiver: Receiver, control: Control) -> Receiver:
    live_receiver.clear()
    return live_receiver


def configure(control: Control, receiver: Receiver, **options: Any) -> dict[str, Any]:
    body = {"url": receiver.url, "token": TOKEN, "encoding_aes_key": KEY, **FAST, **options}
    answer: dict[str, Any] = control.post("callback", body)["callback"]
    return answer


def deliveries(control: Control, **query: Any) -> list[dict[str, Any]]:
    return list(control.get("callbacks", **query)["deliveries"])


def seed_departments(control: Control, *names: str) -> None:
    """Console changes (delivered to the contacts-sync callback), ids 10, 11, ..."""
    depts = [{"id": 10 + i, "name": n, "parentid": 1} for i, n in enumerate(names)]
    control.seed(departments=depts)


def wait_until(condition: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def flush(control: Control, timeout: float = 10) -> dict[str, Any]:
    return control.post("callbacks/flush", {"timeout": timeout})


def test_a_failing_receiver_gets_the_event_again_until_it_answers_200(
    control: Control, receiver: Receiver
) -> None:
    configure(control, receiver)
    receiver.fail(2)
    seed_departments(control, "甲")
    assert flush(control) == {"flushed": True, "pending": 0}
    assert receiver.posts == ["500", "500", "ok"]
    assert [e.id for e in receiver.events] == [10]
    (d,) = deliveries(control)
    assert (d["outcome"], d["attempts"], d["status"], d["error"]) == (
        "delivered", 3, 200, "HTTP 500")
    assert d["first_attempt_at"] < d["last_attempt_at"] == d["finished_at"]


def test_retries_end_after_the_first_attempt_and_three_more_by_default(
    control: Control, receiver: Receiver
) -> None:
    control.config(callback_retry_interval=0.01)
    configure(control, receiver, retry_interval=None)
    receiver.fail(10)
    seed_departments(control, "甲")
    flush(control)
    (d,) = deliveries(control)
    assert (d["outcome"], d["attempts"], d["status"], d["error"]) == ("failed", 4, 500, "HTTP 500")
    assert receiver.posts == ["500"] * 4 and receiver.events == []


def test_a_slow_receiver_times_out_and_is_retried_with_the_same_create_time(
    control: Control, receiver: Receiver
) -> None:
    configure(control, receiver, timeout=0.3)
    receiver.stall(1.0)
    seed_departments(control, "甲")
    flush(control)
    (d,) = deliveries(control)
    assert (d["outcome"], d["attempts"], d["error"]) == ("delivered", 2, "no answer within 0.3 s")
    assert receiver.posts == ["stall", "ok"]
    # the stalled POST was still handled; its retry was recognised as a duplicate
    receiver.wait_answered(2)
    assert len(receiver.events) == 1
    assert receiver.events[0].create_time == d["create_time"]


def test_events_arrive_in_change_order_after_a_failure(
    control: Control, receiver: Receiver
) -> None:
    configure(control, receiver, retries=2)
    receiver.fail(3)
    control.seed(departments=[{"id": 20, "name": "甲", "parentid": 1}])
    control.seed(departments=[{"id": 21, "name": "乙", "parentid": 1},
                              {"id": 22, "name": "丙", "parentid": 21}])
    flush(control)
    log = deliveries(control)
    assert [(d["key"], d["outcome"], d["attempts"]) for d in log] == [
        ("20", "failed", 3), ("21", "delivered", 1), ("22", "delivered", 1)]
    assert log[0]["finished_at"] <= log[1]["first_attempt_at"] <= log[2]["first_attempt_at"]
    assert [e.id for e in receiver.events] == [21, 22]


def test_many_changes_arrive_in_sequence(api: Api, control: Control, receiver: Receiver) -> None:
    configure(control, receiver, echo_own_changes=True)
    ids = [make_department(api, f"部门{i}") for i in range(30)]
    flush(control)
    assert [e.id for e in receiver.events] == ids
    assert all(isinstance(e, CreatePartyEvent) for e in receiver.events)


def test_flush_reports_pending_deliveries_when_it_times_out(
    control: Control, receiver: Receiver
) -> None:
    configure(control, receiver, timeout=5)
    receiver.stall(0.5)
    seed_departments(control, "甲")
    wait_until(lambda: receiver.posts == ["stall"])
    assert flush(control, timeout=0.05) == {"flushed": False, "pending": 1}
    assert flush(control) == {"flushed": True, "pending": 0}


def test_an_unreachable_receiver_is_reported_as_a_connection_error(control: Control) -> None:
    control.post("callback", {"url": "http://127.0.0.1:9/nothing", "token": TOKEN,
                              "encoding_aes_key": KEY, "retries": 1, "retry_interval": 0})
    seed_departments(control, "甲")
    flush(control)
    (d,) = deliveries(control)
    assert (d["outcome"], d["attempts"], d["status"]) == ("failed", 2, None)
    assert d["error"].startswith("ConnectError")


def test_removing_a_callback_cancels_what_it_had_not_delivered(
    control: Control, receiver: Receiver, http: httpx.Client
) -> None:
    configure(control, receiver, timeout=5)
    receiver.stall(0.5)
    control.seed(departments=[{"id": 30, "name": "甲", "parentid": 1},
                              {"id": 31, "name": "乙", "parentid": 1}])
    wait_until(lambda: receiver.posts == ["stall"])  # event 30 is in flight
    assert http.delete("/_emulator/callback").json() == {"removed": 1}
    seed_departments(control, "丙")
    assert flush(control)["flushed"]
    # the stalled POST still completes, and the log says so
    wait_until(lambda: {d["key"]: d["outcome"] for d in deliveries(control)} == {
        "30": "delivered", "31": "cancelled"})
    assert control.get("callbacks")["callbacks"] == []


def test_reset_removes_callbacks_and_their_log(control: Control, receiver: Receiver) -> None:
    configure(control, receiver)
    seed_departments(control, "甲")
    flush(control)
    control.post("reset")
    seed_departments(control, "乙")
    flush(control)
    assert control.get("callbacks") == {"callbacks": [], "deliveries": []}
    assert [e.id for e in receiver.events] == [10]


def test_the_delivery_log_filters_by_outcome_and_since(
    control: Control, receiver: Receiver, api: Api
) -> None:
    configure(control, receiver)
    make_department(api, "自己的")  # the contacts-sync secret's own change: skipped
    seed_departments(control, "甲")
    flush(control)
    skipped, delivered = deliveries(control)
    assert (skipped["outcome"], skipped["reason"]) == (
        "skipped", "made through the API by contacts-sync itself")
    assert deliveries(control, outcome="delivered") == [delivered]
    assert deliveries(control, since=skipped["id"]) == [delivered]
    assert delivered["xml"].startswith("<xml><ToUserName>") and delivered["secret"] == (
        "contacts-sync")
