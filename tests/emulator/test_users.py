"""user/create, update, delete, batchdelete: field rules, uniqueness and their errcodes."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Api, Control, make_department, user_body


def create(api: Api, userid: str, department: list[int] | None = None, **fields: Any) -> int:
    return int(api.post("user/create", user_body(userid, department, **fields))["errcode"])


def test_create_answers_created_and_get_returns_the_member(api: Api) -> None:
    body = user_body(
        "zhangsan",
        name="张三",
        mobile="+86 13800000000",
        gender="1",
        position="工程师",
        telephone="020-123456",
        alias="jack",
        address="广州",
    )
    result = api.post("user/create", body)
    assert (result["errcode"], result["errmsg"]) == (0, "created")
    got = api.ok("GET", "user/get", userid="zhangsan")
    for key, value in body.items():
        assert got[key] == value, key
    assert (got["order"], got["is_leader_in_dept"], got["main_department"]) == ([0], [0], 1)
    assert (got["status"], got["enable"], got["gender"]) == (4, 1, "1")
    assert got["extattr"] == {"attrs": []}


@pytest.mark.parametrize(
    ("userid", "errcode"), [("a b", 40003), ("_x", 40003), ("张三", 40003), ("x" * 65, 40058)]
)
def test_bad_userids_are_refused(api: Api, userid: str, errcode: int) -> None:
    assert create(api, userid, email="someone@example.com") == errcode


def test_userids_may_use_letters_digits_and_four_symbols_up_to_64_bytes(api: Api) -> None:
    assert create(api, "a1_b-c@d.e", email="one@example.com") == 0
    assert create(api, "9" + "x" * 63, email="two@example.com") == 0


def test_missing_userid_is_41009(api: Api) -> None:
    assert (
        api.post("user/create", {"name": "x", "department": [1], "email": "x@example.com"})[
            "errcode"
        ]
        == 41009
    )


def test_userids_are_unique_ignoring_case_and_found_ignoring_case(api: Api) -> None:
    assert create(api, "ZhangSan") == 0
    assert create(api, "zhangsan", email="other@example.com") == 60102
    assert api.ok("GET", "user/get", userid="ZHANGSAN")["userid"] == "ZhangSan"


@pytest.mark.parametrize("name", [None, "", "名" * 65])
def test_names_must_be_1_to_64_characters_60112(api: Api, name: str | None) -> None:
    body = user_body("u1")
    body.pop("name")
    if name is not None:
        body["name"] = name
    assert api.post("user/create", body)["errcode"] == 60112


@pytest.mark.parametrize("mobile", ["call me", "1" * 33, "+86  138", "138+00"])
def test_malformed_mobiles_are_60103(api: Api, mobile: str) -> None:
    assert create(api, "u1", mobile=mobile) == 60103


def test_mobiles_are_unique_with_or_without_the_86_prefix_60104(api: Api) -> None:
    assert create(api, "u1", mobile="+86 13800000000") == 0
    assert create(api, "u2", mobile="13800000000") == 60104
    assert create(api, "u3", mobile="+1 2025550100") == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@b.c", "x" * 60 + "@example.com"])
def test_malformed_emails_are_60105(api: Api, email: str) -> None:
    assert create(api, "u1", email=email) == 60105


def test_emails_are_unique_ignoring_case_60106(api: Api) -> None:
    assert create(api, "u1", email="Zhang@Example.com") == 0
    assert create(api, "u2", email="zhang@example.com") == 60106


def test_mobile_or_email_is_required_60129(api: Api) -> None:
    body = {"userid": "u1", "name": "U", "department": [1]}
    assert api.post("user/create", body)["errcode"] == 60129
    assert api.post("user/create", {**body, "mobile": "13800000000"})["errcode"] == 0


def test_departments_are_required_and_must_be_an_int_array_41019(api: Api) -> None:
    body = {"userid": "u1", "name": "U", "email": "u1@example.com"}
    assert api.post("user/create", body)["errcode"] == 41019
    assert api.post("user/create", {**body, "department": []})["errcode"] == 41019
    wrong_type = api.post("user/create", {**body, "department": "1"})
    assert wrong_type["errcode"] == 41019
    assert wrong_type["errmsg"].endswith("Warning: wrong json format.")


def test_departments_must_exist_and_be_at_most_100_distinct(api: Api) -> None:
    assert create(api, "u1", [1, 99]) == 40066
    assert create(api, "u1", [1, 1]) == 40066
    assert create(api, "u1", list(range(2, 103))) == 60110


def test_main_department_must_be_one_of_department(api: Api) -> None:
    d = make_department(api, "研发")
    assert create(api, "u1", [1, d], main_department=7) == 40066
    assert create(api, "u1", [1, d], main_department=d) == 0
    assert api.ok("GET", "user/get", userid="u1")["main_department"] == d


def test_leader_flags_and_orders_must_match_the_departments(api: Api) -> None:
    d = make_department(api, "研发")
    assert create(api, "u1", [1, d], is_leader_in_dept=[1]) == 60132
    assert create(api, "u1", [1, d], is_leader_in_dept=[1, 2]) == 40058
    assert create(api, "u1", [1, d], order=[1]) == 40058
    assert create(api, "u1", [1, d], order=[1, 2**32]) == 40058
    assert create(api, "u1", [1, d], order=[5, 2**32 - 1], is_leader_in_dept=[0, 1]) == 0
    got = api.ok("GET", "user/get", userid="u1")
    assert (got["order"], got["is_leader_in_dept"]) == ([5, 2**32 - 1], [0, 1])


@pytest.mark.parametrize(
    ("field", "value", "errcode"),
    [
        ("position", "p" * 129, 301012),
        ("telephone", "020 123", 301013),
        ("gender", "3", 40058),
        ("enable", 2, 40058),
        ("alias", "a" * 65, 40058),
        ("address", "a" * 129, 40058),
        ("external_position", "a" * 13, 40058),
        ("direct_leader", ["a", "b", "c", "d", "e", "f"], 40058),
        ("direct_leader", ["ghost"], 60111),
    ],
)
def test_field_rules(api: Api, field: str, value: Any, errcode: int) -> None:
    assert create(api, "u1", **{field: value}) == errcode


def test_gender_is_a_string_and_an_int_counts_as_absent(api: Api) -> None:
    result = api.post("user/create", user_body("u1", gender=1))
    assert result["errcode"] == 0 and result["errmsg"].endswith("Warning: wrong json format.")
    assert api.ok("GET", "user/get", userid="u1")["gender"] == "0"


@pytest.mark.parametrize(
    ("attr", "errcode"),
    [
        ({"type": 0, "name": "爱好", "text": {"value": "x" * 65}}, 90101),
        ({"type": 1, "name": "主页", "web": {"url": "https://a.cn", "title": "t" * 13}}, 90102),
        ({"type": 1, "name": "主页", "web": {"url": "ftp://a.cn", "title": "t"}}, 90103),
        ({"type": 5, "name": "x"}, 90100),
        ({"type": 0, "text": {"value": "x"}}, 40058),
        ("not an object", 40058),
    ],
)
def test_extattr_shape_is_checked(api: Api, attr: object, errcode: int) -> None:
    assert create(api, "u1", extattr={"attrs": [attr]}) == errcode


def test_extattr_is_stored_and_updates_merge_by_name(api: Api, control: Control) -> None:
    text = {"type": 0, "name": "爱好", "text": {"value": "旅游"}}
    web = {"type": 1, "name": "主页", "web": {"url": "https://a.cn", "title": "主页"}}
    assert create(api, "u1", extattr={"attrs": [text, web]}) == 0
    new_text = {"type": 0, "name": "爱好", "text": {"value": "读书"}}
    api.ok("POST", "user/update", {"userid": "u1", "extattr": {"attrs": [new_text]}})
    assert api.ok("GET", "user/get", userid="u1")["extattr"] == {"attrs": [new_text, web]}
    control.config(extattr_names=["爱好"])
    api.ok(
        "POST", "user/update", {"userid": "u1", "extattr": {"attrs": [{**web, "name": "未定义"}]}}
    )
    assert api.ok("GET", "user/get", userid="u1")["extattr"] == {"attrs": [new_text, web]}


def test_external_profile_is_checked_and_returned(api: Api) -> None:
    profile = {
        "external_corp_name": "简称",
        "external_attr": [
            {"type": 0, "name": "t", "text": {"value": "v"}},
            {
                "type": 2,
                "name": "m",
                "miniprogram": {"appid": "wx1", "pagepath": "/i", "title": "t"},
            },
        ],
    }
    assert create(api, "u1", external_profile=profile) == 0
    assert api.ok("GET", "user/get", userid="u1")["external_profile"] == profile
    bad = {"external_attr": [{"type": 0, "name": "t", "text": {"value": "v" * 33}}]}
    assert create(api, "u2", external_profile=bad) == 90101


def test_the_member_quota_is_45024(api: Api, control: Control) -> None:
    control.config(member_quota=1)
    assert create(api, "u1") == 0
    assert create(api, "u2") == 45024


def test_update_changes_only_given_fields(api: Api) -> None:
    create(api, "u1", position="dev", alias="a")
    result = api.post("user/update", {"userid": "u1", "position": "lead"})
    assert (result["errcode"], result["errmsg"]) == (0, "updated")
    got = api.ok("GET", "user/get", userid="u1")
    assert (got["position"], got["alias"], got["email"]) == ("lead", "a", "u1@example.com")


def test_update_of_an_unknown_or_missing_userid(api: Api) -> None:
    assert api.post("user/update", {"userid": "ghost", "name": "x"})["errcode"] == 60111
    assert api.post("user/update", {"name": "x"})["errcode"] == 41009


def test_update_order_counts_only_with_department(api: Api) -> None:
    d = make_department(api, "研发")
    create(api, "u1", [1, d], order=[1, 2], is_leader_in_dept=[0, 1])
    api.ok("POST", "user/update", {"userid": "u1", "order": [9, 9]})
    assert api.ok("GET", "user/get", userid="u1")["order"] == [1, 2]
    api.ok("POST", "user/update", {"userid": "u1", "department": [d], "order": [7]})
    got = api.ok("GET", "user/get", userid="u1")
    # the flag of a department kept in the new list survives
    assert (got["department"], got["order"], got["is_leader_in_dept"]) == ([d], [7], [1])


def test_update_leader_flags_must_match_the_current_departments(api: Api) -> None:
    create(api, "u1", [1])
    assert (
        api.post("user/update", {"userid": "u1", "is_leader_in_dept": [1, 0]})["errcode"] == 60132
    )


def test_update_keeps_uniqueness_rules(api: Api) -> None:
    create(api, "u1", mobile="13800000001", email="u1@example.com")
    create(api, "u2", mobile="13800000002")
    assert api.post("user/update", {"userid": "u2", "mobile": "13800000001"})["errcode"] == 60104
    assert api.post("user/update", {"userid": "u2", "email": "u1@example.com"})["errcode"] == 60106
    assert api.post("user/update", {"userid": "u2", "mobile": ""})["errcode"] == 60129


def test_mobile_changes_of_activated_members_are_ignored_silently(api: Api) -> None:
    create(api, "u1", mobile="13800000001")
    api.ok("GET", "user/authsucc", userid="u1")
    assert api.post("user/update", {"userid": "u1", "mobile": "13900000000"})["errcode"] == 0
    assert api.ok("GET", "user/get", userid="u1")["mobile"] == "13800000001"


def test_enable_0_disables_and_1_restores(api: Api) -> None:
    create(api, "u1", enable=0)
    assert api.ok("GET", "user/get", userid="u1")["status"] == 2
    api.ok("POST", "user/update", {"userid": "u1", "enable": 1})
    assert api.ok("GET", "user/get", userid="u1")["status"] == 4


def test_new_userid_is_refused_for_userids_chosen_by_the_api(api: Api) -> None:
    create(api, "u1")
    assert api.post("user/update", {"userid": "u1", "new_userid": "u9"})["errcode"] == 301036


def test_a_system_generated_userid_may_change_once(api: Api, control: Control) -> None:
    control.seed(users=[{**user_body("wo123"), "system_userid": True}])
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    api.ok("POST", "tag/addtagusers", {"tagid": 1, "userlist": ["wo123"]})
    assert api.post("user/update", {"userid": "wo123", "new_userid": "zhangsan"})["errcode"] == 0
    assert api.get("user/get", userid="wo123")["errcode"] == 60111
    assert api.ok("GET", "user/get", userid="zhangsan")["name"] == "Wo123"
    assert api.ok("GET", "tag/get", tagid=1)["userlist"][0]["userid"] == "zhangsan"
    assert api.post("user/update", {"userid": "zhangsan", "new_userid": "z2"})["errcode"] == 301036
    update = control.get("changes")["changes"][-1]
    assert (update["kind"], update["key"], update["fields"]) == (
        "update_user",
        "wo123",
        {"new_userid": "zhangsan"},
    )


def test_new_userid_policy_once_lets_any_userid_change_once(api: Api, control: Control) -> None:
    control.config(new_userid_policy="once")
    create(api, "u1")
    create(api, "u2")
    assert api.post("user/update", {"userid": "u1", "new_userid": "U2"})["errcode"] == 60102
    assert api.post("user/update", {"userid": "u1", "new_userid": "bad id"})["errcode"] == 40003
    assert api.post("user/update", {"userid": "u1", "new_userid": "u9"})["errcode"] == 0
    assert api.post("user/update", {"userid": "u9", "new_userid": "u8"})["errcode"] == 301036


def test_biz_mail_set_at_creation_cannot_change(api: Api) -> None:
    create(api, "u1", biz_mail="u1@corp.example.com")
    assert (
        api.post("user/update", {"userid": "u1", "biz_mail": "x1@corp.example.com"})["errcode"]
        == 60144
    )
    assert create(api, "u2", biz_mail="U1@corp.example.com") == 60145
    assert create(api, "u3", biz_mail="bad") == 60143


def test_default_biz_mail_is_assigned_and_may_change_once(api: Api, control: Control) -> None:
    control.config(biz_mail_domain="corp.example.com")
    create(api, "u1")
    assert api.ok("GET", "user/get", userid="u1")["biz_mail"] == "u1@corp.example.com"
    assert api.post("user/update", {"userid": "u1", "biz_mail": "u1@other.com"})["errcode"] == 81015
    api.ok("POST", "user/update", {"userid": "u1", "biz_mail": "one@corp.example.com"})
    assert (
        api.post("user/update", {"userid": "u1", "biz_mail": "two@corp.example.com"})["errcode"]
        == 60144
    )


def test_direct_leaders_are_returned_as_userids(api: Api) -> None:
    create(api, "boss")
    create(api, "u1", direct_leader=["BOSS"])
    assert api.ok("GET", "user/get", userid="u1")["direct_leader"] == ["boss"]
    api.ok("GET", "user/delete", userid="boss")
    assert api.ok("GET", "user/get", userid="u1")["direct_leader"] == []


def test_delete_answers_deleted_and_unknown_is_60111(api: Api) -> None:
    create(api, "u1")
    result = api.get("user/delete", userid="u1")
    assert (result["errcode"], result["errmsg"]) == (0, "deleted")
    assert api.get("user/delete", userid="u1")["errcode"] == 60111
    assert api.get("user/delete")["errcode"] == 41009


def test_the_corp_creator_cannot_be_deleted_301005(api: Api, control: Control) -> None:
    control.config(creator_userid="founder")
    create(api, "founder")
    assert api.get("user/delete", userid="founder")["errcode"] == 301005
    assert api.post("user/batchdelete", {"useridlist": ["founder"]})["errcode"] == 301005


def test_batchdelete_deletes_all_or_nothing(api: Api) -> None:
    for u in ("u1", "u2", "u3"):
        create(api, u)
    assert api.post("user/batchdelete", {"useridlist": ["u1", "ghost"]})["errcode"] == 60111
    assert api.get("user/get", userid="u1")["errcode"] == 0
    result = api.post("user/batchdelete", {"useridlist": ["u1", "U2"]})
    assert (result["errcode"], result["errmsg"]) == (0, "deleted")
    remaining = [u["userid"] for u in api.ok("GET", "user/simplelist", department_id=1)["userlist"]]
    assert remaining == ["u3"]


def test_batchdelete_takes_at_most_200_userids_40032(api: Api) -> None:
    userids = [f"u{i}" for i in range(201)]
    assert api.post("user/batchdelete", {"useridlist": userids})["errcode"] == 40032
    assert api.post("user/batchdelete", {"useridlist": []})["errcode"] == 40058


def test_member_changes_are_recorded_with_the_changed_fields(api: Api, control: Control) -> None:
    create(api, "u1", position="dev")
    api.ok("POST", "user/update", {"userid": "u1", "position": "lead", "name": "U1"})
    api.ok("GET", "user/delete", userid="u1")
    kinds = [(c["kind"], c["key"]) for c in control.get("changes")["changes"]]
    assert kinds == [("create_user", "u1"), ("update_user", "u1"), ("delete_user", "u1")]
    assert control.get("changes")["changes"][1]["fields"] == {"position": "lead"}
