"""A department tree derived from the members: the union of the paths they name.

An HR export lists people, not departments. ``departments: from-members`` (a desired-state
document), ``--departments-from-members`` (the CLI, for any desired-state file) and a
mapping's ``departments: {manage: true}`` all mean the same: the departments to have are
exactly those some member's path names, with their ancestors. The tree is then managed
like a written ``departments:`` section: missing departments are created, and departments
no member names are deleted once empty (deletion caps apply).

A document without a ``departments`` section still leaves departments alone (members then
name existing departments): a file written that way before must not start deleting every
department its members do not name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Literal

from ..errors import DesiredStateError
from .model import DesiredDepartment, DesiredDirectory, DesiredUser, split_path

__all__ = ["DERIVED", "Problem", "departments_from_members", "with_departments_from_members"]

DERIVED = "from-members"
"""The value of a document's ``departments`` key that asks for the derived tree."""

Problem = Callable[[DesiredUser, Literal["id", "root"], str], None]
"""Called as (member, kind, what is wrong) for a department the derived tree cannot hold
(named by id, or under another root); the department is then left out (a source collects
every row's problem this way)."""


def _raise(user: DesiredUser, kind: str, message: str) -> None:
    raise DesiredStateError(message, where=user.origin)


def departments_from_members(users: Iterable[DesiredUser],
                             problem: Problem = _raise) -> list[DesiredDepartment]:
    """Every department a member's path names, with its ancestors, parents first.

    A member that names a department by id (an existing WeCom department: it says nothing
    of a path to create), or by a path under another root than the first one seen, is a
    ``problem`` (by default DesiredStateError naming the member's place).
    """
    by_path: dict[tuple[str, ...], DesiredDepartment] = {}
    split: dict[str, tuple[str, ...]] = {}
    root: tuple[str, str] | None = None
    for user in users:
        for member in user.departments or ():
            ref = member.department
            if not isinstance(ref, str):
                problem(user, "id", f"user {user.userid} names department #{ref} by id: with the "
                        "departments derived from the members, name each department by its "
                        "path (总部/研发中心)")
                continue
            parts = split.get(ref)
            if parts is None:
                parts = split[ref] = split_path(ref)
            if root is None:
                root = (parts[0], user.origin)
            elif parts[0] != root[0]:
                problem(user, "root", f"department {ref!r} does not start with the root "
                        f"{root[0]!r} of {root[1]}: all paths share one root")
                continue
            if parts in by_path:
                continue
            for depth in range(1, len(parts) + 1):
                if parts[:depth] not in by_path:
                    # the root is matched to WeCom's root, never renamed after a path
                    origin = "implied" if depth == 1 else user.origin
                    by_path[parts[:depth]] = DesiredDepartment(parts[:depth], origin=origin)
    return sorted(by_path.values(), key=lambda d: len(d.path))


def with_departments_from_members(directory: DesiredDirectory) -> DesiredDirectory:
    """``directory`` with its department tree derived from its members (DesiredStateError when it
    has a departments section of its own, or no members)."""
    if directory.departments is not None:
        raise DesiredStateError("the departments are derived from the members, but the "
                                "desired state has a departments section of its own: give one "
                                "or the other", where=directory.source)
    if directory.users is None:
        raise DesiredStateError("the departments are derived from the members, but the "
                                "desired state has no users section", where=directory.source)
    return replace(directory, departments=departments_from_members(directory.users),
                   departments_derived=True)
