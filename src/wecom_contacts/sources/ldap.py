"""The LDAP / Active Directory source (``type: ldap``): paged searches turned into records.

Each member entry becomes a record keyed by attribute name (one value → text, several → a
list), plus fields the mapping cannot compute itself:

    dn        the entry's DN, normalised (dn_key), so ``direct_leader: {column: manager,
              match: dn}`` finds the manager's row whatever the spelling of the manager value
    ou_path   the OU names between the search base and the entry, top-down ("研发中心/后端组")
    disabled  "true"/"false" from AD's userAccountControl (bit 0x2, ACCOUNTDISABLE)
    groups    the names of the groups the entry is in, nested groups resolved (with groups:)

With ``departments:`` (an OU search), each OU below its base is a department record: its
attributes, ``dn``, ``ou_path`` (as a member's), ``ou_name`` and ``parent_dn`` (None for a
top OU), for the mapping's ``departments.records`` (by path or by key and parent).

The read is all or nothing: a referral, a size or time limit, an error page or a dropped
connection raises SourceError naming the search and the page; entries stream page by page
(never the whole result in memory), and the fingerprint exists only after a complete read.
"""

from __future__ import annotations

import contextlib
import re
import ssl
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import ldap3  # type: ignore[import-untyped]  # (no stubs installed)
from ldap3.core.exceptions import LDAPException  # type: ignore[import-untyped]

from .base import (
    Entity,
    FingerprintTracker,
    InputSpec,
    Record,
    SourceError,
    SourceFingerprint,
    Value,
    register_source_type,
)
from .ldap_options import GroupSearch, LdapOptions, Search, parse_options
from .ldap_values import decode_values, dn_key, ou_names, ou_own_path

__all__ = ["OU_FIELDS", "SYNTHETIC_FIELDS", "LdapSource", "open_ldap"]

SYNTHETIC_FIELDS = ("dn", "ou_path", "disabled", "groups")
OU_FIELDS = ("dn", "ou_path", "ou_name", "parent_dn")  # of a department record (an OU)
_DN_ATTRIBUTES = frozenset({"manager", "memberof", "member", "directreports", "secretary",
                            "assistant", "seealso", "managedby"})
_ACCOUNTDISABLE = 0x2
_NAME_BLOCK = re.compile(r"\bNAME\s+(\([^)]*\)|'[^']*')")
_NAMES = re.compile(r"'([^']+)'")
_RESULT_TEXT = {4: "the size limit was hit", 3: "the time limit was hit",
                10: "the server sent a referral", 11: "an administrative limit was hit",
                32: "the base DN does not exist"}


