"""Refused requests: each a SCIM error body with the right status, and nothing written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wecom_contacts.testing import EmulatorControl

from .conftest import CORE, ENTERPRISE, PATCH, TOKEN, ScimFactory, member, user_doc


def _refused(response: httpx.Response, status: int, scim_type: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    detail: str = body["detail"]
    return detail


def _nothing_written(control: EmulatorControl) -> None:
    directory = control.directory()
    assert [u["userid"] for u in directory["users"]] == ["lead"]
    assert directory["tags"] == []


def test_malformed_json_is_invalid_syntax(scim: httpx.Client, seeded: EmulatorControl) -> None:
    response = scim.post("/Users", content=b'{"schemas": [', headers={
        "content-type": "application/scim+json"})
    assert "not valid JSON" in _refused(response, 400, "invalidSyntax")
    _nothing_written(seeded)


@pytest.mark.parametrize("doc, scim_type, named", [
    (user_doc(schemas=["urn:example:custom:User"]), "invalidValue", "urn:example:custom:User"),
    (user_doc(schemas=[CORE, "urn:ietf:params:scim:schemas:extension:other:2.0:User"]),
     "invalidValue", "extension:other"),
    (user_doc(nickName="Ally"), "invalidValue", "nickName"),
    (user_doc(phoneNumbers=[{"value": "010-5555", "type": "fax"}]), "invalidValue",
     'phoneNumbers[type eq "fax"]'),
    (user_doc(displayName="名" * 65), "invalidValue", "displayName"),
    (user_doc(title="t" * 129), "invalidValue", "title"),
    (user_doc(emails=[{"value": "x" * 60 + "@example.com", "type": "work"}]), "invalidValue",
     'emails[type eq "work"].value'),
    (user_doc("u" * 65), "invalidValue", "userName"),
    (user_doc(active="maybe"), "invalidValue", "active"),
    ({**user_doc(), ENTERPRISE: {"department": "不存在/部门"}}, "invalidValue", "不存在/部门"),
    ({**user_doc(), ENTERPRISE: {"costCenter": "4130"}}, "invalidValue", "costCenter"),
    ({**user_doc(), ENTERPRISE: {"employeeNumber": "7"}}, "invalidValue", "employeeNumber"),
    ({**user_doc(), ENTERPRISE: {"manager": {"value": "nobody-renamed"}}}, "invalidValue",
     "direct leader is not a WeCom member"),
    (user_doc(emails=[]), "invalidValue", "phoneNumbers"),
])
def test_user_attributes_wecom_cannot_hold_are_refused_by_name(
    scim: httpx.Client, seeded: EmulatorControl, doc: dict[str, Any], scim_type: str,
    named: str
) -> None:
    detail = _refused(scim.post("/Users", json=doc), 400, scim_type)
    assert named in detail
    _nothing_written(seeded)


def test_a_group_with_attributes_a_tag_cannot_hold_is_refused(
    scim: httpx.Client, seeded: EmulatorControl
) -> None:
    group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    detail = _refused(scim.post("/Groups", json={"schemas": [group], "displayName": "x" * 33}),
                      400, "invalidValue")
    assert "displayName" in detail and "32" in detail
    detail = _refused(scim.post("/Groups", json={"schemas": [group], "displayName": "Ops",
                                                 "members": [{"value": "ghost"}]}),
                      400, "invalidValue")
    assert "members" in detail
    _nothing_written(seeded)


def test_bad_patch_operations_change_nothing(scim: httpx.Client,
                                             seeded: EmulatorControl) -> None:
    scim.post("/Users", json=user_doc("alice", title="PM"))
    before = member(seeded, "alice")
    good = {"op": "replace", "path": "title", "value": "CTO"}
    cases: list[tuple[Any, str]] = [
        ({"Operations": [good]}, "invalidSyntax"),
        ({"schemas": [PATCH], "Operations": [good, {"op": "move", "path": "title"}]},
         "invalidSyntax"),
        ({"schemas": [PATCH], "Operations": [good, {"op": "remove"}]}, "noTarget"),
        ({"schemas": [PATCH], "Operations": [good, {"op": "add", "path": "emails[type eq"}]},
         "invalidPath"),
        ({"schemas": [PATCH], "Operations": [good, {"op": "add", "path": "nickName",
                                                    "value": "x"}]}, "invalidValue"),
        ({"schemas": [PATCH], "Operations": [good, {"op": "replace", "path": "title",
                                                    "value": "t" * 129}]}, "invalidValue"),
    ]
    for body, scim_type in cases:
        _refused(scim.patch("/Users/alice", json=body), 400, scim_type)
    assert member(seeded, "alice") == before


def test_invalid_filter_and_paging_parameters_are_400(scim: httpx.Client) -> None:
    _refused(scim.get("/Users", params={"filter": 'userName eq'}), 400, "invalidFilter")
    _refused(scim.get("/Users", params={"filter": 'userName zz "a"'}), 400, "invalidFilter")
    _refused(scim.get("/Users", params={"startIndex": "first"}), 400, "invalidValue")


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer"}, {"Authorization": f"Bearer {TOKEN}x"},
])
def test_requests_without_an_accepted_bearer_token_are_401(
    scim: httpx.Client, seeded: EmulatorControl, headers: dict[str, str]
) -> None:
    response = httpx.post(f"{scim.base_url}/Users", json=user_doc(), headers=headers)
    _refused(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(f"{scim.base_url}/ServiceProviderConfig", headers=headers
                     ).status_code == 401
    _nothing_written(seeded)


def test_every_configured_token_is_accepted(scim_factory: ScimFactory) -> None:
    other = scim_factory(token="second-token-abcdefghij")
    assert other.get("/ServiceProviderConfig").status_code == 200


def test_wecom_conflicts_are_409_uniqueness(scim: httpx.Client, seeded: EmulatorControl) -> None:
    scim.post("/Users", json=user_doc("alice"))
    _refused(scim.post("/Users", json=user_doc("alice")), 409, "uniqueness")
    taken = user_doc("bob", emails=[{"value": "lead@example.com", "type": "work"}])
    _refused(scim.post("/Users", json=taken), 409, "uniqueness")
    assert member(seeded, "bob") is None


def test_a_body_over_one_megabyte_is_413(scim: httpx.Client, seeded: EmulatorControl) -> None:
    huge = user_doc("alice", title="x" * 1_100_000)
    _refused(scim.post("/Users", json=huge), 413)
    _nothing_written(seeded)
