"""The LDAP operations that make the directory show the wanted entries: a pure function.

Only entries with the mirror's marker are compared (``ldap_map.identity_of``). A department
move or rename is one ``moddn`` of its OU (what is below moves with it); members who left are
disabled in place or moved to the former OU, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ldap3.utils.dn import escape_rdn  # type: ignore[import-untyped]

from .ldap_map import Entry, LDAPMapping

__all__ = ["Current", "Leavers", "plan_ops", "split_dn"]

Leavers = Literal["disable", "move"]


@dataclass
class Current:
    """An existing entry of ours: its DN now (updated as planned moves happen) and values."""

    dn: str
    attributes: dict[str, list[str]]


def split_dn(dn: str) -> tuple[str, str]:
    """``("uid=a", "ou=x,dc=example,dc=com")``; a backslash-escaped comma does not split."""
    i = 0
    while i < len(dn):
        if dn[i] == "\\":
            i += 2
            continue
        if dn[i] == ",":
            return dn[:i], dn[i + 1:]
        i += 1
    return dn, ""


def _under(dn: str, parent: str) -> bool:
    return dn.lower().endswith("," + parent.lower())


def _same(a: list[str], b: list[str]) -> bool:
    return sorted(a) == sorted(b)


def plan_ops(wanted: list[Entry], current: dict[tuple[str, str], Current], *,
             mapping: LDAPMapping, base: str, leavers: Leavers,
             containers: set[str]) -> list[dict[str, Any]]:
    """The operations, in an order LDAP accepts: containers, departments top-down, members,
    tags, leavers, then removals bottom-up. ``containers`` are the DNs of ``ou=tags`` /
    ``ou=former`` that exist already."""
    ops: list[dict[str, Any]] = []
    cur = {k: Current(v.dn, dict(v.attributes)) for k, v in current.items()}

    def moved(old: str, new: str) -> None:
        for entry in cur.values():
            if _under(entry.dn, old):
                entry.dn = entry.dn[: len(entry.dn) - len(old)] + new

    def ensure(dn: str) -> None:
        if dn.lower() not in containers:
            rdn_value = split_dn(dn)[0].split("=", 1)[1]
            ops.append({"op": "add", "dn": dn, "classes": ["organizationalUnit"],
                        "attributes": {"ou": [rdn_value]}, "container": True})
            containers.add(dn.lower())

    wanted_ids = {e.identity for e in wanted}
    if any(e.identity[0] == "tag" for e in wanted):
        ensure(f"ou={escape_rdn(mapping.tags_ou)},{base}")
    former = f"ou={escape_rdn(mapping.former_ou)},{base}"
    for entry in wanted:
        have = cur.get(entry.identity)
        if have is None:
            attrs = {k: v for k, v in entry.attributes.items() if v}
            ops.append({"op": "add", "dn": entry.dn, "classes": list(entry.object_classes),
                        "attributes": attrs})
            cur[entry.identity] = Current(entry.dn, attrs)
            continue
        if have.dn.lower() != entry.dn.lower():
            rdn, parent = split_dn(entry.dn)
            ops.append({"op": "moddn", "dn": have.dn, "rdn": rdn, "superior": parent,
                        "to": entry.dn})
            old = have.dn
            have.dn = entry.dn
            moved(old, entry.dn)
        changes = {k: v for k, v in entry.attributes.items()
                   if not _same(v, have.attributes.get(k, []))}
        if changes:
            ops.append({"op": "modify", "dn": entry.dn, "replace": changes})
    gone = {k: v for k, v in cur.items() if k not in wanted_ids}
    dropped_departments = {v.dn.lower() for k, v in gone.items() if k[0] == "department"}
    status = mapping.status_attribute
    for (kind, _key), have in sorted(gone.items()):
        if kind != "member":
            continue
        parent = split_dn(have.dn)[1].lower()
        stranded = any(parent == d or _under(parent, d) for d in dropped_departments)
        if (leavers == "move" or stranded) and parent != former.lower():
            ensure(former)
            rdn = split_dn(have.dn)[0]
            ops.append({"op": "moddn", "dn": have.dn, "rdn": rdn, "superior": former,
                        "to": f"{rdn},{former}"})
            have.dn = f"{rdn},{former}"
        if have.attributes.get(status) != ["disabled"]:
            ops.append({"op": "modify", "dn": have.dn, "replace": {status: ["disabled"]}})
    for (kind, _key), have in sorted(gone.items(), key=lambda kv: -kv[1].dn.count(",")):
        if kind in ("department", "tag"):
            ops.append({"op": "delete", "dn": have.dn})
    return ops