class LdapSource:
    """Members from one LDAP search (and tags from a group search, department records from
    an OU search); see the module doc."""

    kind = "ldap"

    def __init__(self, options: LdapOptions, spec: InputSpec) -> None:
        self._opts = options
        self._spec = spec
        self._tracker = FingerprintTracker("ldap", self.name)
        self.pages_fetched = 0  # every page of every search (the benchmark reports it)
        self._known: set[str] | None = None

    @property
    def name(self) -> str:
        return f"{self._opts.url} {self._opts.members.base}"

    @property
    def entities(self) -> tuple[Entity, ...]:
        return ("members", "departments") if self._opts.departments else ("members",)

    def fields(self, entity: Entity) -> Sequence[str] | None:
        if entity == "departments" and self._opts.departments is not None:
            return [*self._opts.departments.attributes, *OU_FIELDS]
        if entity != "members":
            return None
        derived = [f for f in SYNTHETIC_FIELDS if f != "groups" or self._opts.groups]
        return [*self._opts.members.attributes, *derived]  # groups only with a groups search

    def records(self, entity: Entity) -> Iterator[Record]:
        if entity == "departments" and self._opts.departments is not None:
            return self._tracker.track("departments", self._read_departments())
        if entity != "members":
            raise SourceError(f"an ldap input gives members"
                              f"{' and departments' if self._opts.departments else ''}, "
                              f"not {entity}", where=self._spec.where_of(None))
        return self._tracker.track("members", self._read_members())

    def fingerprint(self) -> SourceFingerprint:
        return self._tracker.fingerprint()

    def skip_fingerprint(self) -> None:
        """The caller needs no fingerprint: the records are not digested."""
        self._tracker.digest = False

    # -- connection -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[ldap3.Connection]:
        o = self._opts
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED,
                        ca_certs_file=str(o.ca_file) if o.ca_file else None)
        server = ldap3.Server(o.url, use_ssl=o.tls == "ldaps", tls=tls,
                              get_info=ldap3.NONE,
                              connect_timeout=o.timeout)
        conn = ldap3.Connection(server, user=o.bind_dn, password=o.password,
                                auto_bind=ldap3.AUTO_BIND_NONE, raise_exceptions=False,
                                auto_referrals=False, read_only=True,
                                receive_timeout=int(o.timeout), return_empty_attributes=False)
        try:
            self._open(conn)
            yield conn
        finally:
            with contextlib.suppress(LDAPException, OSError):
                conn.unbind()  # after a failed StartTLS the socket is already gone
            # ldap3 keeps the socket of a failed connect or TLS handshake open.
            sock = getattr(conn, "socket", None)
            if sock is not None:
                sock.close()

    def _open(self, conn: ldap3.Connection) -> None:
        o, where = self._opts, self._spec.where_of("url")
        try:
            conn.open()
        except LDAPException as exc:
            raise SourceError(f"cannot connect to {o.url}: {_reason(exc)}", where=where,
                              field="url") from None
        if o.tls == "starttls":
            try:
                started = conn.start_tls()
            except LDAPException as exc:
                raise SourceError(f"StartTLS with {o.url} failed: {_reason(exc)}",
                                  where=self._spec.where_of("tls"), field="tls") from None
            if not started:
                raise SourceError(f"StartTLS with {o.url} failed: {_describe(conn.result)}",
                                  where=self._spec.where_of("tls"), field="tls")
        try:
            bound = conn.bind()
        except LDAPException as exc:
            raise SourceError(f"bind to {o.url} failed: {_reason(exc)}", where=where) from None
        if not bound:
            who = f"as {o.bind_dn}" if o.bind_dn else "anonymously"
            raise SourceError(f"bind {who} to {o.url} failed: {_describe(conn.result)}",
                              where=self._spec.where_of("bind_dn" if o.bind_dn else "url"),
                              field="bind_dn")

    # -- reading ----------------------------------------------------------------------------

    def _read_members(self) -> Iterator[Record]:
        o = self._opts
        with self._connection() as conn:
            self._check_attributes(conn, "members", o.members.attributes)
            if o.groups is not None:
                self._check_attributes(conn, "groups", [o.groups.name])
            groups = self._read_groups(conn, o.groups) if o.groups else None
            wanted = list(o.members.attributes)
            wanted.append("userAccountControl")
            if o.groups is not None and o.groups.membership == "memberOf":
                wanted.append("memberOf")
            for entry in self._search(conn, "members", o.members, wanted):
                yield self._member(entry, groups)

    def _read_departments(self) -> Iterator[Record]:
        """One record per OU below the search base (the base itself is the root, which the
        mapping's ``root`` names): its attributes, ``dn``, ``ou_path`` (from below the base
        down to the OU itself, as a member's ``ou_path`` names it), ``ou_name`` and
        ``parent_dn`` (None for a top OU)."""
        search = self._opts.departments
        assert search is not None
        with self._connection() as conn:
            self._check_attributes(conn, "departments", search.attributes)
            for entry in self._search(conn, "departments", search, list(search.attributes)):
                dn: str = entry["dn"]
                names, parent = ou_own_path(dn, search.base)
                if not names:
                    continue  # the base itself, or an entry that is no OU
                if any("/" in ou for ou in names):
                    raise SourceError("an OU name holds '/', which ou_path uses between names",
                                      where=dn, field="ou_path")
                raw = _lowered(entry.get("raw_attributes") or {}, dn)
                values: dict[str, Value] = {
                    name: _dn_spelled(name, decode_values(name, raw.get(name.lower(), []),
                                                          where=dn))
                    for name in search.attributes}
                values.update(dn=dn_key(dn), ou_path="/".join(names), ou_name=names[-1],
                              parent_dn=parent)
                yield Record(values, where=dn)

    def _check_attributes(self, conn: ldap3.Connection, key: str,
                          names: Iterable[str]) -> None:
        known = self._schema_names(conn)
        if not known:
            return  # the server does not publish its schema to this account: nothing to check
        for name in names:
            if name.lower() not in known:
                raise SourceError(f"unknown attribute {name!r}: the server's schema has no "
                                  "such attribute type", where=self._spec.where_of(key),
                                  field=name)

    def _schema_names(self, conn: ldap3.Connection) -> set[str]:
        """The attribute type names of the server's subschema, lower-cased (read here rather
        than by ldap3's get_info=SCHEMA, which would then re-format every entry read)."""
        if self._known is not None:
            return self._known
        names: set[str] = set()
        try:
            conn.search("", "(objectClass=*)", ldap3.BASE, attributes=["subschemaSubentry"])
            root = conn.response[0]["raw_attributes"] if conn.response else {}
            subschema = _lowered(root, "").get("subschemasubentry") or []
            if subschema and conn.search(subschema[0].decode(), "(objectClass=subschema)",
                                         ldap3.BASE, attributes=["attributeTypes"]):
                raw = _lowered(conn.response[0]["raw_attributes"], "")
                for definition in raw.get("attributetypes", []):
                    block = _NAME_BLOCK.search(definition.decode(errors="replace"))
                    if block:
                        names.update(n.lower() for n in _NAMES.findall(block.group(1)))
        except LDAPException:
            names = set()
        self._known = names
        return names

    def _search(self, conn: ldap3.Connection, key: str, search: Search,
                attributes: list[str]) -> Iterator[Mapping[str, Any]]:
        """Every entry of a paged search, one page in memory at a time; SourceError for
        anything short of a complete result."""
        cookie: bytes | None = None
        page = 0
        seen = 0
        scope = ldap3.SUBTREE if search.scope == "subtree" else ldap3.LEVEL
        label = f"the {key} search under {search.base}"
        while True:
            page += 1
            try:
                conn.search(search.base, search.filter, scope, attributes=attributes,
                            paged_size=self._opts.page_size, paged_cookie=cookie,
                            size_limit=self._opts.size_limit,
                            time_limit=int(self._opts.timeout))
            except LDAPException as exc:
                raise SourceError(f"{label} failed at page {page} after {seen} entries: "
                                  f"{_reason(exc)}", where=self._spec.where_of(key),
                                  field="filter" if "filter" in type(exc).__name__.lower()
                                  else None) from None
            self.pages_fetched += 1
            response, result = conn.response or [], conn.result
            refs = [r for r in response if r.get("type") == "searchResRef"]
            if refs:
                uri = ", ".join(refs[0].get("uri") or [])
                raise SourceError(f"{label}: page {page} holds a referral to {uri}, which is "
                                  "not followed, so the read is incomplete (search a server "
                                  "holding the whole subtree, e.g. a global catalog)",
                                  where=self._spec.where_of(key))
            if result["result"] != 0:
                why = _RESULT_TEXT.get(result["result"], "the server answered with an error")
                raise SourceError(f"{label} failed at page {page} after {seen} entries: {why} "
                                  f"({_describe(result)}); nothing is planned from a partial "
                                  "read", where=self._spec.where_of(key))
            conn.response = None  # drop the page before the next one arrives
            for entry in response:
                if entry.get("type") == "searchResEntry":
                    seen += 1
                    yield entry
            del response
            control = (result.get("controls") or {}).get("1.2.840.113556.1.4.319") or {}
            cookie = (control.get("value") or {}).get("cookie")
            if not cookie:
                return

    def _read_groups(self, conn: ldap3.Connection, groups: GroupSearch) -> _Groups:
        link = "memberOf" if groups.membership == "memberOf" else "member"
        index = _Groups(groups.membership)
        for entry in self._search(conn, "groups", groups, [groups.name, link]):
            dn = entry["dn"]
            raw = _lowered(entry.get("raw_attributes") or {}, dn)
            name = decode_values(groups.name, raw.get(groups.name.lower(), []), where=dn)
            if not isinstance(name, str) or not name.strip():
                raise SourceError(f"the group has no single {groups.name} to name its tag",
                                  where=dn, field=groups.name)
            links = decode_values(link, raw.get(link.lower(), []), where=dn)
            index.add(dn_key(dn), name.strip(), [dn_key(v) for v in _as_list(links)])
        return index

    def _member(self, entry: Mapping[str, Any], groups: _Groups | None) -> Record:
        dn: str = entry["dn"]
        raw = _lowered(entry.get("raw_attributes") or {}, dn)
        names = self._opts.members.attributes
        values: dict[str, Value] = {}
        for name in names:
            values[name] = _dn_spelled(name, decode_values(name, raw.get(name.lower(), []),
                                                           where=dn))
        values["dn"] = dn_key(dn)
        ous = ou_names(dn, self._opts.members.base)
        if any("/" in ou for ou in ous):
            raise SourceError("an OU name holds '/', which ou_path uses between names",
                              where=dn, field="ou_path")
        values["ou_path"] = "/".join(ous) or None
        uac = decode_values("userAccountControl", raw.get("useraccountcontrol", []), where=dn)
        if isinstance(uac, str):
            try:
                flags = int(uac)
            except ValueError:
                raise SourceError(f"userAccountControl is not a number: {uac!r}", where=dn,
                                  field="userAccountControl") from None
            values["disabled"] = "true" if flags & _ACCOUNTDISABLE else "false"
        else:
            values["disabled"] = None
        if groups is not None:
            member_of = decode_values("memberOf", raw.get("memberof", []), where=dn)
            values["groups"] = groups.tags(dn_key(dn), [dn_key(v) for v in _as_list(member_of)])
        return Record(values, where=dn)


