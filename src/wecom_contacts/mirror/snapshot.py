"""The mirrored directory as rows: departments, members (with memberships) and tags.

A ``Snapshot`` is what a target holds and what a live read of WeCom gives; the diff of two
snapshots is what a full pass writes. Rows are frozen and compare by value, so "changed" is
plain inequality.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from .errors import IncompleteReadError

if TYPE_CHECKING:
    from ..sync import LiveDirectory, LiveUser

__all__ = [
    "MEMBER_TEXT_FIELDS",
    "DepartmentRow",
    "MemberRow",
    "Membership",
    "Snapshot",
    "TagRow",
    "check_complete",
    "member_from_live",
    "snapshot_from_live",
]

# Plain text member fields, by their WeCom wire names (also the SQL column names).
MEMBER_TEXT_FIELDS: tuple[str, ...] = (
    "alias", "mobile", "email", "biz_mail", "position", "gender", "telephone", "address",
    "external_position",
)
# Structured fields kept as canonical JSON text (sorted keys), so that equal values compare equal.
MEMBER_JSON_FIELDS: tuple[str, ...] = ("extattr", "external_profile")


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    id: int
    name: str
    parent_id: int
    order: int = 0
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    department_id: int
    is_leader: bool = False
    order: int = 0


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member. ``departments`` in WeCom's order; ``extattr`` / ``external_profile`` as JSON."""

    userid: str
    name: str
    departments: tuple[Membership, ...] = ()
    main_department: int | None = None
    direct_leader: tuple[str, ...] = ()
    enable: bool = True
    activated: bool = False
    alias: str | None = None
    mobile: str | None = None
    email: str | None = None
    biz_mail: str | None = None
    position: str | None = None
    gender: str | None = None
    telephone: str | None = None
    address: str | None = None
    external_position: str | None = None
    extattr: str | None = None
    external_profile: str | None = None

    def changed_fields(self, other: MemberRow) -> list[str]:
        """Names of the fields whose values differ from ``other``'s."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True, slots=True)
class TagRow:
    """A tag; ``users`` and ``departments`` sorted, so that order does not count as a change."""

    id: int
    name: str
    users: tuple[str, ...] = ()
    departments: tuple[int, ...] = ()

    @classmethod
    def of(cls, id: int, name: str, users: Iterable[str] = (),
           departments: Iterable[int] = ()) -> TagRow:
        return cls(id, name, tuple(sorted(set(users))), tuple(sorted(set(departments))))

    def with_members(self, users: Iterable[str], departments: Iterable[int]) -> TagRow:
        return replace(self, users=tuple(sorted(set(users))),
                       departments=tuple(sorted(set(departments))))


@dataclass
class Snapshot:
    """Departments by id, members by userid, tags by id."""

    departments: dict[int, DepartmentRow] = field(default_factory=dict)
    members: dict[str, MemberRow] = field(default_factory=dict)
    tags: dict[int, TagRow] = field(default_factory=dict)

    def size(self) -> int:
        return len(self.departments) + len(self.members) + len(self.tags)


def canonical_json(value: Any) -> str | None:
    """Sorted, compact JSON; None for an empty value."""
    if value in (None, "", [], {}):
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def member_from_live(user: LiveUser) -> MemberRow:
    """A member row from the sync package's normalised live member."""
    data = user.fields
    return MemberRow(
        userid=user.userid,
        name=str(data.get("name") or ""),
        departments=tuple(Membership(d, leader, order) for d, leader, order in user.memberships),
        main_department=user.main_department,
        direct_leader=tuple(user.direct_leader),
        enable=bool(data.get("enable", True)),
        activated=user.activated,
        **{k: _text(data.get(k)) for k in MEMBER_TEXT_FIELDS},
        **{k: canonical_json(data.get(k)) for k in MEMBER_JSON_FIELDS},
    )


def snapshot_from_live(live: LiveDirectory) -> Snapshot:
    """The rows of a live read (``wecom_contacts.sync.read_live``), checked for completeness."""
    snap = Snapshot(
        departments={
            d.id: DepartmentRow(d.id, d.name, d.parent_id, d.order, d.name_en or None)
            for d in live.departments.values()
        },
        members={u.userid: member_from_live(u) for u in live.users.values()},
        tags={t.id: TagRow.of(t.id, t.name, t.users, t.departments) for t in live.tags.values()},
    )
    check_complete(snap)
    return snap


def check_complete(snap: Snapshot) -> None:
    """Refuse a read that cannot be whole: no department at all, or a member in a department
    the department read did not return. Such a read must never lead to deletions (what is
    missing would look deleted). A department whose parent is out of sight is fine: a secret
    may see a subtree only."""
    problems: list[str] = []
    for member in snap.members.values():
        missing = [m.department_id for m in member.departments
                   if m.department_id not in snap.departments]
        if missing:
            problems.append(f"member {member.userid!r} is in department(s) {missing} "
                            "that the department read did not return")
    if not snap.departments:
        problems.append("the department read returned no department")
    if problems:
        raise IncompleteReadError(problems)
