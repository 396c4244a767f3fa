"""The /_emulator control namespace: stats, reset, seed, directory, config, secrets, changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import Api, Control, add_app, user_body

DOC: dict[str, Any] = {
    "departments": [
        {"id": 3, "name": "后端", "parentid": 2, "order": 1},  # child before its parent
        {"id": 2, "name": "研发", "name_en": "RD", "parentid": 1, "order": 10},
        {"id": 1, "name": "集团", "parentid": 0},
    ],
    "users": [
        {
            "userid": "zhangsan",
            "name": "张三",
            "department": [2, 3],
            "is_leader_in_dept": [1, 0],
            "mobile": "+86 13800000000",
            "direct_leader": ["lisi"],  # defined later in the document
            "status": 1,
        },
        {"userid": "lisi", "name": "李四", "department": [1], "email": "lisi@example.com"},
    ],
    "tags": [{"tagid": 7, "tagname": "骨干", "userlist": ["zhangsan"], "partylist": [3]}],
}


def test_seed_loads_a_wire_named_document_as_the_console(api: Api, control: Control) -> None:
    assert control.seed(**DOC) == {"seeded": {"departments": 3, "users": 2, "tags": 1}}
    depts = api.ok("GET", "department/list")["department"]
    assert [(d["id"], d["name"], d["parentid"]) for d in depts] == [
        (1, "集团", 0),
        (2, "研发", 1),
        (3, "后端", 2),
    ]
    assert depts[1]["department_leader"] == ["zhangsan"]
    user = api.ok("GET", "user/get", userid="zhangsan")
    assert (user["direct_leader"], user["status"]) == (["lisi"], 1)
    tag = api.ok("GET", "tag/get", tagid=7)
    assert tag["userlist"] == [{"userid": "zhangsan", "name": "张三"}] and tag["partylist"] == [3]
    actors = {c["actor"] for c in control.get("changes")["changes"]}
    assert actors == {"console"}


@pytest.mark.parametrize(
    ("broken", "where", "errcode"),
    [
        ({"users": [*DOC["users"], user_body("bad user")]}, "users[2]", 40003),
        ({"departments": [{"id": 5, "name": "x", "parentid": 42}]}, "departments[0]", 60004),
        ({"tags": [{"tagname": "t", "userlist": ["ghost"]}]}, "tags[0]", 40070),
        ({"users": [*DOC["users"], user_body("b", mobile="call me")]}, "users[2]", 60103),
    ],
)
def test_a_rejected_seed_writes_nothing_and_says_where(
    http: httpx.Client, control: Control, broken: dict[str, Any], where: str, errcode: int
) -> None:
    before = control.get("directory")
    r = http.post("/_emulator/seed", json={**DOC, **broken})
    assert r.status_code == 400
    body = r.json()
    assert (body["where"], body["errcode"]) == (where, errcode)
    assert control.get("directory") == before
    assert control.get("changes")["changes"] == []


@pytest.mark.parametrize("doc", [[], {"people": []}, {"users": {}}, {"users": ["x"]}])
def test_malformed_seed_documents_are_400(http: httpx.Client, control: Control, doc: Any) -> None:
    r = http.post("/_emulator/seed", json=doc)
    assert r.status_code == 400 and "error" in r.json()


def test_seeded_tags_may_be_changed_by_contacts_sync(api: Api, control: Control) -> None:
    control.seed(**DOC)
    assert api.post("tag/update", {"tagid": 7, "tagname": "核心"})["errcode"] == 0


def test_directory_export_seeds_back_to_the_same_directory(control: Control) -> None:
    control.seed(**DOC)
    exported = control.get("directory")
    control.post("reset")
    control.seed(**{k: exported[k] for k in ("departments", "users", "tags")})
    again = control.get("directory")
    for user in exported["users"] + again["users"]:
        user.pop("qr_code")
    assert again == exported


def test_stats_count_every_call_errors_by_code_and_writes(api: Api, control: Control) -> None:
    api.get("department/list")
    api.post("department/create", {"name": "A", "parentid": 1})
    api.post("department/create", {"name": "A", "parentid": 1})
    control.fault(path="/cgi-bin/department/get", errcode=-1)
    api.get("department/get", id=1)
    stats = control.get("stats")
    assert stats["calls"] == {
        "/cgi-bin/gettoken": 1,
        "/cgi-bin/department/list": 1,
        "/cgi-bin/department/create": 2,
        "/cgi-bin/department/get": 1,
    }
    assert stats["errors"] == {"60008": 1, "-1": 1}
    assert stats["writes"] == {"/cgi-bin/department/create": 1}
    assert stats["faults"] == {"errcode": 1}


def test_reset_restores_root_only_and_clears_stats_settings_and_apps(
    api: Api, control: Control, http: httpx.Client
) -> None:
    control.seed(**DOC)
    control.config(dept_name_max_len=32)
    add_app(control, http, "hr")
    api.get("department/list")
    control.post("reset")
    directory = control.get("directory")
    assert [d["id"] for d in directory["departments"]] == [1]
    assert directory["users"] == [] and directory["tags"] == []
    assert control.get("stats") == {"calls": {}, "errors": {}, "writes": {}, "faults": {},
                                       "disconnects": {}}
    assert control.get("config")["dept_name_max_len"] == 64
    assert [s["name"] for s in control.get("secrets")["secrets"]] == ["contacts-sync"]


def test_config_changes_are_checked(http: httpx.Client, control: Control) -> None:
    assert control.config(block_new_ip_detail_reads=True)["block_new_ip_detail_reads"] is True
    assert control.config(rate_limits=[{"seconds": 1, "limit": 5}])["rate_limits"] == [
        {"seconds": 1.0, "limit": 5}
    ]
    for bad in ({"nope": 1}, {"dept_name_max_len": "32"}, {"corp_id": "x"}, {"type_mismatch": "x"}):
        r = http.post("/_emulator/config", json=bad)
        assert r.status_code == 400, bad
    assert "secret" not in control.get("config")


def test_app_secrets_are_listed_without_their_values(http: httpx.Client, control: Control) -> None:
    added = control.post(
        "secrets",
        {"secret": "s3cr3t", "name": "hr", "kind": "app", "visible_departments": [1]},
    )
    assert "secret" not in added["secret"]
    unnamed = control.post("secrets", {"secret": "other", "visible_users": ["u1"]})["secret"]
    assert unnamed["name"].startswith("app-") and "other" not in unnamed["name"]
    listed = control.get("secrets")["secrets"]
    assert {s["name"] for s in listed} == {"contacts-sync", "hr", unnamed["name"]}
    assert "s3cr3t" not in str(listed)
    for bad in (
        {"secret": "x", "name": "hr"},  # name taken
        {"secret": "", "name": "a"},
        {"secret": "y", "name": "b", "kind": "sync"},
        {"secret": "z", "name": "c", "visible_departments": ["1"]},
    ):
        assert http.post("/_emulator/secrets", json=bad).status_code == 400, bad


def test_changes_can_be_read_incrementally(api: Api, control: Control) -> None:
    api.ok("POST", "department/create", {"name": "A", "parentid": 1})
    first = control.get("changes")
    api.ok("POST", "department/create", {"name": "B", "parentid": 1})
    later = control.get("changes", since=first["last_seq"])
    assert [c["fields"]["name"] for c in later["changes"]] == ["B"]
    assert later["last_seq"] > first["last_seq"]


def test_change_sequence_numbers_keep_growing_across_resets(api: Api, control: Control) -> None:
    api.ok("POST", "department/create", {"name": "A", "parentid": 1})
    before = control.get("changes")["last_seq"]
    control.post("reset")
    Api(api.http).ok("POST", "department/create", {"name": "A", "parentid": 1})
    assert control.get("changes")["changes"][0]["seq"] > before


def test_health_names_the_corp(control: Control) -> None:
    assert control.get("health") == {"ok": True, "corp_id": "ww0000000000emulator"}
