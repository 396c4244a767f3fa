"""The desired directory in memory: departments by path, users, tags (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

__all__ = [
    "CONTACT_FIELDS",
    "UNIQUE_FIELDS",
    "USER_FIELDS",
    "DeptRef",
    "DesiredDepartment",
    "DesiredDirectory",
    "DesiredTag",
    "DesiredUser",
    "Membership",
    "format_ref",
    "join_path",
    "split_path",
    "unique_key",
    "unique_texts",
]

DeptRef = Union[str, int]  # noqa: UP007 (a runtime alias must work on 3.10)
"""A department as a desired file names it: a path (``"总部/研发中心"``) or an id."""

# Writable member fields compared one by one (wire names). Department membership, leader
# flags, per-department order, main_department and direct_leader are handled apart because
# they refer to departments and users.
USER_FIELDS: tuple[str, ...] = (
    "name",
    "alias",
    "mobile",
    "email",
    "biz_mail",
    "position",
    "gender",
    "telephone",
    "address",
    "external_position",
    "extattr",
    "external_profile",
    "enable",
)


# Fields no two members may share (60104 / 60106 / 60145), compared as WeCom compares them.
UNIQUE_FIELDS: tuple[str, ...] = ("mobile", "email", "biz_mail")
# A member must keep one of these (60129).
CONTACT_FIELDS: tuple[str, ...] = ("mobile", "email")


def unique_key(name: str, value: Any) -> tuple[str, str]:
    """How WeCom tells two values of a unique field apart: mobiles without spaces, dashes
    or the default +86; e-mail addresses ignoring case."""
    text = str(value).strip()
    if name == "mobile":
        text = text.replace(" ", "").replace("-", "")
        return name, text[3:] if text.startswith("+86") else text
    return name, text.lower()


def unique_texts(name: str, values: list[Any]) -> list[str]:
    """``unique_key(name, v)[1]`` for each of ``values``: the same rule, a column at a time
    (a source checks 100,000 members' mobiles and e-mails at once; one call per value cost a
    tenth of the read). tests/sync pins the two to each other."""
    texts = list(map(str.strip, map(str, values)))
    if name == "mobile":
        texts = [t.replace(" ", "").replace("-", "") for t in texts]
        return [t[3:] if t.startswith("+86") else t for t in texts]
    return list(map(str.lower, texts))


def split_path(path: str) -> tuple[str, ...]:
    """``"总部/研发中心"`` → ``("总部", "研发中心")``; ``\\/`` is a slash inside a name.

    WeCom forbids ``\\`` in department names but allows ``/``, so a backslash can only be
    an escape here.
    """
    parts: list[str] = []
    current: list[str] = []
    chars = iter(path)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == "/":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return tuple(parts)


def join_path(parts: tuple[str, ...]) -> str:
    """The inverse of ``split_path``."""
    return "/".join(p.replace("/", "\\/") for p in parts)


def format_ref(ref: DeptRef) -> str:
    return ref if isinstance(ref, str) else f"#{ref}"


@dataclass(slots=True)
class DesiredDepartment:
    """A department: its full path from the root (the root is a one-element path)."""

    path: tuple[str, ...]
    id: int | None = None
    name_en: str | None = None  # None: not managed (the live value is kept)
    order: int | None = None
    previous_path: tuple[str, ...] | None = None  # where it was before a rename or move
    origin: str = ""  # "org.yaml, line 12": for messages

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass(slots=True)
class Membership:
    """A user's place in one department."""

    department: DeptRef
    leader: bool = False
    order: int | None = None  # None: keep the live per-department order (0 for new)


@dataclass(slots=True)
class DesiredUser:
    """A member. ``fields`` holds the managed ``USER_FIELDS`` only (wire names).

    A field missing from ``fields`` is not managed: the plan never changes it. ``""`` (or
    ``[]``) clears a field.
    """

    userid: str
    fields: dict[str, Any]
    departments: list[Membership] | None = None  # None: membership not managed
    main_department: DeptRef | None = None
    direct_leader: list[str] | None = None
    previous_userid: str | None = None
    avatar_mediaid: str | None = None  # write-only in WeCom: sent on create only
    origin: str = ""
    key: str = field(init=False, repr=False, compare=False)  # the lower userid, made once

    def __post_init__(self) -> None:
        self.key = self.userid.lower()


@dataclass(slots=True)
class DesiredTag:
    """A tag by name (and optionally id); member lists of None are not managed."""

    name: str
    id: int | None = None
    users: list[str] | None = None
    departments: list[DeptRef] | None = None
    origin: str = ""


@dataclass
class DesiredDirectory:
    """What the directory should be. A section that is None is not managed at all."""

    departments: list[DesiredDepartment] | None = None
    users: list[DesiredUser] | None = None
    tags: list[DesiredTag] | None = None
    source: str = ""
    # the departments section is the tree the members' paths name (departments: from-members,
    # or a mapping's): a plan problem about a department then says so
    departments_derived: bool = False

    @property
    def root_name(self) -> str | None:
        """The root department's name, from the first department path."""
        if self.departments:
            return self.departments[0].path[0]
        return None
