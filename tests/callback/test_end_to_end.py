"""A client change on the emulator arrives at the project's ASGI receiver as the typed event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.callback import (
    CreatePartyEvent,
    CreateUserEvent,
    DeletePartyEvent,
    DeleteUserEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
)
from wecom_contacts.emulator import EmulatorConfig
from wecom_contacts.testing import EmulatorControl

from ..emulator.callbacks_support import FAST, KEY, TOKEN, Receiver, serving


@pytest.fixture(scope="module")
def live_receiver() -> Iterator[Receiver]:
    with serving(Receiver(EmulatorConfig().corp_id)) as receiver:
        yield receiver


@pytest.fixture
def receiver(live_receiver: Receiver, wecom_emulator: EmulatorControl) -> Receiver:
    """The contacts-sync callback, echoing the client's own changes so each one arrives."""
    live_receiver.clear()
    wecom_emulator.configure_callback(live_receiver.url, TOKEN, KEY, echo_own_changes=True,
                                      **FAST)
    return live_receiver


def only(receiver: Receiver, control: EmulatorControl, kind: type) -> list[Any]:
    control.flush_callbacks()
    return [e for e in receiver.events if isinstance(e, kind)]


def test_create_user_arrives_with_every_field(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    dept = wecom_client.departments.create("研发", 1)
    wecom_client.users.create("lisi", "李四", department=[1], email="lisi@example.com")
    wecom_client.users.create(
        "zhangsan", "张三", department=[1, dept], is_leader_in_dept=[1, 0], main_department=dept,
        direct_leader=["lisi"], position="产品经理", mobile="13800000000", gender="1",
        email="zhangsan@example.com", alias="san", telephone="020-123456", address="广州市",
        extattr={"attrs": [
            {"type": 0, "name": "爱好", "text": {"value": "旅游"}},
            {"type": 1, "name": "主页", "web": {"url": "https://example.com", "title": "主页"}},
        ]},
    )
    (event,) = [e for e in only(receiver, wecom_emulator, CreateUserEvent)
                if e.user_id == "zhangsan"]
    user = wecom_client.users.get("zhangsan")
    assert (event.name, event.department, event.is_leader_in_dept, event.main_department) == (
        user.name, user.department, user.is_leader_in_dept, user.main_department)
    assert (event.direct_leader, event.position, event.mobile, event.email) == (
        user.direct_leader, user.position, user.mobile, user.email)
    assert (str(event.gender), event.status, event.alias, event.telephone, event.address) == (
        user.gender, user.status, user.alias, user.telephone, user.address)
    assert event.raw["Department"] == f"1,{dept}" and event.to_user_name == wecom_emulator.corp_id
    assert [(a.name, a.type, a.value, a.web_url, a.web_title) for a in event.ext_attr or []] == [
        ("爱好", 0, "旅游", None, None), ("主页", 1, None, "https://example.com", "主页")]


def test_update_user_carries_only_the_changed_fields(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    wecom_client.users.create("wangwu", "王五", department=[1], email="ww@example.com")
    wecom_client.users.update("wangwu", name="王五五", position="工程师")
    (event,) = only(receiver, wecom_emulator, UpdateUserEvent)
    assert (event.user_id, event.name, event.position) == ("wangwu", "王五五", "工程师")
    assert (event.new_user_id, event.department, event.email, event.mobile) == (
        None, None, None, None)


def test_a_rename_arrives_as_new_user_id(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    wecom_emulator.seed({"users": [{"userid": "woAbc123", "name": "Joiner", "department": [1],
                                    "mobile": "13900000077", "system_userid": True}]})
    wecom_client.users.update("woAbc123", new_userid="joiner")
    (event,) = only(receiver, wecom_emulator, UpdateUserEvent)
    assert (event.user_id, event.new_user_id, event.name) == ("woAbc123", "joiner", None)


def test_delete_user_arrives(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    wecom_client.users.create("gone", "Gone", department=[1], email="gone@example.com")
    wecom_client.users.delete("gone")
    (event,) = only(receiver, wecom_emulator, DeleteUserEvent)
    assert event.user_id == "gone" and event.change_type == "delete_user"


def test_department_create_update_delete_arrive_in_order(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    a = wecom_client.departments.create("总部甲", 1, order=7)
    b = wecom_client.departments.create("总部乙", 1)
    wecom_client.departments.update(b, name="总部丙", parent_id=a)
    wecom_client.departments.delete(b)
    wecom_emulator.flush_callbacks()
    events = receiver.events
    assert [type(e) for e in events] == [CreatePartyEvent, CreatePartyEvent, UpdatePartyEvent,
                                         DeletePartyEvent]
    created, _, updated, deleted = events
    assert (created.id, created.name, created.parent_id, created.order) == (a, "总部甲", 1, 7)
    assert (updated.id, updated.name, updated.parent_id) == (b, "总部丙", a)
    assert deleted.id == b


def test_tag_membership_changes_arrive_as_update_tag(
    wecom_client: Client, wecom_emulator: EmulatorControl, receiver: Receiver
) -> None:
    dept = wecom_client.departments.create("组", 1)
    for userid in ("u1", "u2"):
        wecom_client.users.create(userid, userid, department=[1], email=f"{userid}@example.com")
    tag = wecom_client.tags.create("关注")
    wecom_client.tags.add_members(tag, userids=["u1", "u2"], department_ids=[dept])
    wecom_client.tags.remove_members(tag, userids=["u2"], department_ids=[dept])
    added, removed = only(receiver, wecom_emulator, UpdateTagEvent)
    assert (added.tag_id, added.add_user_items, added.add_party_items) == (
        tag, ["u1", "u2"], [dept])
    assert (removed.del_user_items, removed.del_party_items, removed.add_user_items) == (
        ["u2"], [dept], [])


def test_the_clients_own_changes_are_not_echoed_by_default(
    wecom_client: Client, wecom_emulator: EmulatorControl, live_receiver: Receiver
) -> None:
    live_receiver.clear()
    wecom_emulator.configure_callback(live_receiver.url, TOKEN, KEY, **FAST)
    wecom_client.departments.create("自己", 1)
    wecom_emulator.seed({"departments": [{"id": 50, "name": "控制台", "parentid": 1}]})
    wecom_emulator.flush_callbacks()
    assert [(type(e), e.id) for e in live_receiver.events] == [(CreatePartyEvent, 50)]
    outcomes = [(d["event"], d["actor"], d["outcome"]) for d in wecom_emulator.callbacks()]
    assert outcomes == [("create_party", "contacts-sync", "skipped"),
                        ("create_party", "console", "delivered")]
