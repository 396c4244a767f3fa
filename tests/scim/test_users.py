"""/Users against the emulator over real HTTP: what a provider sees, and what WeCom then holds."""

from __future__ import annotations

import httpx
import pytest

from wecom_contacts.scim import ScimConfig, SQLiteIdMap
from wecom_contacts.testing import EmulatorControl

from .conftest import ENTERPRISE, PATCH, ScimFactory, member, user_doc


def test_create_user_writes_the_member_and_answers_201_with_the_scim_record(
    scim: httpx.Client, seeded: EmulatorControl
) -> None:
    doc = user_doc(title="工程师", externalId="ext-1",
                   phoneNumbers=[{"value": "13800000011", "type": "mobile"},
                                 {"value": "010-1234", "type": "work"}])
    doc[ENTERPRISE] = {"department": "研发中心/后端", "manager": {"value": "lead"}}
    response = scim.post("/Users", json=doc)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["id"] == "alice"
    assert body["externalId"] == "ext-1"
    assert body[ENTERPRISE]["department"] == "研发中心/后端"
    assert body[ENTERPRISE]["manager"] == {"value": "lead"}
    held = member(seeded, "alice")
    assert held is not None
    assert (held["name"], held["email"], held["mobile"], held["telephone"], held["position"]) == (
        "Alice Zhang", "alice@example.com", "13800000011", "010-1234", "工程师")
    assert held["department"] == [3]
    assert held["direct_leader"] == ["lead"]
    assert scim.get("/Users/alice").json() == body


def test_get_unknown_user_is_a_scim_404(scim: httpx.Client) -> None:
    response = scim.get("/Users/nobody")
    assert response.status_code == 404
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response.json()["status"] == "404"


def test_list_users_pages_with_start_index_and_count(
    scim: httpx.Client, seeded: EmulatorControl
) -> None:
    for name in ("u1", "u2", "u3"):
        assert scim.post("/Users", json=user_doc(name)).status_code == 201
    first = scim.get("/Users", params={"startIndex": 1, "count": 2}).json()
    second = scim.get("/Users", params={"startIndex": 3, "count": 2}).json()
    assert first["totalResults"] == 4  # the seeded lead and three new users
    assert (first["itemsPerPage"], second["itemsPerPage"]) == (2, 2)
    ids = [r["id"] for r in first["Resources"] + second["Resources"]]
    assert sorted(ids) == ["lead", "u1", "u2", "u3"]


@pytest.mark.parametrize("expression, expected", [
    ('userName eq "ALICE"', ["alice"]),
    ('emails.value co "bob@"', ["bob"]),
    ('displayName sw "Alice"', ["alice", "bob"]),
    ('title pr', ["bob"]),
    ('userName eq "alice" or userName eq "bob"', ["alice", "bob"]),
    ('displayName sw "Alice" and title pr', ["bob"]),
    ('externalId eq "e-bob"', ["bob"]),
    ('emails[type eq "work" and value ew "alice@example.com"]', ["alice"]),
    ('emails[type eq "work"].value eq "BOB@example.com"', ["bob"]),
    ('not (userName eq "alice")', ["bob"]),
])
def test_filter_selects_the_matching_users(
    scim: httpx.Client, expression: str, expected: list[str]
) -> None:
    scim.post("/Users", json=user_doc("alice"))
    scim.post("/Users", json=user_doc("bob", title="PM", externalId="e-bob"))
    found = scim.get("/Users", params={"filter": expression}).json()
    assert sorted(r["userName"] for r in found["Resources"]) == expected


def test_attributes_and_excluded_attributes_shape_the_answer(scim: httpx.Client) -> None:
    scim.post("/Users", json=user_doc("alice", title="PM"))
    only = scim.get("/Users/alice", params={"attributes": "userName,emails.value"}).json()
    assert set(only) == {"schemas", "id", "meta", "userName", "emails"}
    assert only["emails"] == [{"value": "alice@example.com"}]
    without = scim.get("/Users/alice", params={"excludedAttributes": "title,emails"}).json()
    assert "title" not in without and "emails" not in without and without["userName"] == "alice"


