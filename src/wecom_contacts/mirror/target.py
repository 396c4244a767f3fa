"""What a mirror target offers (SQL or LDAP) and how a --target URL picks one."""

from __future__ import annotations

from typing import Any, Protocol

from .._extras import require
from .diff import Diff
from .errors import TargetURLError
from .snapshot import DepartmentRow, MemberRow, Snapshot, TagRow

__all__ = ["Target", "open_target"]


class Target(Protocol):
    """A place the directory is copied to. ``apply`` writes a diff whole or not at all (SQL:
    one transaction; LDAP: a journaled sequence that a later ``apply`` or ``resume`` finishes)."""

    description: str

    def load(self) -> Snapshot:
        """Everything the target holds, as rows."""

    def member(self, userid: str) -> MemberRow | None: ...

    def department(self, dept_id: int) -> DepartmentRow | None: ...

    def tag(self, tag_id: int) -> TagRow | None: ...

    def tags_with_user(self, userid: str) -> list[TagRow]: ...

    def apply(self, diff: Diff) -> None:
        """Write the diff."""

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, values: dict[str, str]) -> None: ...

    def close(self) -> None: ...


def open_target(url: str, **options: Any) -> Target:
    """The target for ``url``: ``ldap://`` / ``ldaps://`` → LDAP (options: see
    ``LDAPOptions``); anything else is a SQLAlchemy URL (``sqlite:///mirror.db``,
    ``postgresql+psycopg://…``)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("ldap", "ldaps"):
        require("ldap3", extra="ldap", feature="an LDAP mirror target")
        from .ldap_target import LDAPTarget

        return LDAPTarget(url, **options)
    if "://" not in url:
        raise TargetURLError(
            f"--target {url!r}: give a URL: sqlite:///path/mirror.db, "
            "postgresql+psycopg://user@host/db, or ldap://host (ldaps://host)")
    if options:
        raise TargetURLError(f"options {sorted(options)} apply to LDAP targets only")
    require("sqlalchemy", extra="sql", feature="an SQL mirror target", dist="SQLAlchemy")
    from .sql_target import SQLTarget

    return SQLTarget(url)
