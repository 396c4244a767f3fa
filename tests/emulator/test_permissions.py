"""Per-secret permissions: app scopes, sensitive fields, sync-only APIs, 48009 for new IPs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import Api, Control, add_app, user_body

SENSITIVE = {
    "avatar",
    "thumb_avatar",
    "gender",
    "mobile",
    "email",
    "biz_mail",
    "qr_code",
    "address",
}


@pytest.fixture
def corp(api: Api) -> dict[str, int]:
    """root ─ sales(2) ─ east(3); root ─ rd(4); members in each."""
    ids: dict[str, int] = {}
    for name, parent in (("sales", 1), ("east", "sales"), ("rd", 1)):
        parentid = parent if isinstance(parent, int) else ids[parent]
        ids[name] = api.ok("POST", "department/create", {"name": name, "parentid": parentid})["id"]
    api.ok(
        "POST",
        "user/create",
        user_body("seller", [ids["sales"], ids["rd"]], is_leader_in_dept=[1, 1]),
    )
    api.ok("POST", "user/create", user_body("easterner", [ids["east"]], direct_leader=["seller"]))
    api.ok("POST", "user/create", user_body("coder", [ids["rd"]], mobile="13800000000"))
    return ids


def sales_app(control: Control, http: httpx.Client, **extra: Any) -> Api:
    return add_app(control, http, "sales-app", visible_departments=[2], **extra)


def test_an_app_sees_only_its_departments_and_their_descendants(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    assert [d["id"] for d in app.ok("GET", "department/list")["department"]] == [2, 3]
    assert [d["id"] for d in app.ok("GET", "department/simplelist")["department_id"]] == [2, 3]
    assert app.get("department/get", id=4)["errcode"] == 60011
    assert app.get("department/list", id=1)["errcode"] == 60011
    assert app.ok("GET", "department/get", id=3)["department"]["name"] == "east"


def test_an_app_sees_only_members_in_scope(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    assert app.get("user/get", userid="coder")["errcode"] == 60011
    assert app.get("user/simplelist", department_id=4)["errcode"] == 60011
    seller = app.ok("GET", "user/get", userid="seller")
    # departments, orders and flags outside the scope are left out
    assert (seller["department"], seller["is_leader_in_dept"]) == ([2], [1])
    rows = app.ok("GET", "user/simplelist", department_id=2, fetch_child=1)["userlist"]
    assert [r["userid"] for r in rows] == ["seller", "easterner"]
    assert app.ok("GET", "department/get", id=2)["department"]["department_leader"] == ["seller"]
    assert app.post("user/getuserid", {"mobile": "13800000000"})["errcode"] == 46004


def test_members_named_one_by_one_are_visible(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = add_app(control, http, "one", visible_users=["coder"])
    got = app.ok("GET", "user/get", userid="coder")
    assert got["department"] == [] and "main_department" not in got
    assert app.ok("GET", "department/list")["department"] == []


def test_sensitive_fields_are_hidden_from_apps_by_default(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    full = api.ok("GET", "user/get", userid="seller")
    seen = app.ok("GET", "user/get", userid="seller")
    assert set(full) >= SENSITIVE
    assert not SENSITIVE & set(seen)
    listed = app.ok("GET", "user/list", department_id=2)["userlist"][0]
    assert not SENSITIVE & set(listed)


def test_an_app_created_before_2022_06_20_still_gets_sensitive_fields(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    old_app = sales_app(control, http, hide_sensitive=False)
    assert set(old_app.ok("GET", "user/get", userid="seller")) >= SENSITIVE


def test_the_sensitive_field_switch_applies_to_apps_without_their_own_setting(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    control.config(hide_sensitive_fields_for_apps=False)
    assert set(app.ok("GET", "user/get", userid="seller")) >= SENSITIVE


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "department/create", {"name": "x", "parentid": 2}),
        ("POST", "department/update", {"id": 2, "name": "x"}),
        ("GET", "department/delete", {"id": 3}),
        ("POST", "user/create", user_body("new", [2])),
        ("POST", "user/update", {"userid": "seller", "name": "x"}),
        ("GET", "user/delete", {"userid": "easterner"}),
        ("POST", "user/batchdelete", {"useridlist": ["easterner"]}),
    ],
)
def test_apps_cannot_edit_departments_or_members_60011(
    api: Api,
    control: Control,
    http: httpx.Client,
    corp: dict[str, int],
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    app = sales_app(control, http)
    result = app.get(path, **body) if method == "GET" else app.post(path, body)
    assert result["errcode"] == 60011
    control.config(app_write_errcode=48002)
    result = app.get(path, **body) if method == "GET" else app.post(path, body)
    assert result["errcode"] == 48002


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "user/list_id"), ("GET", "corp/get_join_qrcode"), ("POST", "user/get_active_stat")],
)
def test_sync_only_apis_refuse_app_secrets_with_48002(
    control: Control, http: httpx.Client, method: str, path: str
) -> None:
    app = sales_app(control, http)
    result = app.get(path) if method == "GET" else app.post(path, {})
    assert result["errcode"] == 48002


def test_apps_add_only_members_in_scope_to_their_tags(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    tagid = app.ok("POST", "tag/create", {"tagname": "sales-tag"})["tagid"]
    body = {"tagid": tagid, "userlist": ["seller", "coder"], "partylist": [3, 4]}
    result = app.ok("POST", "tag/addtagusers", body)
    assert (result["invalidlist"], result["invalidparty"]) == ("coder", [4])
    api.ok("POST", "tag/create", {"tagname": "sync-tag", "tagid": 50})
    api.ok("POST", "tag/addtagusers", {"tagid": 50, "userlist": ["seller", "coder"]})
    seen = app.ok("GET", "tag/get", tagid=50)
    assert [u["userid"] for u in seen["userlist"]] == ["seller"]


def test_app_changes_are_recorded_under_the_app_name(
    control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    app = sales_app(control, http)
    app.ok("POST", "tag/create", {"tagname": "t"})
    assert control.get("changes")["changes"][-1]["actor"] == "sales-app"


@pytest.mark.parametrize(
    "call",
    [
        ("GET", "user/get", {"userid": "seller"}),
        ("GET", "user/list", {"department_id": 1}),
        ("GET", "department/list", {}),
        ("GET", "department/get", {"id": 1}),
    ],
)
def test_contacts_sync_from_a_new_ip_cannot_read_details_48009(
    api: Api, control: Control, corp: dict[str, int], call: tuple[str, str, dict[str, Any]]
) -> None:
    control.config(block_new_ip_detail_reads=True)
    _, path, params = call
    assert api.get(path, **params)["errcode"] == 48009


def test_new_ip_mode_leaves_replacement_apis_and_apps_working(
    api: Api, control: Control, http: httpx.Client, corp: dict[str, int]
) -> None:
    control.config(block_new_ip_detail_reads=True)
    assert api.get("department/simplelist")["errcode"] == 0
    assert api.post("user/list_id", {})["errcode"] == 0
    assert api.get("user/simplelist", department_id=1)["errcode"] == 0
    assert sales_app(control, http).get("user/get", userid="seller")["errcode"] == 0
    control.config(block_new_ip_simplelist=True)
    assert api.get("user/simplelist", department_id=1)["errcode"] == 48009


def test_a_read_only_contacts_sync_secret_cannot_write_48002(api: Api, control: Control) -> None:
    control.config(sync_secret_read_only=True)
    assert api.post("department/create", {"name": "x", "parentid": 1})["errcode"] == 48002
    assert api.post("tag/create", {"tagname": "x"})["errcode"] == 48002
    assert api.get("department/list")["errcode"] == 0
