"""SCIM User / Group ↔ WeCom member / tag: the mapping table, configurable, validated.

A SCIM resource is read into ``Fields`` (WeCom write names → values, every mapped field
present, ``""`` meaning empty) so that the service can compare it with the same view of the
live member and send only what differs. Anything WeCom cannot hold is refused with a SCIM 400
naming the attribute, unless the configuration says to ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import User
from .errors import invalid_syntax, invalid_value
from .schemas import CORE_USER, ENTERPRISE_USER, GROUP

__all__ = [
    "DEFAULT_IGNORED",
    "ENTRA_GROUP_SCHEMA",
    "ScimConfig",
    "group_fields",
    "group_to_scim",
    "user_fields",
    "user_to_scim",
    "wecom_fields",
]

# ``enable`` and ``department`` are None when the record leaves them out: a new member is
# enabled and placed in the default department; an existing one keeps its own.
Fields = dict[str, Any]

# Sent by default by Okta (password, locale) and Entra ID (preferredLanguage, ...); none is
# directory data: members sign in through WeCom, which keeps its own language setting.
DEFAULT_IGNORED = frozenset({"password", "locale", "preferredlanguage", "timezone"})
# Entra ID lists this schema on every Group it creates; it carries no attribute.
ENTRA_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"


@dataclass(frozen=True)
class ScimConfig:
    """How SCIM attributes land in WeCom.

    Args:
        default_department: the department of a user whose SCIM record names none.
        groups: what a SCIM Group is: ``"tags"`` (members = tag users) or ``"departments"``
            (displayName = the department path, members = its direct members).
        employee_number: where ``employeeNumber`` goes: ``"alias"``, ``"extattr:<name>"`` (a
            custom text attribute defined in the admin console), or None to refuse it.
        ignore: attribute paths (case-insensitive, e.g. ``"preferredLanguage"``,
            ``"phoneNumbers[type eq \\"fax\\"]"``, ``"addresses"``) accepted and dropped
            instead of refused; by default ``DEFAULT_IGNORED``.
        to_invite: whether WeCom sends its invitation to members created through SCIM.
    """

    default_department: int = 1
    groups: str = "tags"
    employee_number: str | None = None
    ignore: frozenset[str] = DEFAULT_IGNORED
    to_invite: bool = False

    def __post_init__(self) -> None:
        if self.groups not in ("tags", "departments"):
            raise ValueError("groups must be 'tags' or 'departments'")
        if self.employee_number not in (None, "alias") and not (
            self.employee_number.startswith("extattr:") and len(self.employee_number) > 8
        ):
            raise ValueError("employee_number must be 'alias', 'extattr:<name>' or None")
        object.__setattr__(self, "ignore", frozenset(a.lower() for a in self.ignore))


# WeCom's limits (shared/wecom-api/users.md, tags.md): (max, unit) per write field.
_LIMITS: dict[str, tuple[int, str]] = {
    "userid": (64, "bytes"), "name": (64, "characters"), "alias": (64, "characters"),
    "mobile": (32, "characters"), "email": (64, "bytes"), "position": (128, "characters"),
    "telephone": (32, "bytes"), "address": (128, "characters"), "tagname": (32, "characters"),
    "department": (64, "bytes"),
}
_USER_CORE = {"schemas", "id", "externalid", "meta", "username", "name", "displayname",
              "title", "active", "emails", "phonenumbers", "addresses", "groups"}
_EMPTY_USER: Fields = {"name": "", "email": "", "mobile": "", "telephone": "", "position": "",
                       "address": "", "enable": None, "department": None, "direct_leader": [],
                       "employee_number": ""}


def check_length(field_name: str, value: str, attribute: str) -> str:
    """A SCIM 400 naming ``attribute`` when ``value`` is longer than WeCom holds."""
    return _check_length(field_name, value, attribute)


def _check_length(field_name: str, value: str, attribute: str) -> str:
    limit, unit = _LIMITS[field_name]
    size = len(value.encode("utf-8")) if unit == "bytes" else len(value)
    if size > limit:
        raise invalid_value(f"{attribute} is {size} {unit} long; WeCom holds at most {limit}")
    return value


def _text(value: Any, attribute: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"{attribute} must be a string")
    return value.strip()


def parse_bool(value: Any, attribute: str) -> bool:
    """A SCIM boolean; Entra ID sends ``"True"`` / ``"False"`` strings in PATCH values."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_value(f"{attribute} must be a boolean, not {value!r}")