def test_delete_user_removes_the_member(scim: httpx.Client, seeded: EmulatorControl) -> None:
    scim.post("/Users", json=user_doc("alice"))
    assert scim.delete("/Users/alice").status_code == 204
    assert member(seeded, "alice") is None
    assert scim.delete("/Users/alice").status_code == 404


@pytest.mark.wecom_emulator(new_userid_policy="once")
def test_renaming_user_name_keeps_the_scim_id_and_external_id(
    scim_factory: ScimFactory, wecom_emulator: EmulatorControl, id_map_file: object
) -> None:
    scim = scim_factory(id_map=SQLiteIdMap(str(id_map_file)))
    scim.post("/Users", json=user_doc("alice", externalId="ext-a"))
    renamed = scim.put("/Users/alice", json=user_doc("alice.zhang", externalId="ext-a"))
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == "alice"
    assert renamed.json()["userName"] == "alice.zhang"
    assert member(wecom_emulator, "alice") is None and member(wecom_emulator, "alice.zhang")
    again = scim.get("/Users/alice").json()
    assert (again["userName"], again["externalId"]) == ("alice.zhang", "ext-a")
    # A new member may now take the old userid: it gets an id of its own.
    fresh = scim.post("/Users", json=user_doc("alice")).json()
    assert fresh["id"] != "alice"
    assert scim.get(f"/Users/{fresh['id']}").json()["userName"] == "alice"
    # The map is a file others cannot read, and a second server on it sees the same ids.
    assert (id_map_file.stat().st_mode & 0o777) == 0o600  # type: ignore[attr-defined]
    other = scim_factory(id_map=SQLiteIdMap(str(id_map_file)))
    assert other.get("/Users/alice").json()["userName"] == "alice.zhang"


def test_patch_replaces_only_the_given_attributes(
    scim: httpx.Client, seeded: EmulatorControl
) -> None:
    scim.post("/Users", json=user_doc("alice", title="PM"))
    response = scim.patch("/Users/alice", json={
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "title", "value": "CTO"},
                       {"op": "add", "path": 'phoneNumbers[type eq "mobile"].value',
                        "value": "13800000099"},
                       {"op": "remove", "path": 'emails[type eq "work"]'}],
    })
    assert response.status_code == 200, response.text
    held = member(seeded, "alice")
    assert held is not None
    assert (held["position"], held["mobile"], held.get("email") or "") == (
        "CTO", "13800000099", "")
    assert held["name"] == "Alice Zhang"


def test_employee_number_goes_to_the_configured_field(
    scim_factory: ScimFactory, wecom_emulator: EmulatorControl
) -> None:
    scim = scim_factory(config=ScimConfig(employee_number="alias"))
    doc = user_doc("alice")
    doc[ENTERPRISE] = {"employeeNumber": "E1024"}
    body = scim.post("/Users", json=doc).json()
    assert body[ENTERPRISE]["employeeNumber"] == "E1024"
    held = member(wecom_emulator, "alice")
    assert held is not None and held["alias"] == "E1024"


def test_a_department_made_after_the_last_read_is_found_at_once(
    scim: httpx.Client, seeded: EmulatorControl
) -> None:
    assert scim.post("/Users", json=user_doc("alice")).status_code == 201  # paths read now
    seeded.seed({"departments": [{"id": 9, "name": "新部门", "parentid": 4}]})
    doc = user_doc("bob")
    doc[ENTERPRISE] = {"department": "销售部/新部门"}
    created = scim.post("/Users", json=doc)
    assert created.status_code == 201, created.text
    assert created.json()[ENTERPRISE]["department"] == "销售部/新部门"
    assert member(seeded, "bob")["department"] == [9]  # type: ignore[index]
