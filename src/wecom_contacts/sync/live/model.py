"""The live directory as the planner sees it: normalised departments, users and tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..desired.model import USER_FIELDS, split_path

__all__ = [
    "LiveDepartment",
    "LiveDirectory",
    "LiveTag",
    "LiveUser",
    "attr_content",
    "comparable",
    "same_value",
    "user_from_wire",
]


@dataclass(slots=True)
class LiveDepartment:
    id: int
    name: str
    parent_id: int
    order: int = 0
    name_en: str | None = None


@dataclass(slots=True)
class LiveUser:
    """A member: managed fields (``USER_FIELDS``, empty ones dropped) and memberships."""

    userid: str
    fields: dict[str, Any]
    memberships: list[tuple[int, bool, int]]  # (department id, is leader, order)
    main_department: int | None = None
    direct_leader: list[str] = field(default_factory=list)
    # status 1: WeCom then ignores API changes of the mobile (users.md, user/update)
    activated: bool = False
    # the lower-cased userid, made once: WeCom compares userids case-insensitively and the
    # planner looks each user up in several tables keyed by it (the same string object each
    # time, so a lookup's key comparison is a pointer check; bench/plan_scaling.py)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = self.userid.lower()

    @property
    def department_ids(self) -> list[int]:
        return [m[0] for m in self.memberships]


@dataclass(slots=True)
class LiveTag:
    id: int
    name: str
    users: list[str] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)


def comparable(value: Any) -> Any:
    """A value with empty parts removed, so that ``""``, ``None``, ``[]`` and ``{}`` are equal.

    WeCom echoes objects such as ``external_profile`` with empty members filled in (and a
    read-only ``status``), which must not count as a difference.
    """
    if isinstance(value, dict):
        pruned = {k: comparable(v) for k, v in value.items() if k != "status"}
        return {k: v for k, v in sorted(pruned.items()) if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


def same_value(a: Any, b: Any) -> bool:
    """Equal once empty parts are dropped; every kind of empty value equals every other."""
    ca, cb = comparable(a), comparable(b)
    if ca in (None, "", [], {}) and cb in (None, "", [], {}):
        return True
    return bool(ca == cb)


def attr_content(attr: dict[str, Any] | None) -> Any:
    """What a custom attribute (an ``extattr.attrs`` item) holds; None when it is empty, so
    that a cleared attribute equals a missing one."""
    if attr is None:
        return None
    body = comparable({k: v for k, v in attr.items() if k not in ("name", "type")})
    return (str(attr.get("type", "")), body) if body else None


def user_from_wire(raw: dict[str, Any]) -> LiveUser:
    """A member from a ``user/get`` or ``user/list`` record (wire names)."""
    fields: dict[str, Any] = {}
    for key in USER_FIELDS:
        value = raw.get(key)
        if key == "enable":
            # status 2 is "disabled" when a server leaves enable out
            value = bool(value) if value is not None else raw.get("status") != 2
        elif key == "gender" and str(value) == "0":  # "0" is "not set / not visible"
            value = None
        elif key in ("extattr", "external_profile"):
            value = value if comparable(value) else None
        if value not in (None, ""):
            fields[key] = value
    depts = [int(d) for d in raw.get("department") or []]
    leaders = list(raw.get("is_leader_in_dept") or [])
    orders = list(raw.get("order") or [])
    memberships = [
        (d, bool(leaders[i]) if i < len(leaders) else False,
         int(orders[i]) if i < len(orders) else 0)
        for i, d in enumerate(depts)
    ]
    main = raw.get("main_department")
    return LiveUser(
        userid=str(raw["userid"]),
        fields=fields,
        memberships=memberships,
        main_department=int(main) if main else None,
        direct_leader=[str(u) for u in raw.get("direct_leader") or []],
        activated=str(raw.get("status")) == "1",
    )


@dataclass
class LiveDirectory:
    """What the directory holds now. ``users`` is keyed by the lower-cased userid (WeCom
    compares userids case-insensitively)."""

    departments: dict[int, LiveDepartment]
    users: dict[str, LiveUser]
    tags: dict[int, LiveTag]

    @classmethod
    def from_records(
        cls,
        departments: Iterable[LiveDepartment],
        users: Iterable[LiveUser] = (),
        tags: Iterable[LiveTag] = (),
    ) -> LiveDirectory:
        return cls(
            {d.id: d for d in departments}, {u.key: u for u in users},
            {t.id: t for t in tags},
        )

    @cached_property
    def children(self) -> dict[int, list[int]]:
        """Department id → ids of its direct children, by order (larger first), then id."""
        result: dict[int, list[int]] = {}
        for dept in sorted(self.departments.values(), key=lambda d: (-d.order, d.id)):
            if dept.id != 1:
                result.setdefault(dept.parent_id, []).append(dept.id)
        return result

    @cached_property
    def paths(self) -> dict[int, tuple[str, ...]]:
        """Department id → its names from the root; orphans (a parent out of sight) are
        rooted at themselves."""
        result: dict[int, tuple[str, ...]] = {}
        stack: list[tuple[int, tuple[str, ...]]] = [
            (d, (self.departments[d].name,)) for d in self.departments
            if self.departments[d].parent_id not in self.departments or d == 1
        ]
        while stack:
            dept_id, path = stack.pop()
            result[dept_id] = path
            for child in self.children.get(dept_id, ()):
                if child not in result:
                    stack.append((child, (*path, self.departments[child].name)))
        return result

    def find_path(self, path: str | tuple[str, ...]) -> int | None:
        """The id of the department at ``path``; the first name always means the root (id 1)."""
        parts = split_path(path) if isinstance(path, str) else path
        if 1 not in self.departments or not parts:
            return None
        current = 1
        for name in parts[1:]:
            found = next(
                (c for c in self.children.get(current, ()) if self.departments[c].name == name),
                None,
            )
            if found is None:
                return None
            current = found
        return current

    def subtree(self, top: int) -> set[int]:
        """``top`` and every department below it."""
        result: set[int] = set()
        stack = [top]
        while stack:
            dept_id = stack.pop()
            if dept_id in result:
                continue
            result.add(dept_id)
            stack.extend(self.children.get(dept_id, ()))
        return result

    def members(self) -> dict[int, list[str]]:
        """Department id → lower-cased userids of its members."""
        result: dict[int, list[str]] = {}
        for key, user in self.users.items():
            for dept_id in user.department_ids:
                result.setdefault(dept_id, []).append(key)
        return result
