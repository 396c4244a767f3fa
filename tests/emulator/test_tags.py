"""tag/*: names, ids, members with partial success, limits and ownership per secret."""

from __future__ import annotations

import httpx
import pytest

from .support import Api, Control, add_app, make_user


def add_users(api: Api, *userids: str) -> None:
    for userid in userids:
        make_user(api, userid)


def test_create_answers_created_with_the_next_id(api: Api) -> None:
    first = api.post("tag/create", {"tagname": "UI"})
    assert (first["errcode"], first["errmsg"], first["tagid"]) == (0, "created", 1)
    api.ok("POST", "tag/create", {"tagname": "后端", "tagid": 12})
    assert api.ok("POST", "tag/create", {"tagname": "QA"})["tagid"] == 13


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({}, 41018),
        ({"tagname": ""}, 40072),
        ({"tagname": "标" * 33}, 40072),
        ({"tagname": "UI"}, 40071),
        ({"tagname": "new", "tagid": 5}, 40068),
        ({"tagname": "new", "tagid": -1}, 40068),
    ],
)
def test_create_errors(api: Api, body: dict[str, object], errcode: int) -> None:
    api.ok("POST", "tag/create", {"tagname": "UI", "tagid": 5})
    assert api.post("tag/create", body)["errcode"] == errcode


def test_the_tag_count_is_capped(api: Api, control: Control) -> None:
    control.config(max_tags=1)
    api.ok("POST", "tag/create", {"tagname": "a"})
    assert api.post("tag/create", {"tagname": "b"})["errcode"] == 81017


def test_update_renames_and_checks_names(api: Api) -> None:
    api.ok("POST", "tag/create", {"tagname": "a", "tagid": 1})
    api.ok("POST", "tag/create", {"tagname": "b", "tagid": 2})
    result = api.post("tag/update", {"tagid": 1, "tagname": "c"})
    assert (result["errcode"], result["errmsg"]) == (0, "updated")
    assert api.post("tag/update", {"tagid": 1, "tagname": "b"})["errcode"] == 40071
    assert api.post("tag/update", {"tagid": 9, "tagname": "x"})["errcode"] == 40068
    assert api.post("tag/update", {"tagname": "x"})["errcode"] == 41017
    assert api.post("tag/update", {"tagid": 1})["errcode"] == 41018


def test_delete_answers_deleted(api: Api) -> None:
    api.ok("POST", "tag/create", {"tagname": "a", "tagid": 1})
    assert api.get("tag/delete", tagid=1) == {"errcode": 0, "errmsg": "deleted"}
    assert api.get("tag/delete", tagid=1)["errcode"] == 40068
    assert api.get("tag/delete")["errcode"] == 41017


def test_list_returns_every_tag(api: Api) -> None:
    api.ok("POST", "tag/create", {"tagname": "b", "tagid": 2})
    api.ok("POST", "tag/create", {"tagname": "a", "tagid": 1})
    assert api.ok("GET", "tag/list")["taglist"] == [
        {"tagid": 1, "tagname": "a"},
        {"tagid": 2, "tagname": "b"},
    ]


def test_adding_valid_members_answers_ok_and_get_lists_them(api: Api) -> None:
    add_users(api, "u1", "u2")
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    body = {"tagid": 1, "userlist": ["u1", "U2"], "partylist": [1]}
    assert api.post("tag/addtagusers", body) == {"errcode": 0, "errmsg": "ok"}
    got = api.ok("GET", "tag/get", tagid=1)
    assert got["tagname"] == "t"
    assert got["userlist"] == [{"userid": "u1", "name": "U1"}, {"userid": "u2", "name": "U2"}]
    assert got["partylist"] == [1]


def test_partial_success_keeps_errcode_0_with_a_string_and_an_int_array(api: Api) -> None:
    add_users(api, "u1")
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    body = {"tagid": 1, "userlist": ["u1", "usr1", "usr2"], "partylist": [1, 2, 4]}
    result = api.post("tag/addtagusers", body)
    assert result == {
        "errcode": 0,
        "errmsg": "ok",
        "invalidlist": "usr1|usr2",
        "invalidparty": [2, 4],
    }
    removed = api.post("tag/deltagusers", body)
    assert removed == {**result, "errmsg": "deleted"}
    assert api.ok("GET", "tag/get", tagid=1)["userlist"] == []


def test_all_invalid_is_40070_for_add_but_40031_for_delete(api: Api) -> None:
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    body = {"tagid": 1, "userlist": ["ghost"], "partylist": [99]}
    added = api.post("tag/addtagusers", body)
    assert added["errcode"] == 40070 and added["errmsg"].startswith("all list invalid ,")
    assert api.post("tag/deltagusers", body)["errcode"] == 40031


