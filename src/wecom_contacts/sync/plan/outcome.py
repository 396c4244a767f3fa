"""What the user phase leaves for tags and department deletions: one record per member.

The tag phase looks up every tag member, and the deletions every member still in a
department. Those lookups once went to five parallel tables of every member (final userid,
managed, in the users section, matched, departments at the end); at 100,000 members each
table is megabytes, and each lookup in each table left the CPU caches. One record per
member, found by one lookup of its lowered userid, answers all of them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from ..desired.model import DesiredUser
from ..live.model import LiveUser
from .scope import Scope

__all__ = ["Person", "UserOutcome"]


class Person:
    """One member: live, desired, or both (matched), under one lowered userid."""

    __slots__ = ("desired", "ends_in", "final", "final_key", "live", "managed", "matched",
                 "wish")

    def __init__(self, final: str, final_key: str, live: LiveUser | None) -> None:
        self.final = final  # the userid after the plan (a rename's new one)
        self.final_key = final_key  # lowered
        self.live = live  # the live member under this key
        self.desired = False  # in the users section under this key
        self.managed = False  # a desired member the plan manages (created or kept in step)
        self.matched = False  # live, and claimed by a desired member (by userid or rename)
        self.ends_in: list[int] | None = None  # live: departments at the end, None = unchanged
        self.wish: DesiredUser | None = None  # live: the desired member it is kept in step with

    def departments_at_end(self) -> list[int]:
        """A live member's departments once the plan has run."""
        if self.ends_in is not None:
            return self.ends_in
        return self.live.department_ids if self.live is not None else []

    def is_managed(self, scope: Scope) -> bool:
        """Managed by the plan: a desired member it manages, or a live one in its scope."""
        return self.managed or (self.live is not None and scope.has_user(self.live))


@dataclass
class UserOutcome:
    """What tags and department deletions need to know about the user steps."""

    managed: bool  # the desired state has a users section
    people: dict[str, Person] = field(default_factory=dict)  # lowered userid (live or new)
    steps: dict[str, int] = field(default_factory=dict)  # lower final userid → create/rename
    removed: set[str] = field(default_factory=set)  # lower live userids deleted
    # the live userids (as WeCom has them) of members kept in step under their own userid
    # (no rename): the tag phase finds most of a big tag's members here by set operations
    settled: set[str] = field(default_factory=set)
    leaving: dict[int, list[int]] = field(default_factory=dict)  # dept → steps moving users out
    fixed_mobiles: list[str] = field(default_factory=list)  # activated: mobile not changeable

    def final(self, key: str, default: str) -> str:
        """The userid that the member under lowered ``key`` has after the plan."""
        person = self.people.get(key)
        if person is None or (person.live is None and not person.managed):
            return default  # not live, and not a member the plan creates
        return person.final

    def staying(self, departments: Collection[int]) -> dict[int, list[str]]:
        """Department → lower live userids still in it after the plan, for these
        departments (the ones the plan would delete: most plans have none, and then no
        member is looked at)."""
        result: dict[int, list[str]] = {}
        if not departments:
            return result
        asked = set(departments)
        for key, person in self.people.items():
            live = person.live
            if live is None:
                continue
            ends_in = person.ends_in
            for dept_id in live.department_ids if ends_in is None else ends_in:
                if dept_id in asked:
                    result.setdefault(dept_id, []).append(key)
        return result
