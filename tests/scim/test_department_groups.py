"""``groups="departments"``: SCIM Groups are departments (displayName = the path)."""

from __future__ import annotations

import httpx
import pytest

from wecom_contacts.scim import ScimConfig
from wecom_contacts.testing import EmulatorControl

from .conftest import GROUP, PATCH, ScimFactory, member, user_doc


@pytest.fixture
def scim_depts(scim_factory: ScimFactory, seeded: EmulatorControl) -> httpx.Client:
    return scim_factory(config=ScimConfig(groups="departments"))


def test_departments_are_listed_as_groups_with_their_direct_members(
    scim_depts: httpx.Client,
) -> None:
    found = scim_depts.get("/Groups").json()
    assert sorted(g["displayName"] for g in found["Resources"]) == [
        "研发中心", "研发中心/后端", "销售部"]
    rd = scim_depts.get("/Groups", params={"filter": 'displayName eq "研发中心"'}).json()
    assert [m["value"] for m in rd["Resources"][0]["members"]] == ["lead"]
    assert scim_depts.get("/Groups/1").status_code == 404  # the root is not a Group


def test_create_patch_and_delete_a_department_group(
    scim_depts: httpx.Client, seeded: EmulatorControl
) -> None:
    alice = scim_depts.post("/Users", json=user_doc("alice")).json()["id"]
    created = scim_depts.post("/Groups", json={
        "schemas": [GROUP], "displayName": "研发中心/前端", "externalId": "g-fe",
        "members": [{"value": alice}]})
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    assert member(seeded, "alice")["department"] == [1, int(group_id)]  # type: ignore[index]
    moved = scim_depts.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "销售部/前端"},
        {"op": "Remove", "path": f'members[value eq "{alice}"]'}]})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["displayName"], moved.json()["members"]) == ("销售部/前端", [])
    assert member(seeded, "alice")["department"] == [1]  # type: ignore[index]
    department = next(d for d in seeded.directory()["departments"] if d["id"] == int(group_id))
    assert (department["name"], department["parentid"]) == ("前端", 4)
    assert scim_depts.delete(f"/Groups/{group_id}").status_code == 204
    assert all(d["id"] != int(group_id) for d in seeded.directory()["departments"])


def test_removing_a_members_only_department_is_refused_and_nothing_written(
    scim_depts: httpx.Client, seeded: EmulatorControl
) -> None:
    rd = scim_depts.get("/Groups", params={"filter": 'displayName eq "研发中心"'}).json()
    group_id = rd["Resources"][0]["id"]
    refused = scim_depts.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": 'members[value eq "lead"]'},
        {"op": "replace", "path": "displayName", "value": "研发"}]})
    assert refused.status_code == 400, refused.text
    assert "without a department" in refused.json()["detail"]
    assert member(seeded, "lead")["department"] == [2]  # type: ignore[index]
    assert any(d["name"] == "研发中心" for d in seeded.directory()["departments"])
    busy = scim_depts.delete(f"/Groups/{group_id}")
    assert busy.status_code == 409, busy.text