@pytest.mark.parametrize(
    ("body", "add_code", "del_code"),
    [
        ({}, 40035, 40035),
        ({"userlist": "u1|u2"}, 40035, 40035),
        ({"userlist": [f"u{i}" for i in range(1001)]}, 81014, 40035),
        ({"partylist": list(range(101))}, 81014, 40035),
    ],
)
def test_member_list_shapes_and_sizes(
    api: Api, body: dict[str, object], add_code: int, del_code: int
) -> None:
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    assert api.post("tag/addtagusers", {"tagid": 1, **body})["errcode"] == add_code
    assert api.post("tag/deltagusers", {"tagid": 1, **body})["errcode"] == del_code


def test_member_changes_need_an_existing_tag(api: Api) -> None:
    assert api.post("tag/addtagusers", {"tagid": 9, "partylist": [1]})["errcode"] == 40068
    assert api.post("tag/addtagusers", {"partylist": [1]})["errcode"] == 41017
    assert api.get("tag/get", tagid=9)["errcode"] == 40068


def test_a_tag_holds_at_most_the_node_limit_81003(api: Api, control: Control) -> None:
    control.config(max_tag_nodes=2)
    add_users(api, "u1", "u2")
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    api.ok("POST", "tag/addtagusers", {"tagid": 1, "userlist": ["u1", "u2"]})
    assert api.post("tag/addtagusers", {"tagid": 1, "partylist": [1]})["errcode"] == 81003
    assert api.post("tag/addtagusers", {"tagid": 1, "userlist": ["u1"]})["errcode"] == 0


def test_tags_belong_to_the_secret_that_created_them(
    api: Api, control: Control, http: httpx.Client
) -> None:
    add_users(api, "u1")
    app = add_app(control, http, "hr", visible_departments=[1])
    app_tag = app.ok("POST", "tag/create", {"tagname": "hr-tag"})["tagid"]
    sync_tag = api.ok("POST", "tag/create", {"tagname": "sync-tag"})["tagid"]
    assert app.ok("POST", "tag/addtagusers", {"tagid": app_tag, "userlist": ["u1"]})
    for tagid, other in ((app_tag, api), (sync_tag, app)):
        assert other.post("tag/update", {"tagid": tagid, "tagname": "x"})["errcode"] == 81011
        assert other.post("tag/addtagusers", {"tagid": tagid, "partylist": [1]})["errcode"] == 81011
        assert other.post("tag/deltagusers", {"tagid": tagid, "partylist": [1]})["errcode"] == 81011
        assert other.get("tag/delete", tagid=tagid)["errcode"] == 81011
    assert {t["tagid"] for t in app.ok("GET", "tag/list")["taglist"]} == {app_tag, sync_tag}


def test_console_tags_are_open_to_contacts_sync_but_not_to_apps(
    api: Api, control: Control, http: httpx.Client
) -> None:
    control.seed(tags=[{"tagid": 1, "tagname": "console"}])
    app = add_app(control, http, "hr", visible_departments=[1])
    assert app.post("tag/update", {"tagid": 1, "tagname": "x"})["errcode"] == 81011
    assert api.post("tag/update", {"tagid": 1, "tagname": "x"})["errcode"] == 0


def test_deleting_users_and_departments_removes_them_from_tags(api: Api) -> None:
    add_users(api, "u1")
    d = api.ok("POST", "department/create", {"name": "研发", "parentid": 1})["id"]
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    api.ok("POST", "tag/addtagusers", {"tagid": 1, "userlist": ["u1"], "partylist": [d]})
    api.ok("GET", "user/delete", userid="u1")
    api.ok("GET", "department/delete", id=d)
    got = api.ok("GET", "tag/get", tagid=1)
    assert (got["userlist"], got["partylist"]) == ([], [])


def test_membership_changes_are_recorded_as_update_tag(api: Api, control: Control) -> None:
    add_users(api, "u1")
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 1})
    api.ok("POST", "tag/addtagusers", {"tagid": 1, "userlist": ["u1"], "partylist": [1]})
    api.ok("POST", "tag/deltagusers", {"tagid": 1, "partylist": [1]})
    tag_changes = [c for c in control.get("changes")["changes"] if c["kind"] == "update_tag"]
    assert [c["fields"] for c in tag_changes] == [
        {
            "add_user_items": ["u1"],
            "del_user_items": [],
            "add_party_items": [1],
            "del_party_items": [],
        },
        {"add_user_items": [], "del_user_items": [], "add_party_items": [], "del_party_items": [1]},
    ]
