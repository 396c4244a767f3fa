"""SCIM schema URNs and the discovery documents: ServiceProviderConfig, ResourceTypes, Schemas."""

from __future__ import annotations

from typing import Any, Final

__all__ = [
    "CORE_USER",
    "ENTERPRISE_USER",
    "ERROR_SCHEMA",
    "GROUP",
    "LIST_RESPONSE",
    "MAX_RESULTS",
    "PATCH_OP",
    "resource_types",
    "schemas",
    "service_provider_config",
]

CORE_USER: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP: Final = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:Error"
_SPC: Final = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_RT: Final = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Schema"

MAX_RESULTS: Final = 1000


def _attr(
    name: str,
    type_: str = "string",
    *,
    multi: bool = False,
    required: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    case_exact: bool = False,
    sub: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name, "type": type_, "multiValued": multi, "required": required,
        "caseExact": case_exact, "mutability": mutability, "returned": returned,
        "uniqueness": uniqueness,
    }
    if sub is not None:
        out["subAttributes"] = sub
    return out


def _typed_values(*types: str) -> list[dict[str, Any]]:
    type_attr = _attr("type")
    type_attr["canonicalValues"] = list(types)
    return [_attr("value"), type_attr, _attr("primary", "boolean")]


_USER_ATTRS: Final = [
    _attr("userName", required=True, uniqueness="server"),
    _attr("name", "complex", sub=[_attr("formatted"), _attr("familyName"), _attr("givenName")]),
    _attr("displayName"),
    _attr("title"),
    _attr("active", "boolean"),
    _attr("emails", "complex", multi=True, sub=_typed_values("work")),
    _attr("phoneNumbers", "complex", multi=True, sub=_typed_values("mobile", "work")),
    _attr("addresses", "complex", multi=True,
          sub=[_attr("formatted"), _attr("type"), _attr("primary", "boolean")]),
]

_ENTERPRISE_ATTRS: Final = [
    _attr("employeeNumber"),
    _attr("department"),
    _attr("manager", "complex", sub=[_attr("value"), _attr("displayName", mutability="readOnly")]),
]

_GROUP_ATTRS: Final = [
    _attr("displayName", required=True, uniqueness="server"),
    _attr("members", "complex", multi=True,
          sub=[_attr("value", mutability="immutable"), _attr("display", mutability="readOnly"),
               _attr("type", mutability="immutable")]),
]


def _schema(urn: str, name: str, description: str, attrs: list[dict[str, Any]],
            base_url: str) -> dict[str, Any]:
    return {
        "schemas": [_SCHEMA], "id": urn, "name": name, "description": description,
        "attributes": attrs,
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{urn}"},
    }


def schemas(base_url: str) -> list[dict[str, Any]]:
    """The three schemas this service holds, attributes limited to what WeCom can store."""
    return [
        _schema(CORE_USER, "User", "A WeCom member", _USER_ATTRS, base_url),
        _schema(ENTERPRISE_USER, "EnterpriseUser", "Department, leader, employee number",
                _ENTERPRISE_ATTRS, base_url),
        _schema(GROUP, "Group", "A WeCom tag and its member users", _GROUP_ATTRS, base_url),
    ]


def resource_types(base_url: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [_RT], "id": "User", "name": "User", "endpoint": "/Users",
            "description": "WeCom members", "schema": CORE_USER,
            "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
        },
        {
            "schemas": [_RT], "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "WeCom tags", "schema": GROUP, "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType",
                     "location": f"{base_url}/ResourceTypes/Group"},
        },
    ]


def service_provider_config(base_url: str) -> dict[str, Any]:
    return {
        "schemas": [_SPC],
        "documentationUri": "https://developer.work.weixin.qq.com/document/path/90193",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token", "primary": True,
            "description": "A token from WECOM_SCIM_TOKENS in the Authorization header",
        }],
        "meta": {"resourceType": "ServiceProviderConfig",
                 "location": f"{base_url}/ServiceProviderConfig"},
    }
