"""The LDAP target (OpenLDAP and the like, through ldap3): an OU tree, inetOrgPerson
members, groupOfNames tags; every write goes through a journal that a later run finishes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import ldap3  # type: ignore[import-untyped]
from ldap3.core.exceptions import LDAPException  # type: ignore[import-untyped]

from .diff import Diff
from .errors import TargetError, TargetURLError
from .ldap_journal import LDAPJournal
from .ldap_map import LDAPMapping, desired_entries, identity_of
from .ldap_plan import Current, Leavers, plan_ops
from .snapshot import DepartmentRow, MemberRow, Snapshot, TagRow

__all__ = ["LDAPTarget"]

_ALREADY_EXISTS = 68
_NO_SUCH_OBJECT = 32


def _apply_diff(snap: Snapshot, diff: Diff) -> Snapshot:
    new = Snapshot(dict(snap.departments), dict(snap.members), dict(snap.tags))
    for d in diff.departments.removed:
        new.departments.pop(d.id, None)
    for d in [*diff.departments.added, *(b for _a, b in diff.departments.changed)]:
        new.departments[d.id] = d
    for m in diff.members.removed:
        new.members.pop(m.userid, None)
    for m in [*diff.members.added, *(b for _a, b in diff.members.changed)]:
        new.members[m.userid] = m
    for t in diff.tags.removed:
        new.tags.pop(t.id, None)
    for t in [*diff.tags.added, *(b for _a, b in diff.tags.changed)]:
        new.tags[t.id] = t
    return new


class LDAPTarget:
    """A mirror in an LDAP directory under ``base_dn``.

    Args:
        leavers: ``"disable"`` keeps a leaver's entry where it is with the status attribute
            set to ``disabled`` (moved to the former OU only if its OU goes away);
            ``"move"`` also moves it to ``ou=former``.
        journal: the 0600 SQLite file holding the mirrored rows and the operation journal
            (default: ``ldap-mirror-<hash of URL and base>.sqlite`` in the current folder).
    """

    def __init__(self, url: str, *, base_dn: str | None = None, bind_dn: str | None = None,
                 password: str | None = None, leavers: Leavers = "disable",
                 mapping: LDAPMapping | None = None, journal: Path | str | None = None) -> None:
        if not base_dn:
            raise TargetURLError("an LDAP target needs a base DN (--ldap-base-dn)")
        if leavers not in ("disable", "move"):
            raise TargetURLError(f"--ldap-leavers must be disable or move, not {leavers!r}")
        self.base = base_dn
        self.leavers: Leavers = leavers
        self.mapping = mapping or LDAPMapping()
        self.description = f"{url} ({base_dn})"
        if journal is None:
            digest = hashlib.sha256(f"{url}|{base_dn}".encode()).hexdigest()[:10]
            journal = Path(f"ldap-mirror-{digest}.sqlite")
        try:
            server = ldap3.Server(url, get_info=ldap3.NONE, connect_timeout=10)
            self._conn: Any = ldap3.Connection(server, bind_dn, password, receive_timeout=30,
                                               raise_exceptions=False)
            if not self._conn.bind():
                reason = self._conn.result.get("description")
                self._conn.unbind()
                raise TargetError(f"{self.description}: bind as {bind_dn!r} refused: {reason}")
        except LDAPException as exc:
            raise TargetError(f"{self.description}: {exc}") from None
        self.journal = LDAPJournal(Path(journal))
        self.resume()

    def close(self) -> None:
        self._conn.unbind()
        self.journal.close()

    # ---- reading (the rows the journal says LDAP shows) -------------------------------

    def load(self) -> Snapshot:
        return self.journal.snapshot()

    def member(self, userid: str) -> MemberRow | None:
        return self.journal.member(userid)

    def department(self, dept_id: int) -> DepartmentRow | None:
        return self.journal.department(dept_id)

    def tag(self, tag_id: int) -> TagRow | None:
        return self.journal.tag(tag_id)

    def tags_with_user(self, userid: str) -> list[TagRow]:
        return [t for t in self.journal.tags() if userid in t.users]

    def get_state(self, key: str) -> str | None:
        return self.journal.get_state(key)

    def set_state(self, values: dict[str, str]) -> None:
        self.journal.set_state(values)

    # ---- writing ----------------------------------------------------------------------

    def apply(self, diff: Diff) -> None:
        """Finish any earlier run, then compare the wanted entries with the directory (so
        that changes made in LDAP by hand are repaired too), journal the operations, run
        them."""
        self.resume()
        wanted = desired_entries(_apply_diff(self.journal.snapshot(), diff), self.mapping,
                                 self.base)
        current, containers = self._read()
        ops = plan_ops(wanted, current, mapping=self.mapping, base=self.base,
                       leavers=self.leavers, containers=containers)
        if not ops and not len(diff):
            return
        self.journal.begin(diff, ops)
        self.resume()

    def resume(self) -> int:
        """Run the journal's pending operations in order; returns how many ran. Stops at the
        first failure (TargetError), leaving it and the rest for the next run."""
        pending = self.journal.pending()
        for seq, op in pending:
            error = self._run(op)
            if error:
                self.journal.failed(seq, error)
                raise TargetError(
                    f"{self.description}: {op['op']} {op['dn']!r} failed: {error}; "
                    f"{len(self.journal.pending())} operation(s) kept in {self.journal.path}, "
                    "the next run resumes there")
            self.journal.done(seq)
        return len(pending)

    def _result(self) -> tuple[int, str]:
        result = self._conn.result or {}
        return int(result.get("result", -1)), str(result.get("description", ""))

    def _exists(self, dn: str) -> dict[str, list[str]] | None:
        if not self._conn.search(dn, "(objectClass=*)", ldap3.BASE,
                                 attributes=["businessCategory"]):
            return None
        return {k: [str(x) for x in v] for k, v in self._conn.response[0]["attributes"].items()}

    def _run(self, op: dict[str, Any]) -> str | None:
        """One operation; None when done (also when an earlier, cut-off run had done it)."""
        try:
            kind = op["op"]
            if kind == "add":
                if self._conn.add(op["dn"], op["classes"], op["attributes"]):
                    return None
                code, text = self._result()
                if code == _ALREADY_EXISTS:
                    found = self._exists(op["dn"]) or {}
                    if op.get("container") or (
                            found.get("businessCategory") == op["attributes"].get(
                                "businessCategory")):
                        return self._modify_values(op) if not op.get("container") else None
                    return "an entry that the mirror did not make exists at that DN"
                return f"{text} ({code})"
            if kind == "modify":
                changes = {k: [(ldap3.MODIFY_REPLACE, v)] for k, v in op["replace"].items()}
                if self._conn.modify(op["dn"], changes):
                    return None
                code, text = self._result()
                return f"{text} ({code})"
            if kind == "moddn":
                if self._conn.modify_dn(op["dn"], op["rdn"], delete_old_dn=True,
                                        new_superior=op["superior"]):
                    return None
                code, text = self._result()
                if code == _NO_SUCH_OBJECT and self._exists(op["to"]) is not None:
                    return None
                return f"{text} ({code})"
            if self._conn.delete(op["dn"]):
                return None
            code, text = self._result()
            return None if code == _NO_SUCH_OBJECT else f"{text} ({code})"
        except LDAPException as exc:
            return f"{type(exc).__name__}: {exc}"

    def _modify_values(self, op: dict[str, Any]) -> str | None:
        changes = {k: [(ldap3.MODIFY_REPLACE, v)] for k, v in op["attributes"].items()
                   if k != "objectClass"}
        if self._conn.modify(op["dn"], changes):
            return None
        code, text = self._result()
        return f"{text} ({code})"

    def _read(self) -> tuple[dict[tuple[str, str], Current], set[str]]:
        """Entries of ours under the base, and which containers exist."""
        attributes = sorted({"uid", "ou", "cn", "member", "businessCategory",
                             self.mapping.status_attribute, *self.mapping.attributes})
        found: dict[tuple[str, str], Current] = {}
        try:
            pages = self._conn.extend.standard.paged_search(
                self.base, "(businessCategory=wecom-*)", ldap3.SUBTREE,
                attributes=attributes, paged_size=500, generator=True)
            for item in pages:
                if item.get("type") != "searchResEntry":
                    continue
                attrs = {k: [str(x) for x in (v if isinstance(v, list) else [v])]
                         for k, v in item["attributes"].items()}
                identity = identity_of(attrs)
                if identity is not None:
                    found[identity] = Current(item["dn"], attrs)
        except LDAPException as exc:
            raise TargetError(f"{self.description}: reading the tree failed: {exc}") from None
        code, text = self._result()
        if code not in (0, -1):
            raise TargetError(f"{self.description}: reading the tree failed: {text} ({code})")
        containers = {
            dn.lower() for dn in (f"ou={self.mapping.tags_ou},{self.base}",
                                  f"ou={self.mapping.former_ou},{self.base}")
            if self._exists(dn) is not None
        }
        return found, containers