class _Groups:
    """Groups by normalised DN: their tag names and the groups they are members of."""

    def __init__(self, membership: str) -> None:
        self._membership = membership
        self._names: dict[str, str] = {}
        self._parents: dict[str, set[str]] = {}
        self._direct: dict[str, set[str]] = {}  # with member: entry DN → its groups
        self._closure: dict[str, frozenset[str]] = {}

    def add(self, key: str, name: str, links: list[str]) -> None:
        self._names[key] = name
        if self._membership == "memberOf":
            self._parents.setdefault(key, set()).update(links)
        else:
            for member in links:
                self._direct.setdefault(member, set()).add(key)
                self._parents.setdefault(member, set()).add(key)

    def _ancestors(self, group: str) -> frozenset[str]:
        cached = self._closure.get(group)
        if cached is not None:
            return cached
        seen: set[str] = set()
        todo = [group]
        while todo:  # breadth-first, so a cycle of nested groups ends
            current = todo.pop()
            if current in seen or current not in self._names:
                continue
            seen.add(current)
            todo.extend(self._parents.get(current, ()))
        result = frozenset(seen)
        self._closure[group] = result
        return result

    def tags(self, entry: str, member_of: list[str]) -> list[str] | None:
        direct = set(member_of) if self._membership == "memberOf" else self._direct.get(entry,
                                                                                       set())
        found: set[str] = set()
        for group in direct:
            found |= self._ancestors(group)
        return sorted({self._names[g] for g in found}) or None


