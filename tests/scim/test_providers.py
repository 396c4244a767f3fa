"""What real providers send, request for request: Microsoft Entra ID and Okta.

Shapes follow the providers' published SCIM guides (Entra ID: "Develop and plan provisioning
for a SCIM endpoint" request/response examples and its known deviations; Okta: "SCIM 2.0
provisioning" protocol reference). See docs/scim.md, "Provider notes".
"""

from __future__ import annotations

import httpx

from wecom_contacts.testing import EmulatorControl

from .conftest import CORE, ENTERPRISE, GROUP, PATCH, member

ENTRA_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"


def _entra_user() -> dict[str, object]:
    return {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee@contoso.com",
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@contoso.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName",
                 "givenName": "givenName"},
        "roles": [],
    }


def test_entra_probe_then_create_then_probe_again(scim: httpx.Client,
                                                  wecom_emulator: EmulatorControl) -> None:
    probe = scim.get("/Users", params={"filter": 'userName eq "Test_User_ab6490ee@contoso.com"'})
    assert probe.status_code == 200
    assert probe.json()["totalResults"] == 0 and probe.json()["Resources"] == []
    created = scim.post("/Users", json=_entra_user())
    assert created.status_code == 201, created.text
    assert created.json()["name"]["formatted"] == "givenName familyName"
    again = scim.get("/Users", params={"filter": 'userName eq "test_user_ab6490ee@contoso.com"'})
    assert [r["id"] for r in again.json()["Resources"]] == [created.json()["id"]]
    by_external = scim.get("/Users", params={
        "filter": 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"'})
    assert by_external.json()["totalResults"] == 1
    held = member(wecom_emulator, "Test_User_ab6490ee@contoso.com")
    assert held is not None and held["name"] == "givenName familyName"


def test_entra_patch_with_capitalised_ops_and_boolean_strings(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    user_id = scim.post("/Users", json=_entra_user()).json()["id"]
    response = scim.patch(f"/Users/{user_id}", json={
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value',
             "value": "updatedEmail@contoso.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Add", "path": "displayName", "value": "Updated Name"},
            {"op": "Replace", "path": "active", "value": "False"},
        ],
    })
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    held = member(wecom_emulator, "Test_User_ab6490ee@contoso.com")
    assert held is not None
    assert (held["email"], held["name"], held["enable"]) == (
        "updatedEmail@contoso.com", "Updated Name", 0)


def test_entra_patch_without_path_and_enterprise_manager_as_plain_string(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed({"departments": [{"id": 2, "name": "Sales", "parentid": 1}],
                         "users": [{"userid": "boss", "name": "Boss", "department": [1],
                                    "email": "boss@contoso.com"}]})
    user_id = scim.post("/Users", json=_entra_user()).json()["id"]
    response = scim.patch(f"/Users/{user_id}", json={
        "schemas": [PATCH],
        "Operations": [
            {"op": "Add", "value": {"title": "Seller", f"{ENTERPRISE}:department": "Sales"}},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "boss"},
        ],
    })
    assert response.status_code == 200, response.text
    held = member(wecom_emulator, "Test_User_ab6490ee@contoso.com")
    assert held is not None
    assert (held["position"], held["department"], held["direct_leader"]) == (
        "Seller", [2], ["boss"])
    removed = scim.patch(f"/Users/{user_id}", json={
        "schemas": [PATCH], "Operations": [{"op": "Remove", "path": f"{ENTERPRISE}:manager"}]})
    assert removed.status_code == 200
    assert member(wecom_emulator, "Test_User_ab6490ee@contoso.com")["direct_leader"] == []  # type: ignore[index]


def test_entra_soft_delete_disables_then_hard_delete_removes(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    user_id = scim.post("/Users", json=_entra_user()).json()["id"]
    soft = scim.patch(f"/Users/{user_id}", json={
        "schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": False}]})
    assert soft.status_code == 200
    held = member(wecom_emulator, "Test_User_ab6490ee@contoso.com")
    assert held is not None and held["enable"] == 0
    listed = scim.get("/Users", params={"filter": 'userName eq "Test_User_ab6490ee@contoso.com"'})
    assert listed.json()["Resources"][0]["active"] is False
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert member(wecom_emulator, "Test_User_ab6490ee@contoso.com") is None


