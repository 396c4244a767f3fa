"""/Groups ↔ WeCom tags: full CRUD, PUT of the member list, filters, refusals undone."""

from __future__ import annotations

import httpx

from wecom_contacts.testing import EmulatorControl

from .conftest import GROUP, PATCH, user_doc


def _users(scim: httpx.Client, *names: str) -> list[str]:
    return [scim.post("/Users", json=user_doc(n)).json()["id"] for n in names]


def test_put_sets_name_and_member_list(scim: httpx.Client,
                                       wecom_emulator: EmulatorControl) -> None:
    a, b, c = _users(scim, "a1", "b1", "c1")
    group = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Ops",
                                       "externalId": "g-1",
                                       "members": [{"value": a}, {"value": b}]}).json()
    assert sorted(m["value"] for m in group["members"]) == [a, b]
    put = scim.put(f"/Groups/{group['id']}", json={
        "schemas": [GROUP], "displayName": "Ops Team", "externalId": "g-1",
        "members": [{"value": b}, {"value": c}]})
    assert put.status_code == 200, put.text
    tag = wecom_emulator.directory()["tags"][0]
    assert (tag["tagname"], sorted(tag["userlist"])) == ("Ops Team", ["b1", "c1"])
    listed = scim.get("/Groups", params={"filter": 'externalId eq "g-1"'}).json()
    assert [g["displayName"] for g in listed["Resources"]] == ["Ops Team"]
    member_of = scim.get("/Groups", params={"filter": f'members[value eq "{c}"]'}).json()
    assert member_of["totalResults"] == 1


def test_duplicate_group_name_is_409_and_unknown_group_404(scim: httpx.Client) -> None:
    scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Ops"})
    again = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Ops"})
    assert (again.status_code, again.json()["scimType"]) == (409, "uniqueness")
    assert scim.get("/Groups/999999").status_code == 404
    assert scim.get("/Groups/not-a-number").status_code == 404
    assert scim.delete("/Groups/999999").status_code == 404


def test_a_patch_adding_a_member_wecom_refuses_changes_nothing(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    (a,) = _users(scim, "a1")
    group = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Ops"}).json()
    # "gone" looks like a userid to the id map, but WeCom has no such member.
    refused = scim.patch(f"/Groups/{group['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": a}, {"value": "gone"}]},
        {"op": "replace", "path": "displayName", "value": "Renamed"}]})
    assert refused.status_code == 400, refused.text
    assert "members" in refused.json()["detail"]
    tag = wecom_emulator.directory()["tags"][0]
    assert (tag["tagname"], tag["userlist"]) == ("Ops", [])