def _lowered(raw: Mapping[str, list[bytes]], dn: str) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for key, values in raw.items():
        if ";range=" in key.lower():
            # AD hands out large multi-valued attributes in ranges; taking the first range
            # would be a partial read.
            raise SourceError(f"the server returned {key} (a ranged, incomplete attribute); "
                              "use groups: {membership: memberOf} for large groups",
                              where=dn, field=key.split(";", 1)[0])
        out[key.lower()] = list(values)
    return out


def _dn_spelled(name: str, value: Value) -> Value:
    """A DN-valued attribute (manager, managedBy, …) in ``dn``'s spelling, so a mapping can
    match it against ``dn``."""
    if name.lower() not in _DN_ATTRIBUTES or value is None:
        return value
    return [dn_key(v) for v in value] if isinstance(value, list) else dn_key(value)


def _as_list(value: Value) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _describe(result: Mapping[str, Any] | None) -> str:
    if not result:
        return "no answer"
    text = str(result.get("description") or result.get("result"))
    message = str(result.get("message") or "").strip()
    return f"{text}: {message}" if message else text


def _reason(exc: LDAPException) -> str:
    text = str(exc).strip("()\"',")
    return text or type(exc).__name__


def open_ldap(spec: InputSpec) -> LdapSource:
    """The ``type: ldap`` factory: options checked now, the server contacted when read."""
    return LdapSource(parse_options(spec), spec)


register_source_type("ldap", open_ldap)