def test_entra_groups_create_get_without_members_add_and_remove(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    user_id = scim.post("/Users", json=_entra_user()).json()["id"]
    created = scim.post("/Groups", json={
        "schemas": [GROUP, ENTRA_GROUP], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "Sales Team", "meta": {"resourceType": "Group"}})
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    found = scim.get("/Groups", params={"excludedAttributes": "members",
                                        "filter": 'displayName eq "Sales Team"'}).json()
    assert [g["id"] for g in found["Resources"]] == [group_id]
    assert "members" not in found["Resources"][0]
    add = scim.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": user_id}]}]})
    assert add.status_code == 200, add.text
    tag = wecom_emulator.directory()["tags"][0]
    assert tag["tagname"] == "Sales Team"
    assert tag["userlist"] == ["Test_User_ab6490ee@contoso.com"]
    remove = scim.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": user_id}]}]})
    assert remove.status_code == 200
    assert scim.get(f"/Groups/{group_id}").json()["members"] == []
    assert scim.get(f"/Groups/{group_id}", params={"excludedAttributes": "members"}
                    ).json()["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"


def _okta_user() -> dict[str, object]:
    return {
        "schemas": [CORE],
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def test_okta_put_of_the_full_user_changes_what_differs(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    probe = scim.get("/Users", params={"filter": 'userName eq "test.user@okta.local"',
                                       "startIndex": 1, "count": 100})
    assert probe.json()["totalResults"] == 0
    created = scim.post("/Users", json=_okta_user())
    assert created.status_code == 201, created.text
    full = {**_okta_user(), "id": created.json()["id"],
            "name": {"givenName": "Another", "familyName": "User"},
            "displayName": "Another User",
            "phoneNumbers": [{"value": "13800000012", "type": "mobile"}]}
    full.pop("password")
    replaced = scim.put(f"/Users/{created.json()['id']}", json=full)
    assert replaced.status_code == 200, replaced.text
    held = member(wecom_emulator, "test.user@okta.local")
    assert held is not None
    assert (held["name"], held["mobile"], held["email"]) == (
        "Another User", "13800000012", "test.user@okta.local")
    deactivated = scim.put(f"/Users/{created.json()['id']}", json={**full, "active": False})
    assert deactivated.json()["active"] is False
    assert member(wecom_emulator, "test.user@okta.local")["enable"] == 0  # type: ignore[index]
    # A PUT that leaves `active` out keeps the member as it is (no silent re-enabling).
    without = {k: v for k, v in full.items() if k != "active"}
    assert scim.put(f"/Users/{created.json()['id']}", json=without).json()["active"] is False


def test_okta_group_push_creates_the_tag_and_patches_members(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    first = scim.post("/Users", json=_okta_user()).json()["id"]
    second = scim.post("/Users", json={**_okta_user(), "userName": "second@okta.local",
                                       "externalId": "00u2",
                                       "emails": [{"value": "second@okta.local",
                                                   "type": "work", "primary": True}]}).json()["id"]
    pushed = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Test SCIMv2",
                                        "members": [{"value": first, "display": "test.user"}]})
    assert pushed.status_code == 201, pushed.text
    group_id = pushed.json()["id"]
    patched = scim.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{first}"]'},
        {"op": "add", "path": "members", "value": [{"value": second, "display": "second"}]},
    ]})
    assert patched.status_code == 200, patched.text
    assert [m["value"] for m in patched.json()["members"]] == [second]
    renamed = scim.patch(f"/Groups/{group_id}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "value": {"id": group_id, "displayName": "Renamed SCIMv2"}}]})
    assert renamed.status_code == 200, renamed.text
    tags = wecom_emulator.directory()["tags"]
    assert [(t["tagname"], t["userlist"]) for t in tags] == [("Renamed SCIMv2",
                                                             ["second@okta.local"])]
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert wecom_emulator.directory()["tags"] == []
