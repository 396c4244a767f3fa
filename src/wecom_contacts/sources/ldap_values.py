"""LDAP values as record text: DNs compared by meaning, GUIDs and SIDs rendered stably.

Everything an LDAP server returns is bytes. Text attributes are UTF-8 (RFC 4517); AD's binary
identifiers are rendered the way AD's own tools show them, so a userid made from one never
changes: ``objectGUID`` as the canonical GUID string (AD stores the first three fields
little-endian), ``objectSid`` as ``S-1-5-21-…``.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Sequence

from ldap3.core.exceptions import LDAPInvalidDnError  # type: ignore[import-untyped]
from ldap3.utils.dn import parse_dn  # type: ignore[import-untyped]

from .base import SourceError, Value

__all__ = ["GUID_ATTRIBUTES", "SID_ATTRIBUTES", "decode_values", "dn_key", "ou_names",
           "render_guid", "render_sid"]

GUID_ATTRIBUTES = frozenset({"objectguid", "msexchmailboxguid", "ms-ds-consistencyguid"})
SID_ATTRIBUTES = frozenset({"objectsid"})
_HEX = re.compile(r"\\([0-9a-fA-F]{2})")


def render_guid(raw: bytes, *, where: str, field: str) -> str:
    if len(raw) != 16:
        raise SourceError(f"a GUID is 16 bytes, this value has {len(raw)}", where=where,
                          field=field)
    return str(uuid.UUID(bytes_le=raw))


def render_sid(raw: bytes, *, where: str, field: str) -> str:
    # Revision, sub-authority count, 48-bit big-endian authority, then 32-bit little-endian
    # sub-authorities (MS-DTYP 2.4.2.2).
    if len(raw) < 8 or len(raw) != 8 + 4 * raw[1]:
        raise SourceError("not a valid SID (wrong length)", where=where, field=field)
    authority = int.from_bytes(raw[2:8], "big")
    subs = [int.from_bytes(raw[8 + 4 * i:12 + 4 * i], "little") for i in range(raw[1])]
    return "-".join(["S", str(raw[0]), str(authority), *map(str, subs)])


def decode_values(name: str, raw: Sequence[bytes], *, where: str) -> Value:
    """An attribute's values → None (no value), text (one value) or a list (several)."""
    lowered = name.lower()
    texts: list[str] = []
    for value in raw:
        if lowered in GUID_ATTRIBUTES:
            texts.append(render_guid(value, where=where, field=name))
        elif lowered in SID_ATTRIBUTES:
            texts.append(render_sid(value, where=where, field=name))
        else:
            try:
                texts.append(value.decode("utf-8"))
            except UnicodeDecodeError:
                raise SourceError("the value is not UTF-8 text (a binary attribute? only "
                                  "GUIDs and SIDs are rendered as text)", where=where,
                                  field=name) from None
    if not texts:
        return None
    return texts[0] if len(texts) == 1 else texts


def _unescape(value: str) -> str:
    """An RDN value with its escapes (``\\,`` and ``\\e5\\bc\\a0`` hex pairs) undone."""
    if "\\" not in value:
        return value
    out = bytearray()
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            match = _HEX.match(value, i)
            if match:
                out.append(int(match.group(1), 16))
                i += 3
                continue
            out.extend(value[i + 1].encode())
            i += 2
            continue
        out.extend(char.encode())
        i += 1
    return out.decode("utf-8", errors="replace")


# Small caches: manager, memberOf and base DNs repeat across entries, each entry's own DN is
# seen twice in a row (dn and ou_path); a large cache would grow with the directory.
@functools.lru_cache(maxsize=1024)
def _rdns(dn: str) -> tuple[tuple[str, str], ...]:
    if not any(c in dn for c in '\\"+#;<>'):
        # The common case, without escapes or multi-valued RDNs: a plain split (ldap3's
        # parser costs more than reading the entry).
        pairs = [part.split("=", 1) for part in dn.split(",")]
        if all(len(p) == 2 and p[0].strip() and p[1].strip() for p in pairs):
            return tuple((a.strip().lower(), v.strip()) for a, v in pairs)
    try:
        parts = parse_dn(dn, escape=False, strip=True)
    except LDAPInvalidDnError as exc:
        raise SourceError(f"not a valid DN: {dn!r} ({exc})", where=dn) from None
    return tuple((attr.strip().lower(), _unescape(val.strip())) for attr, val, _sep in parts)


@functools.lru_cache(maxsize=1024)
def dn_key(dn: str) -> str:
    """A DN in one spelling for comparing: attribute types and values case-folded, spaces
    around separators and escapes normalised (``CN=张三, OU=研发`` → ``cn=张三,ou=研发``).

    LDAP compares DNs case-insensitively for the attributes that name entries (cn, ou, dc,
    uid), so a ``manager`` or ``memberOf`` value and the entry it names can differ in case.
    """
    return _key(_rdns(dn))


def _key(rdns: tuple[tuple[str, str], ...]) -> str:
    parts = []
    for attr, val in rdns:
        escaped = val.casefold().replace("\\", "\\\\").replace(",", "\\,").replace("+", "\\+")
        parts.append(f"{attr}={escaped}")
    return ",".join(parts)


def ou_names(dn: str, base: str) -> list[str]:
    """The ``ou`` names between ``base`` and the entry, top-down (the entry's own RDN and the
    base's are not included; ``cn=Users`` containers are skipped)."""
    rdns = _rdns(dn)
    depth = len(_rdns(base)) if base else 0
    between = rdns[1:len(rdns) - depth] if depth < len(rdns) else []
    return [val for attr, val in reversed(between) if attr == "ou"]


def ou_own_path(dn: str, base: str) -> tuple[list[str], str | None]:
    """For an OU entry: (the ``ou`` names from below ``base`` down to the entry itself, the
    normalised DN of its parent when that parent is below ``base`` too, else None)."""
    rdns = _rdns(dn)
    depth = len(_rdns(base)) if base else 0
    own = rdns[:len(rdns) - depth] if depth < len(rdns) else ()
    if not own or own[0][0] != "ou":
        return [], None  # the base itself, or an entry that is no OU
    names = [val for attr, val in reversed(own) if attr == "ou"]
    return names, (_key(rdns[1:]) if len(own) > 1 else None)
