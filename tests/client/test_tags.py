"""Tags: parsing of the documented samples, and every tag endpoint against the emulator."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from wecom_contacts import (
    AsyncClient,
    Client,
    Conflict,
    InvalidArgument,
    MembershipResult,
    NotFound,
    PermissionDenied,
    Tag,
    TagMember,
    TagMembers,
)
from wecom_contacts.testing import EmulatorControl

# --- documented samples (../shared/wecom-api/tags.md) ---


def test_tag_get_sample_parses_name_members_and_departments() -> None:
    sample = {"tagname": "乒乓球协会", "userlist": [{"userid": "zhangsan", "name": "李四"}],
              "partylist": [2]}
    members = TagMembers.from_wire(sample)
    assert members == TagMembers(
        name="乒乓球协会", users=[TagMember(userid="zhangsan", name="李四")], department_ids=[2])
    assert members.raw["partylist"] == [2]


def test_tag_list_row_accepts_an_id_sent_as_string() -> None:
    # The wechatpy fixture shows "tagid": "1"; the official sample an int.
    assert Tag.from_wire({"tagid": "1", "tagname": "a"}) == Tag(id=1, name="a")


def test_partial_success_splits_the_bar_joined_userids() -> None:
    result = MembershipResult.from_wire({"invalidlist": "usr1|usr2|usr", "invalidparty": [2, 4]})
    assert result.invalid_users == ["usr1", "usr2", "usr"]
    assert result.invalid_departments == [2, 4]
    assert not result.ok
    assert result.to_wire() == {"invalidlist": "usr1|usr2|usr", "invalidparty": [2, 4]}


def test_full_success_has_empty_lists() -> None:
    result = MembershipResult.from_wire({})
    assert (result.invalid_users, result.invalid_departments, result.ok) == ([], [], True)


# --- contract tests against the emulator (sync and async through the `api` fixture) ---

_mobiles = itertools.count(1)


def _users(api: Any, *userids: str) -> None:
    for uid in userids:
        api.users.create(uid, uid.upper(), department=[1], mobile=f"137{next(_mobiles):08d}",
                         to_invite=False)


@contextmanager
def _client_with_secret(api: Any, emu: EmulatorControl, secret: str) -> Iterator[Any]:
    """A client of the same kind as ``api`` (sync, or async through its portal) with ``secret``."""
    if isinstance(api, Client):
        with Client(emu.corp_id, secret, base_url=emu.base_url) as client:
            yield client
        return
    aclient = AsyncClient(emu.corp_id, secret, base_url=emu.base_url)
    try:
        yield type(api)(aclient, api._portal)
    finally:
        api._portal.call(aclient.aclose)


def test_create_returns_an_id_and_list_shows_the_tag(api: Any) -> None:
    tag_id = api.tags.create("UI")
    assert isinstance(tag_id, int)
    assert Tag(id=tag_id, name="UI") in api.tags.list()


def test_create_with_chosen_id_and_next_id_follows_the_maximum(api: Any) -> None:
    assert api.tags.create("design", id=12) == 12
    assert api.tags.create("next") == 13


def test_update_renames_the_tag(api: Any) -> None:
    tag_id = api.tags.create("UI")
    api.tags.update(tag_id, "UI design")
    assert api.tags.get(tag_id).name == "UI design"


def test_delete_removes_the_tag(api: Any) -> None:
    tag_id = api.tags.create("temp")
    api.tags.delete(tag_id)
    assert tag_id not in {t.id for t in api.tags.list()}
    with pytest.raises(NotFound) as info:
        api.tags.get(tag_id)
    assert info.value.errcode == 40068


def test_duplicate_tag_name_is_a_conflict(api: Any) -> None:
    api.tags.create("same")
    with pytest.raises(Conflict) as info:
        api.tags.create("same")
    assert info.value.errcode == 40071


def test_tag_name_over_32_characters_is_refused_before_sending(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    # WeCom answers 40072 (tests/emulator/test_refused_over_limits.py); the client says first.
    with pytest.raises(ValueError, match="name must be a tag name of 1-32 characters, not 33"):
        api.tags.create("标" * 33)
    assert wecom_emulator.calls("/cgi-bin/tag/create") == 0


def test_unknown_tag_is_not_found_on_update_and_delete(api: Any) -> None:
    call: Callable[[], object]
    for call in (lambda: api.tags.update(9999, "x"), lambda: api.tags.delete(9999)):
        with pytest.raises(NotFound) as info:
            call()
        assert info.value.errcode == 40068


def test_add_members_then_get_lists_them(api: Any) -> None:
    _users(api, "zhangsan", "lisi")
    dept = api.departments.create("Ping-pong", 1)
    tag_id = api.tags.create("乒乓球协会")
    result = api.tags.add_members(tag_id, userids=["zhangsan", "lisi"], department_ids=[dept])
    assert result == MembershipResult() and result.ok
    members = api.tags.get(tag_id)
    assert members.name == "乒乓球协会"
    assert {(u.userid, u.name) for u in members.users} == {("zhangsan", "ZHANGSAN"),
                                                           ("lisi", "LISI")}
    assert members.department_ids == [dept]


def test_add_members_partial_success_lists_the_invalid_ones(api: Any) -> None:
    _users(api, "zhangsan")
    tag_id = api.tags.create("partial")
    result = api.tags.add_members(tag_id, userids=["zhangsan", "ghost1", "ghost2"],
                                  department_ids=[1, 4242])
    assert result.invalid_users == ["ghost1", "ghost2"]
    assert result.invalid_departments == [4242]
    members = api.tags.get(tag_id)
    assert [u.userid for u in members.users] == ["zhangsan"] and members.department_ids == [1]


def test_add_members_all_invalid_is_refused_with_40070(api: Any) -> None:
    tag_id = api.tags.create("nobody")
    with pytest.raises(InvalidArgument) as info:
        api.tags.add_members(tag_id, userids=["ghost"], department_ids=[4242])
    assert info.value.errcode == 40070


def test_remove_members_takes_them_out_and_lists_the_invalid_ones(api: Any) -> None:
    _users(api, "zhangsan", "lisi")
    tag_id = api.tags.create("club")
    api.tags.add_members(tag_id, userids=["zhangsan", "lisi"], department_ids=[1])
    result = api.tags.remove_members(tag_id, userids=["zhangsan", "ghost"], department_ids=[4242])
    assert (result.invalid_users, result.invalid_departments) == (["ghost"], [4242])
    members = api.tags.get(tag_id)
    assert [u.userid for u in members.users] == ["lisi"] and members.department_ids == [1]
    assert api.tags.remove_members(tag_id, department_ids=[1]).ok
    assert api.tags.get(tag_id).department_ids == []


def test_remove_members_all_invalid_is_refused_with_40031(api: Any) -> None:
    tag_id = api.tags.create("empty")
    with pytest.raises(InvalidArgument) as info:
        api.tags.remove_members(tag_id, userids=["ghost"])
    assert info.value.errcode == 40031


def test_add_members_with_neither_users_nor_departments_is_refused(api: Any) -> None:
    tag_id = api.tags.create("void")
    with pytest.raises(InvalidArgument) as info:
        api.tags.add_members(tag_id)
    assert info.value.errcode == 40035


def test_membership_calls_refuse_a_bar_joined_string_before_sending() -> None:
    with Client("ww1", "s", base_url="http://127.0.0.1:9") as client, pytest.raises(TypeError):
        client.tags.add_members(1, userids="user1|user2")


def test_tag_writes_with_an_app_secret_are_permission_denied(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    tag_id = api.tags.create("sync-owned")
    wecom_emulator.add_secret("tag-app-secret", name="tag-app", visible_departments=[1])
    with _client_with_secret(api, wecom_emulator, "tag-app-secret") as app:
        assert app.tags.get(tag_id).name == "sync-owned"  # reads are allowed
        call: Callable[[], object]
        for call in (
            lambda: app.tags.update(tag_id, "stolen"),
            lambda: app.tags.delete(tag_id),
            lambda: app.tags.add_members(tag_id, department_ids=[1]),
        ):
            with pytest.raises(PermissionDenied):
                call()
    assert api.tags.get(tag_id).name == "sync-owned"
