"""Discovery documents over HTTP, and the pure parts (filter, patch) on their own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wecom_contacts.scim import ScimError
from wecom_contacts.scim.filter import matches, parse_filter, parse_path
from wecom_contacts.scim.patch import apply_patch

from .conftest import CORE, ENTERPRISE, GROUP, PATCH


def test_discovery_endpoints_describe_what_the_service_holds(scim: httpx.Client) -> None:
    spc = scim.get("/ServiceProviderConfig").json()
    assert spc["patch"]["supported"] is True and spc["etag"]["supported"] is False
    assert spc["filter"] == {"supported": True, "maxResults": 1000}
    types = scim.get("/ResourceTypes").json()
    assert [r["id"] for r in types["Resources"]] == ["User", "Group"]
    assert scim.get("/ResourceTypes/User").json()["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = scim.get("/Schemas").json()
    assert [s["id"] for s in schemas["Resources"]] == [CORE, ENTERPRISE, GROUP]
    user_schema = scim.get(f"/Schemas/{CORE}").json()
    assert "userName" in [a["name"] for a in user_schema["attributes"]]
    assert scim.get("/Schemas/urn:nope").status_code == 404


RESOURCE: dict[str, Any] = {
    "schemas": [CORE], "id": "a", "userName": "Alice", "externalId": "X-1", "title": "PM",
    "active": False,
    "emails": [{"value": "a@x.cn", "type": "work"}, {"value": "a@home.cn", "type": "home"}],
    ENTERPRISE: {"department": "研发/后端", "manager": {"value": "boss"}},
}


@pytest.mark.parametrize("text, expected", [
    ('userName eq "alice"', True),
    ('externalId eq "x-1"', False),  # externalId is case-exact
    ('externalId eq "X-1"', True),
    ('active eq false', True),
    ('emails[type eq "home"].value pr', True),
    ('emails[type eq "home" and value sw "a@h"]', True),
    ('emails[type eq "fax"]', False),
    ('not (title pr)', False),
    (f'{ENTERPRISE}:department sw "研发"', True),
    (f'{ENTERPRISE}:manager.value eq "boss"', True),
    ('nickName pr', False),
    ('title ne "PM" or userName ew "ice"', True),
])
def test_filters_evaluate_on_the_scim_resource(text: str, expected: bool) -> None:
    assert matches(parse_filter(text), RESOURCE) is expected


def test_paths_split_into_attribute_filter_and_sub_attribute() -> None:
    path = parse_path('emails[type eq "work"].value')
    assert (path.attr, path.sub, path.uri) == ("emails", "value", None)
    assert parse_path(f"{ENTERPRISE}:manager").uri == ENTERPRISE
    assert parse_path("name.givenName").sub == "givenName"
    with pytest.raises(ScimError) as refused:
        parse_path("urn:example:x:attr")
    assert refused.value.scim_type == "invalidPath"


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return apply_patch(RESOURCE, {"schemas": [PATCH], "Operations": list(operations)})


def test_patch_operations_on_a_resource() -> None:
    out = _patch({"op": "Add", "path": "emails",
                  "value": [{"value": "b@x.cn", "type": "work"}]},
                 {"op": "remove", "path": 'emails[type eq "home"]'},
                 {"op": "replace", "path": 'phoneNumbers[type eq "mobile"].value',
                  "value": "138"},
                 {"op": "replace", "value": {"name.givenName": "A", "title": "CTO"}})
    assert [e["value"] for e in out["emails"]] == ["a@x.cn", "b@x.cn"]
    assert out["phoneNumbers"] == [{"type": "mobile", "value": "138"}]
    assert out["name"] == {"givenName": "A"} and out["title"] == "CTO"
    assert RESOURCE["title"] == "PM"  # the input is left alone
    removed = _patch({"op": "remove", "path": f"{ENTERPRISE}:manager"},
                     {"op": "remove", "path": "emails", "value": [{"value": "A@X.CN"}]})
    assert "manager" not in removed[ENTERPRISE]
    assert [e["value"] for e in removed["emails"]] == ["a@home.cn"]


def test_unknown_routes_and_methods_answer_in_scim_shape(scim: httpx.Client) -> None:
    missing = scim.get("/Nothing")
    assert missing.status_code == 404
    assert missing.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    wrong = scim.delete("/Users")
    assert (wrong.status_code, wrong.json()["status"]) == (405, "405")


def test_a_create_answers_with_the_location_of_the_new_resource(scim: httpx.Client) -> None:
    created = scim.post("/Users", json={"schemas": [CORE], "userName": "loc",
                                        "emails": [{"value": "loc@example.com"}]})
    assert created.status_code == 201
    assert created.headers["location"] == created.json()["meta"]["location"] == "/Users/loc"
