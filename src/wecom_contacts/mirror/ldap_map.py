"""How rows become LDAP entries: the DN template, the attribute mapping, the layout.

Layout under the base DN (docs/mirror.md, "LDAP"):

    ou=<root department>,BASE               organizationalUnit, one per department, nested
      ou=<child department>,…               (businessCategory: wecom-department:<id>)
        uid=<userid>,ou=<main department>…  inetOrgPerson (businessCategory: wecom-member)
    ou=tags,BASE
      cn=<tag name>,ou=tags,BASE            groupOfNames (businessCategory: wecom-tag:<id>)
    ou=former,BASE                          leavers, with --ldap-leavers move

Only entries carrying the ``businessCategory`` marker are ever changed or removed; anything
else under the base is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ldap3.utils.dn import escape_rdn  # type: ignore[import-untyped]

from .snapshot import MemberRow, Snapshot

__all__ = ["DEFAULT_ATTRIBUTES", "Entry", "LDAPMapping", "desired_entries", "load_mapping"]

# LDAP attribute → the member field it holds. Special fields: "departments" (department
# ids), "department_names", "direct_leader" (their DNs are not resolved: userids).
DEFAULT_ATTRIBUTES: dict[str, str] = {
    "cn": "name",
    "sn": "name",
    "displayName": "name",
    "mail": "email",
    "mobile": "mobile",
    "telephoneNumber": "telephone",
    "title": "position",
    "postalAddress": "address",
    "employeeNumber": "userid",
    "departmentNumber": "departments",
}
MEMBER_MARK = "wecom-member"
_MEMBER_FIELDS = {f.name for f in fields(MemberRow)} | {"department_names"}


@dataclass(frozen=True)
class LDAPMapping:
    """``dn_template`` placeholders: ``{userid}``, ``{department}`` (the DN of the member's
    main department OU), ``{base}``. ``status_attribute`` gets ``active`` or ``disabled``."""

    dn_template: str = "uid={userid},{department}"
    attributes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    status_attribute: str = "employeeType"
    tags_ou: str = "tags"
    former_ou: str = "former"

    def __post_init__(self) -> None:
        unknown = sorted(v for v in self.attributes.values() if v not in _MEMBER_FIELDS)
        if unknown:
            raise ValueError(f"attributes: unknown member field(s) {unknown}; known: "
                             f"{', '.join(sorted(_MEMBER_FIELDS))}")
        if not self.dn_template.startswith("uid={userid},"):
            raise ValueError("dn_template must start with 'uid={userid},' (the uid is the "
                             "member's identity in the directory)")
        for name in ("sn", "cn"):
            if name not in self.attributes:
                raise ValueError(f"attributes must map {name!r} (inetOrgPerson requires it)")


def load_mapping(path: Path) -> LDAPMapping:
    """A mapping from a JSON or YAML file: ``{"dn_template", "attributes", "status_attribute",
    "tags_ou", "former_ou"}``, all optional."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        data: Any = (yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml")
                     else json.loads(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read it: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("the mapping must be an object")
    unknown = sorted(set(data) - {f.name for f in fields(LDAPMapping)})
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}")
    if not isinstance(data.get("attributes", {}), dict) or not all(
            isinstance(v, str) for v in data.get("attributes", {}).values()):
        raise ValueError("attributes must map LDAP attribute names to member field names")
    for key in ("dn_template", "status_attribute", "tags_ou", "former_ou"):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"{key} must be a string")
    return LDAPMapping(**data)


@dataclass(frozen=True)
class Entry:
    """An entry the mirror wants: identity (``("department", "2")`` …), DN, attributes."""

    identity: tuple[str, str]
    dn: str
    object_classes: tuple[str, ...]
    attributes: dict[str, list[str]]


def _values(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    if isinstance(value, bool):
        return ["TRUE" if value else "FALSE"]
    return [str(value)]


def department_dns(snap: Snapshot, base: str) -> dict[int, str]:
    """Department id → its OU's DN; a department whose parent is out of sight sits under base."""
    dns: dict[int, str] = {}

    def dn_of(dept_id: int, seen: frozenset[int] = frozenset()) -> str:
        if dept_id in dns:
            return dns[dept_id]
        dept = snap.departments[dept_id]
        parent = dept.parent_id
        above = (dn_of(parent, seen | {dept_id})
                 if parent in snap.departments and parent not in seen and dept_id != parent
                 else base)
        dns[dept_id] = f"ou={escape_rdn(dept.name)},{above}"
        return dns[dept_id]

    for dept_id in sorted(snap.departments):
        dn_of(dept_id)
    return dns


def _member_entry(m: MemberRow, mapping: LDAPMapping, base: str, depts: dict[int, str],
                  names: dict[int, str]) -> Entry:
    main = m.main_department if m.main_department in depts else next(
        (d.department_id for d in m.departments if d.department_id in depts), None)
    home = depts[main] if main is not None else base
    dn = mapping.dn_template.format(userid=escape_rdn(m.userid), department=home, base=base)
    attrs: dict[str, list[str]] = {"uid": [m.userid], "businessCategory": [MEMBER_MARK]}
    for attr, source in mapping.attributes.items():
        if source == "departments":
            value: Any = [d.department_id for d in m.departments]
        elif source == "department_names":
            value = [names[d.department_id] for d in m.departments if d.department_id in names]
        else:
            value = getattr(m, source)
        attrs[attr] = _values(value)
    attrs[mapping.status_attribute] = ["active" if m.enable else "disabled"]
    if not attrs["sn"]:
        attrs["sn"] = [m.userid]  # required by the schema
    if not attrs["cn"]:
        attrs["cn"] = [m.userid]
    return Entry(("member", m.userid), dn, ("inetOrgPerson",), attrs)


def desired_entries(snap: Snapshot, mapping: LDAPMapping, base: str) -> list[Entry]:
    """Every entry the snapshot means, parents before children."""
    depts = department_dns(snap, base)
    names = {d.id: d.name for d in snap.departments.values()}
    entries = [
        Entry(("department", str(d)), dn, ("organizationalUnit",),
              {"ou": [snap.departments[d].name],
               "businessCategory": [f"wecom-department:{d}"]})
        for d, dn in sorted(depts.items(), key=lambda kv: (kv[1].count(","), kv[0]))
    ]
    members = {m.userid: _member_entry(m, mapping, base, depts, names)
               for m in snap.members.values()}
    entries += list(members.values())
    tags_base = f"ou={escape_rdn(mapping.tags_ou)},{base}"
    for tag in sorted(snap.tags.values(), key=lambda t: t.id):
        dn = f"cn={escape_rdn(tag.name)},{tags_base}"
        refs = [members[u].dn for u in tag.users if u in members]
        refs += [depts[d] for d in tag.departments if d in depts]
        entries.append(Entry(("tag", str(tag.id)), dn, ("groupOfNames",),
                             {"cn": [tag.name], "businessCategory": [f"wecom-tag:{tag.id}"],
                              "member": refs or [dn]}))  # groupOfNames needs a member
    return entries


def identity_of(attrs: Mapping[str, Iterable[str]]) -> tuple[str, str] | None:
    """The identity an existing entry's marker gives; None for entries not made by us."""
    for mark in attrs.get("businessCategory", ()):
        if mark == MEMBER_MARK:
            uid = next(iter(attrs.get("uid", ())), None)
            return ("member", str(uid)) if uid else None
        kind, _, key = str(mark).partition(":")
        if kind == "wecom-department" and key:
            return ("department", key)
        if kind == "wecom-tag" and key:
            return ("tag", key)
    return None