def check_schemas(resource: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    listed = resource.get("schemas")
    if not isinstance(listed, list) or not listed:
        raise invalid_syntax("schemas must be a non-empty list")
    unknown = [s for s in listed if s not in allowed]
    if unknown:
        raise invalid_value(f"unknown schema(s): {', '.join(map(str, unknown))}")
    if allowed[0] not in listed:
        raise invalid_value(f"schemas must include {allowed[0]}")


class _Reader:
    """Reads one SCIM User into Fields, refusing what WeCom cannot hold."""

    def __init__(self, config: ScimConfig) -> None:
        self.config = config

    def ignored(self, attribute: str) -> bool:
        lowered = attribute.lower()
        return lowered in self.config.ignore or lowered.split("[")[0] in self.config.ignore

    def refuse(self, attribute: str, why: str = "WeCom has no field for it") -> None:
        if not self.ignored(attribute):
            raise invalid_value(f"attribute {attribute} cannot be stored: {why}")

    def typed(self, items: Any, attribute: str, kinds: dict[str, str]) -> dict[str, str]:
        """``emails`` / ``phoneNumbers``: one value per known type → its WeCom field."""
        if items is None:
            return {}
        if not isinstance(items, list):
            raise invalid_value(f"{attribute} must be a list")
        out: dict[str, str] = {}
        for item in items:
            if not isinstance(item, dict):
                raise invalid_value(f"{attribute} entries must be objects")
            kind = str(item.get("type") or next(iter(kinds))).lower()
            where = f'{attribute}[type eq "{kind}"]'
            value = _text(item.get("value"), f"{where}.value")
            if kind not in kinds:
                if value:
                    self.refuse(where)
                continue
            target = kinds[kind]
            primary = parse_bool(item.get("primary", False), f"{where}.primary")
            if target in out and value and out[target] != value and not primary:
                continue  # one value per WeCom field: the primary one wins
            if value or target not in out:
                out[target] = _check_length(target, value, f"{where}.value")
        return out


def user_fields(resource: Mapping[str, Any], config: ScimConfig,
                department_id: Callable[[str], int], leader_userid: Callable[[str], str]
                ) -> tuple[str, Fields]:
    """``(userid, fields)`` from a SCIM User; a SCIM 400 naming the attribute otherwise."""
    check_schemas(resource, (CORE_USER, ENTERPRISE_USER))
    reader = _Reader(config)
    for key, value in resource.items():
        if key.lower() not in _USER_CORE and key != ENTERPRISE_USER and not _empty(value):
            reader.refuse(key)
    get = {k.lower(): v for k, v in resource.items()}
    userid = _text(get.get("username"), "userName")
    if not userid:
        raise invalid_value("userName is required")
    _check_length("userid", userid, "userName")
    fields: Fields = dict(_EMPTY_USER)
    name = get.get("name")
    if name is not None and not isinstance(name, dict):
        raise invalid_value("name must be an object")
    name = {k.lower(): v for k, v in (name or {}).items()}
    display = _text(get.get("displayname"), "displayName") or _text(
        name.get("formatted"), "name.formatted") or " ".join(
        p for p in (_text(name.get("givenname"), "name.givenName"),
                    _text(name.get("familyname"), "name.familyName")) if p)
    fields["name"] = _check_length("name", display or userid, "displayName")
    fields["position"] = _check_length("position", _text(get.get("title"), "title"), "title")
    if "active" in get and get["active"] is not None:
        fields["enable"] = parse_bool(get["active"], "active")
    fields.update(reader.typed(get.get("emails"), "emails", {"work": "email"}))
    fields.update(reader.typed(get.get("phonenumbers"), "phoneNumbers",
                               {"mobile": "mobile", "work": "telephone"}))
    addresses = get.get("addresses")
    if isinstance(addresses, list):
        for item in addresses:
            if isinstance(item, dict) and str(item.get("type") or "work").lower() == "work":
                fields["address"] = _check_length(
                    "address", _text(item.get("formatted"), 'addresses[type eq "work"]'),
                    'addresses[type eq "work"].formatted')
            elif item:
                reader.refuse("addresses", "only the work address has a WeCom field")
    elif addresses is not None:
        raise invalid_value("addresses must be a list")
    _enterprise(resource.get(ENTERPRISE_USER), fields, reader, department_id, leader_userid)
    return userid, fields


def _enterprise(ext: Any, fields: Fields, reader: _Reader,
                department_id: Callable[[str], int], leader_userid: Callable[[str], str]) -> None:
    if ext is None:
        return
    if not isinstance(ext, dict):
        raise invalid_value(f"{ENTERPRISE_USER} must be an object")
    for key, value in ext.items():
        lowered = key.lower()
        where = f"{ENTERPRISE_USER}:{key}"
        if lowered == "department":
            path = _text(value, where)
            fields["department"] = department_id(path) if path else None
        elif lowered == "manager":
            manager = value.get("value") if isinstance(value, dict) else value
            manager = _text(manager, f"{where}.value")
            fields["direct_leader"] = [leader_userid(manager)] if manager else []
        elif lowered == "employeenumber":
            number = _text(value, where)
            if number and reader.config.employee_number is None:
                reader.refuse(key, "no employee_number field is configured")
            elif reader.config.employee_number == "alias":
                _check_length("alias", number, where)
            fields["employee_number"] = number
        elif not _empty(value):
            reader.refuse(key)


def _empty(value: Any) -> bool:
    """Entra ID sends ``"roles": []``: an empty value holds nothing to refuse."""
    return value is None or value == "" or value == [] or value == {}


def wecom_fields(user: User, config: ScimConfig) -> Fields:
    """The same view of a live member, to compare with ``user_fields``."""
    return {
        "name": user.name or "", "email": user.email or "", "mobile": user.mobile or "",
        "telephone": user.telephone or "", "position": user.position or "",
        "address": user.address or "", "enable": user.enable != 0,
        "department": user.main_department or (user.department[0] if user.department else None),
        "direct_leader": list(user.direct_leader),
        "employee_number": employee_number(user, config),
    }


def employee_number(user: User, config: ScimConfig) -> str:
    if config.employee_number == "alias":
        return user.alias or ""
    if config.employee_number and user.extattr is not None:
        wanted = config.employee_number.removeprefix("extattr:")
        for attr in user.extattr.attrs:
            if attr.name == wanted and attr.text is not None:
                return attr.text.value
    return ""


def user_to_scim(user: User, *, scim_id: str, external_id: str | None, config: ScimConfig,
                 department_path: Callable[[int], str], leader_ids: list[str],
                 location: str) -> dict[str, Any]:
    """A member as a SCIM User with the Enterprise extension."""
    out: dict[str, Any] = {"schemas": [CORE_USER, ENTERPRISE_USER], "id": scim_id}
    if external_id:
        out["externalId"] = external_id
    out.update({"userName": user.userid, "name": {"formatted": user.name},
                "displayName": user.name, "active": user.enable != 0})
    if user.position:
        out["title"] = user.position
    if user.email:
        out["emails"] = [{"value": user.email, "type": "work", "primary": True}]
    phones = [{"value": user.mobile, "type": "mobile"}] if user.mobile else []
    if user.telephone:
        phones.append({"value": user.telephone, "type": "work"})
    if phones:
        out["phoneNumbers"] = phones
    if user.address:
        out["addresses"] = [{"formatted": user.address, "type": "work", "primary": True}]
    ext: dict[str, Any] = {}
    fields = wecom_fields(user, config)
    if fields["department"] is not None and department_path(fields["department"]):
        ext["department"] = department_path(fields["department"])
    if leader_ids:
        ext["manager"] = {"value": leader_ids[0]}
    if fields["employee_number"]:
        ext["employeeNumber"] = fields["employee_number"]
    out[ENTERPRISE_USER] = ext
    out["meta"] = {"resourceType": "User", "location": location}
    return out


def group_fields(resource: Mapping[str, Any], *, limit: str | None = "tagname"
                 ) -> tuple[str, list[str]]:
    """``(display name, member SCIM ids)`` from a SCIM Group; ``limit``: the length rule."""
    check_schemas(resource, (GROUP, ENTRA_GROUP_SCHEMA))
    get = {k.lower(): v for k, v in resource.items()}
    for key, value in get.items():
        if key not in ("schemas", "id", "externalid", "meta", "displayname", "members") \
                and not _empty(value):
            raise invalid_value(f"attribute {key} cannot be stored: a group has a name "
                                "and member users only")
    name = _text(get.get("displayname"), "displayName")
    if limit is not None:
        _check_length(limit, name, "displayName")
    if not name:
        raise invalid_value("displayName is required")
    members = get.get("members") or []
    if not isinstance(members, list):
        raise invalid_value("members must be a list")
    ids: list[str] = []
    for item in members:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value:
            raise invalid_value("each members entry needs a string value (a User id)")
        kind = item.get("type") if isinstance(item, dict) else None
        if kind is not None and str(kind).lower() != "user":
            raise invalid_value("members of type Group cannot be stored: WeCom tags hold users")
        if value not in ids:
            ids.append(value)
    return name, ids


def group_to_scim(tag_id: int, name: str, members: list[tuple[str, str]] | None, *,
                  external_id: str | None, location: str) -> dict[str, Any]:
    """A tag as a SCIM Group; ``members`` as (SCIM id, display) pairs, None when not read."""
    out: dict[str, Any] = {"schemas": [GROUP], "id": str(tag_id)}
    if external_id:
        out["externalId"] = external_id
    out["displayName"] = name
    if members is not None:
        out["members"] = [{"value": v, "display": d, "type": "User"} for v, d in members]
    out["meta"] = {"resourceType": "Group", "location": location}
    return out
