"""Members: parsing of the documented samples, and every user endpoint against the emulator."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from wecom_contacts import (
    AsyncClient,
    Client,
    Conflict,
    DepartmentUser,
    ExtAttr,
    ExtAttrs,
    ExternalProfile,
    InvalidArgument,
    InviteResult,
    NotFound,
    PermissionDenied,
    User,
    UserBrief,
    UserIdPage,
    UserWrite,
    WechatChannels,
    WeComError,
)
from wecom_contacts.testing import EmulatorControl

# --- documented samples (../shared/wecom-api/users.md, batch.md) ---

USER_GET_SAMPLE: dict[str, Any] = {
    "errcode": 0, "errmsg": "ok", "userid": "zhangsan", "name": "张三",
    "department": [1, 2], "order": [1, 2], "position": "后台工程师",
    "mobile": "13800000000", "gender": "1", "email": "zhangsan@gzdev.com",
    "biz_mail": "zhangsan@qyycs2.wecom.work", "is_leader_in_dept": [1, 0],
    "direct_leader": ["lisi"], "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0",
    "thumb_avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/100", "telephone": "020-123456",
    "alias": "jackzhang", "address": "广州市海珠区新港中路", "open_userid": "xxxxxx",
    "main_department": 1,
    "extattr": {"attrs": [
        {"type": 0, "name": "文本名称", "text": {"value": "文本"}},
        {"type": 1, "name": "网页名称", "web": {"url": "http://www.test.com", "title": "标题"}},
    ]},
    "status": 1,
    "qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx",
    "external_position": "产品经理",
    "external_profile": {
        "external_corp_name": "企业简称",
        "wechat_channels": {"nickname": "视频号名称", "status": 1},
        "external_attr": [
            {"type": 0, "name": "文本名称", "text": {"value": "文本"}},
            {"type": 1, "name": "网页名称",
             "web": {"url": "http://www.test.com", "title": "标题"}},
            {"type": 2, "name": "测试app", "miniprogram": {
                "appid": "wx8bd80126147dFAKE", "pagepath": "/index", "title": "my miniprogram"}},
        ],
    },
}
LIST_ID_SAMPLE: dict[str, Any] = {
    "next_cursor": "aaaaaaaaa",
    "dept_user": [{"userid": "zhangsan", "department": 1}, {"userid": "zhangsan", "department": 2},
                  {"userid": "lisi", "department": 2}],
}


def _without_envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("errcode", "errmsg")}


def test_user_sample_parses_every_documented_field() -> None:
    user = User.from_wire(_without_envelope(USER_GET_SAMPLE))
    assert (user.userid, user.name, user.department, user.order) == ("zhangsan", "张三", [1, 2],
                                                                    [1, 2])
    assert (user.gender, user.status, user.main_department) == ("1", 1, 1)
    assert user.is_leader_in_dept == [1, 0] and user.direct_leader == ["lisi"]
    assert (user.biz_mail, user.telephone, user.alias) == ("zhangsan@qyycs2.wecom.work",
                                                           "020-123456", "jackzhang")
    assert user.address == "广州市海珠区新港中路" and user.open_userid == "xxxxxx"
    assert user.avatar and user.thumb_avatar and user.qr_code
    assert user.external_position == "产品经理"
    assert user.extattr is not None
    text, web = user.extattr.attrs
    assert text.text is not None and text.text.value == "文本"
    assert web.web is not None and (web.web.url, web.web.title) == ("http://www.test.com", "标题")
    profile = user.external_profile
    assert profile is not None and profile.external_corp_name == "企业简称"
    assert profile.wechat_channels == WechatChannels(nickname="视频号名称", status=1)
    mini = profile.external_attr[2].miniprogram
    assert mini is not None and (mini.appid, mini.pagepath) == ("wx8bd80126147dFAKE", "/index")


def test_user_keeps_unknown_fields_and_the_raw_answer() -> None:
    data = {**_without_envelope(USER_GET_SAMPLE), "hire_date": "2024-01-01"}
    user = User.from_wire(data)
    assert user.model_extra == {"hire_date": "2024-01-01"}
    assert user.raw is data
    assert user.to_wire()["hire_date"] == "2024-01-01"


def test_a_changed_copy_answers_with_its_own_wire_form_not_the_original_answer() -> None:
    data = {"userid": "a", "name": "A", "department": [1]}
    moved = User.from_wire(data).model_copy(update={"department": [2]})
    assert moved.raw == moved.to_wire() and moved.raw["department"] == [2]
    assert pickle.loads(pickle.dumps(User.from_wire(data))) == User.from_wire(data)


def test_user_gender_stays_the_wire_string() -> None:
    assert User.from_wire({"userid": "a", "gender": "0"}).gender == "0"


def test_a_model_read_from_wecom_equals_one_built_in_python() -> None:
    read = User.from_wire({"userid": "a", "name": "A", "department": [1]})
    assert read == User(userid="a", name="A", department=[1])
    assert read != User(userid="a", name="B", department=[1])


def test_simplelist_row_parses() -> None:
    row = {"userid": "zhangsan", "name": "张三", "department": [1, 2], "open_userid": "xxxxxx"}
    assert UserBrief.from_wire(row) == UserBrief(userid="zhangsan", name="张三", department=[1, 2],
                                                 open_userid="xxxxxx")


def test_list_id_page_parses_pairs_and_an_empty_cursor_ends_paging() -> None:
    page = UserIdPage.from_wire(LIST_ID_SAMPLE)
    assert page.next_cursor == "aaaaaaaaa"
    assert [(i.userid, i.department) for i in page.items] == [
        ("zhangsan", 1), ("zhangsan", 2), ("lisi", 2)]
    assert UserIdPage.from_wire({"next_cursor": "", "dept_user": []}).next_cursor is None


def test_invite_sample_lists_the_invalid_entries() -> None:
    sample = {"invaliduser": ["UserID1", "UserID2"], "invalidparty": [1, 2], "invalidtag": [1, 2]}
    result = InviteResult.from_wire(sample)
    assert (result.invalid_users, result.invalid_departments, result.invalid_tags) == (
        ["UserID1", "UserID2"], [1, 2], [1, 2])
    assert InviteResult.from_wire({}).invalid_users == []


def test_write_body_holds_only_given_fields_in_wire_form() -> None:
    body = UserWrite.model_validate({
        "userid": "a", "enable": False, "position": "",
        "extattr": ExtAttrs(attrs=[ExtAttr.of_text("工号", "007")]),
        "external_profile": {"external_corp_name": "简称", "future": 1},
    }).body()
    assert body == {
        "userid": "a", "enable": 0, "position": "",
        "extattr": {"attrs": [{"type": 0, "name": "工号", "text": {"value": "007"}}]},
        "external_profile": {"external_corp_name": "简称", "future": 1},
    }


# --- contract tests against the emulator (sync and async through the `api` fixture) ---


_mobiles = itertools.count(1)


def _user(api: Any, userid: str, **fields: Any) -> str:
    """Create a member with the fields given, a department and a fresh mobile by default."""
    fields.setdefault("department", [1])
    if "email" not in fields:
        fields.setdefault("mobile", f"+86 138{next(_mobiles):08d}")
    api.users.create(userid, fields.pop("name", userid.upper()), **fields)
    return userid


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


def _iter_ids(api: Any, **kw: Any) -> Iterator[DepartmentUser]:
    """``iter_ids`` on Client; ``aiter_ids`` stepped through the portal on AsyncClient."""
    if isinstance(api, Client):
        yield from api.users.iter_ids(**kw)
        return
    agen = api.users.aiter_ids(**kw)  # the portal hands the async generator itself back
    while True:
        try:
            yield api._portal.call(agen.__anext__)
        except StopAsyncIteration:
            return


def test_create_then_get_returns_the_member(api: Any) -> None:
    api.users.create("zhangsan", "张三", department=[1], mobile="+86 13800000000",
                     position="工程师", gender="1", to_invite=False)
    user = api.users.get("zhangsan")
    assert (user.userid, user.name, user.department, user.mobile) == (
        "zhangsan", "张三", [1], "+86 13800000000")
    assert (user.position, user.gender, user.main_department) == ("工程师", "1", 1)
    assert user.raw["userid"] == "zhangsan" and "errcode" not in user.raw


def test_fully_populated_user_round_trips_unchanged(api: Any) -> None:
    sales = api.departments.create("Sales", 1)
    _user(api, "boss")
    fields: dict[str, Any] = {
        "alias": "jack", "mobile": "+86 13600000001", "department": [1, sales], "order": [3, 7],
        "position": "后台工程师", "gender": "2", "email": "jack@example.com",
        "biz_mail": "jack@corp.example.com", "telephone": "020-123456",
        "is_leader_in_dept": [0, 1], "direct_leader": ["boss"], "enable": 1,
        "extattr": ExtAttrs(attrs=[
            ExtAttr.of_text("工号", "007"),
            ExtAttr.of_web("主页", "https://example.com/jack", "主页"),
            ExtAttr.of_miniprogram("工具", "wx8bd80126147dFAKE", "/tools", "工具"),
        ]),
        "external_profile": ExternalProfile(
            external_corp_name="简称",
            wechat_channels=WechatChannels(nickname="jack-channel"),
            external_attr=[
                ExtAttr.of_text("职级", "P7"),
                ExtAttr.of_web("博客", "https://blog.example.com", "博客"),
                ExtAttr.of_miniprogram("小程序", "wx8bd80126147dFAKE", "/index", "入口"),
            ],
        ),
        "external_position": "产品经理", "address": "广州市海珠区新港中路",
        "main_department": sales,
    }
    api.users.create("jack", "杰克", to_invite=False, **fields)
    expected = User(userid="jack", name="杰克", **fields)
    got = api.users.get("jack")
    written = set(fields) | {"userid", "name"}
    # wechat_channels.status is set by WeCom, never by the caller.
    exclude: Any = {"external_profile": {"wechat_channels": {"status"}}}
    assert got.model_dump(include=written, exclude=exclude) == expected.model_dump(
        include=written, exclude=exclude)


def test_complex_fields_accept_plain_dicts(api: Any) -> None:
    _user(api, "lisi", extattr={"attrs": [{"type": 0, "name": "工号", "text": {"value": "42"}}]},
          external_profile={"external_attr": [{"type": 0, "name": "职级",
                                               "text": {"value": "P6"}}]})
    user = api.users.get("lisi")
    assert user.extattr == ExtAttrs(attrs=[ExtAttr.of_text("工号", "42")])
    assert user.external_profile is not None
    assert user.external_profile.external_attr == [ExtAttr.of_text("职级", "P6")]


def test_update_changes_only_given_fields(api: Any) -> None:
    _user(api, "wangwu", name="王五", position="工程师", alias="ww", telephone="020-1")
    api.users.update("wangwu", position="经理")
    user = api.users.get("wangwu")
    assert (user.name, user.position, user.alias, user.telephone) == ("王五", "经理", "ww", "020-1")


def test_update_with_empty_string_clears_a_field(api: Any) -> None:
    _user(api, "wangwu", position="工程师")
    api.users.update("wangwu", position="")
    assert api.users.get("wangwu").position == ""


def test_update_replaces_departments_orders_and_leader_flags(api: Any) -> None:
    a = api.departments.create("A", 1)
    b = api.departments.create("B", 1)
    _user(api, "zhaoliu", department=[1])
    api.users.update("zhaoliu", department=[a, b], order=[5, 9], is_leader_in_dept=[1, 0],
                     main_department=b)
    user = api.users.get("zhaoliu")
    assert (user.department, user.order, user.is_leader_in_dept, user.main_department) == (
        [a, b], [5, 9], [1, 0], b)
    assert api.departments.get(a).department_leader == ["zhaoliu"]


def test_new_userid_of_an_api_created_member_is_refused(api: Any) -> None:
    _user(api, "fixed")
    with pytest.raises(WeComError) as info:
        api.users.update("fixed", new_userid="renamed")
    assert getattr(info.value, "errcode", None) == 301036
    assert api.users.get("fixed").userid == "fixed"


def test_new_userid_renames_a_system_generated_member_once(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    # A member who joined by invitation: system-generated userid, activated.
    wecom_emulator.seed({"users": [{"userid": "woAbc123", "name": "Joiner", "department": [1],
                                    "mobile": "13900000077", "system_userid": True,
                                    "status": 1}]})
    api.users.update("woAbc123", new_userid="joiner")
    assert api.users.get("joiner").name == "Joiner"
    with pytest.raises(NotFound):
        api.users.get("woAbc123")
    with pytest.raises(WeComError) as info:
        api.users.update("joiner", new_userid="joiner2")
    assert getattr(info.value, "errcode", None) == 301036


def test_disable_and_enable_flip_enable_and_status(api: Any) -> None:
    _user(api, "sunqi")
    api.users.disable("sunqi")
    user = api.users.get("sunqi")
    assert (user.enable, user.status) == (0, 2)
    api.users.enable("sunqi")
    user = api.users.get("sunqi")
    assert user.enable == 1 and user.status in (1, 4)


def test_delete_removes_the_member(api: Any) -> None:
    _user(api, "gone")
    api.users.delete("gone")
    with pytest.raises(NotFound) as info:
        api.users.get("gone")
    assert info.value.errcode == 60111


def test_delete_of_unknown_member_is_not_found(api: Any) -> None:
    with pytest.raises(NotFound) as info:
        api.users.delete("nobody")
    assert info.value.errcode == 60111


def test_batch_delete_removes_every_member_given(api: Any) -> None:
    for uid in ("a1", "a2", "a3"):
        _user(api, uid)
    api.users.batch_delete(["a1", "a2"])
    assert {u.userid for u in api.users.simple_list(1)} == {"a3"}


def test_batch_delete_with_one_unknown_userid_deletes_nothing(api: Any) -> None:
    _user(api, "keep1")
    _user(api, "keep2")
    with pytest.raises(WeComError) as info:
        api.users.batch_delete(["keep1", "ghost", "keep2"])
    assert getattr(info.value, "errcode", None) in (40031, 60111)
    assert {u.userid for u in api.users.simple_list(1)} == {"keep1", "keep2"}


def test_batch_delete_refuses_a_single_string_before_sending() -> None:
    with Client("ww1", "s", base_url="http://127.0.0.1:9") as client, pytest.raises(TypeError):
        client.users.batch_delete("a|b")


def test_simple_list_and_list_honour_fetch_child(api: Any) -> None:
    child = api.departments.create("Child", 1)
    _user(api, "top", department=[1])
    _user(api, "low", department=[child])
    assert [u.userid for u in api.users.simple_list(1)] == ["top"]
    briefs = {u.userid: u for u in api.users.simple_list(1, fetch_child=True)}
    assert set(briefs) == {"top", "low"} and briefs["low"].department == [child]
    full = {u.userid: u for u in api.users.list(1, fetch_child=True)}
    assert set(full) == {"top", "low"} and isinstance(full["low"], User)
    assert full["low"].main_department == child
    assert [u.userid for u in api.users.list(child)] == ["low"]


def test_list_ids_pages_through_member_department_pairs(api: Any) -> None:
    a = api.departments.create("A", 1)
    for uid in ("p1", "p2", "p3"):
        _user(api, uid, department=[1, a] if uid == "p2" else [1])
    first = api.users.list_ids(limit=2)
    assert isinstance(first, UserIdPage) and len(first.items) == 2 and first.next_cursor
    pairs = [(i.userid, i.department) for i in first.items]
    cursor = first.next_cursor
    while cursor:
        page = api.users.list_ids(cursor=cursor, limit=2)
        pairs += [(i.userid, i.department) for i in page.items]
        cursor = page.next_cursor
    assert sorted(pairs) == sorted([("p1", 1), ("p2", 1), ("p2", a), ("p3", 1)])


def test_list_ids_with_a_bad_cursor_is_refused(api: Any) -> None:
    with pytest.raises(InvalidArgument):
        api.users.list_ids(cursor="not-a-cursor")


def test_iter_ids_follows_cursors_to_the_end(api: Any) -> None:
    for i in range(7):
        _user(api, f"it{i}")
    assert sorted(i.userid for i in _iter_ids(api, page_size=3)) == [f"it{i}" for i in range(7)]


@pytest.mark.slow
def test_iter_ids_yields_each_member_once_while_members_come_and_go(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    """25,000 members, pages of 1,000; members are added and deleted between pages.

    Guarantee pinned: no (userid, department) pair is yielded twice; every member that exists
    for the whole iteration is yielded exactly once; a member deleted or added during the
    iteration is yielded at most once.
    """
    total = 25_000
    # 25 departments of 1,000: the emulator's seed slows down with members per department.
    wecom_emulator.seed({
        "departments": [{"id": 100 + k, "name": f"D{k}", "parentid": 1} for k in range(25)],
        "users": [{"userid": f"u{i:05d}", "name": f"U{i}", "department": [100 + i % 25],
                   "mobile": f"139{i:08d}"} for i in range(total)],
    })
    deleted: set[str] = set()
    added: set[str] = set()
    counts: dict[str, int] = {}
    for n, item in enumerate(_iter_ids(api, page_size=1_000)):
        counts[item.userid] = counts.get(item.userid, 0) + 1
        if n % 1_000 == 500:  # mid-page: the next page is fetched after these changes
            k = n // 1_000
            behind, ahead = f"u{(k * 997) % n:05d}", f"u{min(total - 1, n + 3_000 + k):05d}"
            for uid in {behind, ahead} - deleted:
                api.users.delete(uid)
                deleted.add(uid)
            new = f"new{k:03d}"
            api.users.create(new, new, department=[100], mobile=f"137{k:08d}", to_invite=False)
            added.add(new)
    assert all(c == 1 for c in counts.values()), {u: c for u, c in counts.items() if c > 1}
    everyone = {f"u{i:05d}" for i in range(total)}
    assert everyone - deleted <= set(counts)
    assert set(counts) <= everyone | added
    assert deleted and added


def test_iter_ids_never_yields_a_pair_twice_when_pages_overlap() -> None:
    """A server whose pages overlap (offset paging while members move) cannot cause repeats."""
    pages = {
        "": {"dept_user": [{"userid": "a", "department": 1}, {"userid": "b", "department": 1}],
             "next_cursor": "c1"},
        "c1": {"dept_user": [{"userid": "b", "department": 1}, {"userid": "c", "department": 1}],
               "next_cursor": ""},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={"errcode": 0, "access_token": "t", "expires_in": 7200})
        cursor = json.loads(request.content).get("cursor", "")
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", **pages[cursor]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Client("ww1", "s", base_url="http://wecom.test", http_client=http) as client:
        assert [i.userid for i in client.users.iter_ids(page_size=2)] == ["a", "b", "c"]
    http.close()


def test_convert_between_userid_and_openid(api: Any, wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.seed({"users": [{"userid": "active", "name": "A", "department": [1],
                                    "mobile": "13900000001", "status": 1}]})
    openid = api.users.to_openid("active")
    assert openid and api.users.to_userid(openid) == "active"


def test_to_openid_of_a_member_who_never_activated_is_refused(api: Any) -> None:
    _user(api, "fresh")
    with pytest.raises(WeComError) as info:
        api.users.to_openid("fresh")
    assert getattr(info.value, "errcode", None) == 43004


def test_to_userid_of_an_unknown_openid_is_refused(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        api.users.to_userid("oDjGHs-unknown")
    assert getattr(info.value, "errcode", None) == 40073


def test_auth_succ_confirms_a_joining_member(api: Any) -> None:
    _user(api, "joiner")
    assert api.users.get("joiner").status == 4  # not activated
    assert api.users.auth_succ("joiner") is None
    assert api.users.get("joiner").status == 1
    with pytest.raises(NotFound):
        api.users.auth_succ("nobody")


def test_userid_lookups_by_mobile_and_email(api: Any) -> None:
    _user(api, "lookup", mobile="13912345678", email="me@example.com",
          biz_mail="me@corp.example.com")
    assert api.users.get_userid_by_mobile("13912345678") == "lookup"
    assert api.users.get_userid_by_email("me@corp.example.com") == "lookup"
    assert api.users.get_userid_by_email("me@example.com", email_type=2) == "lookup"


def test_lookups_of_unknown_mobile_or_email_are_not_found(api: Any) -> None:
    with pytest.raises(NotFound) as info:
        api.users.get_userid_by_mobile("13900000000")
    assert info.value.errcode == 46004
    with pytest.raises(NotFound) as info:
        api.users.get_userid_by_email("nobody@example.com", email_type=2)
    assert info.value.errcode == 46004


def test_active_count_takes_a_date_or_an_iso_string(api: Any) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    count = api.users.active_count(yesterday)
    assert isinstance(count, int) and count >= 0
    assert api.users.active_count(yesterday.isoformat()) == count


def test_active_count_refuses_a_malformed_date_before_calling(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    with pytest.raises(ValueError):
        api.users.active_count("27/03/2020")
    assert wecom_emulator.calls("/cgi-bin/user/get_active_stat") == 0


def test_active_count_more_than_30_days_back_is_refused(api: Any) -> None:
    with pytest.raises(InvalidArgument) as info:
        api.users.active_count(dt.date.today() - dt.timedelta(days=40))
    assert info.value.errcode == 40058


def test_list_ids_limit_outside_1_to_10000_is_refused_before_sending(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    # WeCom answers 40058 (tests/emulator/test_user_reads.py); the client says first.
    for limit in (0, 10_001):
        with pytest.raises(ValueError, match="limit must be a page size from 1 to 10000"):
            api.users.list_ids(limit=limit)
    assert wecom_emulator.calls("/cgi-bin/user/list_id") == 0


def test_batch_delete_of_more_than_200_is_refused_before_sending(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    # WeCom answers 40032 (tests/emulator/test_refused_over_limits.py); the client says first.
    with pytest.raises(ValueError, match="userids must be a list of 1-200 userids, not 201"):
        api.users.batch_delete([f"x{i}" for i in range(201)])
    assert wecom_emulator.calls("/cgi-bin/user/batchdelete") == 0


def test_invite_lists_invalid_entries_and_invites_the_rest(api: Any) -> None:
    _user(api, "invitee")
    dept = api.departments.create("Invited", 1)
    tag = api.tags.create("invited")
    result = api.users.invite(users=["invitee", "ghost"], departments=[dept, 98765],
                              tags=[tag, 4321])
    assert isinstance(result, InviteResult)
    assert (result.invalid_users, result.invalid_departments, result.invalid_tags) == (
        ["ghost"], [98765], [4321])
    assert api.users.invite(users=["invitee"]).invalid_users == []


def test_invite_with_nothing_valid_is_refused(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        api.users.invite(users=["ghost"], tags=[4321])
    assert getattr(info.value, "errcode", None) == 82001


# --- documented error paths ---


def test_duplicate_userid_is_a_conflict_regardless_of_case(api: Any) -> None:
    _user(api, "ZhangSan")
    for uid in ("ZhangSan", "zhangsan"):
        with pytest.raises(Conflict) as info:
            api.users.create(uid, "张三", department=[1], email=f"{uid}@example.com")
        assert info.value.errcode == 60102


def test_unknown_department_is_refused(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        api.users.create("lost", "Lost", department=[424242], mobile="13900000042")
    assert getattr(info.value, "errcode", None) in (60123, 40066)


def test_mobile_in_use_is_a_conflict(api: Any) -> None:
    _user(api, "first", mobile="13800000009")
    with pytest.raises(Conflict) as info:
        api.users.create("second", "Second", department=[1], mobile="13800000009")
    assert info.value.errcode == 60104


def test_neither_mobile_nor_email_is_refused(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        api.users.create("nocontact", "No", department=[1])
    assert getattr(info.value, "errcode", None) == 60129


def test_leader_flags_must_match_departments(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        _user(api, "mismatch", department=[1], is_leader_in_dept=[1, 0])
    assert getattr(info.value, "errcode", None) == 60132


def test_writes_with_an_app_secret_are_permission_denied(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    _user(api, "target")
    wecom_emulator.add_secret("hr-app-secret", name="hr-app", visible_departments=[1])
    with _client_with_secret(api, wecom_emulator, "hr-app-secret") as app:
        assert app.users.get("target").userid == "target"  # reads are allowed
        with pytest.raises(PermissionDenied):
            app.users.create("intruder", "I", department=[1], mobile="13900000099")
        with pytest.raises(PermissionDenied):
            app.users.update("target", position="x")
        with pytest.raises(PermissionDenied):
            app.users.delete("target")
        with pytest.raises(PermissionDenied):
            app.users.list_ids()  # contacts-sync secret only
    assert api.users.get("target").position == ""
