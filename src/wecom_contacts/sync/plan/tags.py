"""Tag diff: create and rename tags, add and remove members (users and departments)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

from ..desired.model import DesiredDirectory, DesiredTag
from ..live.model import LiveDirectory, LiveTag
from .build import Builder, Target, step_of
from .departments import DeptIndex, Unresolved
from .outcome import Person, UserOutcome
from .scope import Scope
from .types import ref

__all__ = ["plan_tags"]

# tag/addtagusers and deltagusers take at most 1,000 users and 100 departments per call
_MAX_USERS = 1000
_MAX_DEPARTMENTS = 100


def plan_tags(desired: DesiredDirectory, live: LiveDirectory, scope: Scope, index: DeptIndex,
              users: UserOutcome, b: Builder) -> list[tuple[int, int]]:
    """Emit tag steps; returns (department id, step) for departments taken out of tags."""
    if desired.tags is None:
        return []
    matched: dict[str, LiveTag] = {}
    by_name = {t.name: t for t in live.tags.values()}
    claimed: set[int] = set()
    for tag in desired.tags:
        if tag.id is not None and tag.id in live.tags:
            matched[tag.name] = live.tags[tag.id]
            claimed.add(tag.id)
    for tag in desired.tags:
        found = by_name.get(tag.name)
        if tag.name not in matched and found is not None and found.id not in claimed:
            matched[tag.name] = found
            claimed.add(found.id)
    deleting = scope.departments is None  # tags are corp-wide: only a whole-directory plan
    freed, gone = _vacate(desired.tags, matched, by_name, claimed, deleting, b)
    removed_departments: list[tuple[int, int]] = []
    for tag in desired.tags:
        current = matched.get(tag.name)
        target: Target
        create_step: int | None = None
        if current is None:
            params: dict[str, Any] = {"name": tag.name}
            if tag.id is not None:
                params["id"] = tag.id
            create_step = b.add("tag.upsert", "tag.create", tag.name, params,
                                depends_on=[freed.get(tag.name)])
            target = ref(create_step)
        else:
            target = current.id
            if current.name != tag.name:
                b.add("tag.upsert", "tag.update", tag.name, {"id": current.id, "name": tag.name},
                      changes={"name": (current.name, tag.name)},
                      depends_on=[freed.get(tag.name)])
        try:
            removed_departments += _members(tag, current, target, create_step, live, scope,
                                            index, users, b)
        except Unresolved as exc:
            b.problems.append(f"{tag.origin}: tag {tag.name}: {exc}")
    if deleting:
        for live_tag in sorted(live.tags.values(), key=lambda t: t.id):
            if live_tag.id not in claimed and live_tag.id not in gone:
                b.add("tag.delete", "tag.delete", live_tag.name, {"id": live_tag.id},
                      changes={"name": (live_tag.name, None)})
    return removed_departments


def _vacate(tags: list[DesiredTag], matched: dict[str, LiveTag], by_name: dict[str, LiveTag],
            claimed: set[int], deleting: bool, b: Builder) -> tuple[dict[str, int], set[int]]:
    """Free the names that a tag created or renamed takes from another live tag.

    WeCom refuses two tags of one name (40071) and checks each call on its own: a holder
    that is deleted is deleted first; one that is renamed (a swap, or a chain in any order)
    first gets a temporary name. Returns (name → the step after which no tag holds it, ids
    of the tags deleted here).
    """
    freed: dict[str, int] = {}
    gone: set[int] = set()
    for tag in tags:
        holder = by_name.get(tag.name)
        if holder is None or matched.get(tag.name) is holder:
            continue
        if holder.id in claimed:  # renamed by the plan: park it under a temporary name
            suffix = f"~{holder.id}"
            temp = holder.name[: 32 - len(suffix)] + suffix
            freed[tag.name] = b.add(
                "tag.vacate", "tag.update", holder.name, {"id": holder.id, "name": temp},
                changes={"name": (holder.name, temp)},
                note=f"temporary name, frees the name for tag {tag.name}",
            )
        elif deleting:
            gone.add(holder.id)
            freed[tag.name] = b.add(
                "tag.vacate", "tag.delete", holder.name, {"id": holder.id},
                changes={"name": (holder.name, None)}, note=f"frees the name for tag {tag.name}",
            )
        else:
            b.warnings.append(
                f"{tag.origin}: tag {tag.name}: the name is held by tag #{holder.id}, which a "
                "subtree plan does not delete; WeCom will refuse it (40071)"
            )
    return freed, gone


def _user_ids(tag: DesiredTag, current: LiveTag | None, scope: Scope,
              users: UserOutcome) -> tuple[list[str], list[str]]:
    """(userids to add, userids to remove), as final userids, managed users only."""
    people = users.people

    def final(person: Person | None, default: str) -> str:
        if person is None or (person.live is None and not person.managed):
            return default
        return person.final

    quiet, desired_ids, live_ids = _unsettled(tag.users or (), current.users if current else (),
                                              users)
    want: dict[str, str] = {}
    for userid in desired_ids:
        key = userid.lower()
        person = people.get(key)
        if quiet and _is_quiet(person, quiet):
            continue  # the same member under another spelling: already in the tag
        known = person is not None and person.live is not None
        if not known and scope.departments is not None:
            continue  # users outside a subtree are not read: not managed here
        if users.managed and not (person is not None and person.desired):
            if not known or person is None or person.is_managed(scope):
                raise Unresolved(f"user {userid} is not in the users section")  # or leaving
            continue  # protected or outside the subtree: its tags are left alone
        if not users.managed and not known:
            raise Unresolved(f"user {userid} does not exist")
        if person is not None and person.is_managed(scope):
            want[key] = final(person, userid)
    have: dict[str, str] = {}
    for userid in live_ids:
        key = userid.lower()
        if key in users.removed:
            continue  # deleting the user takes it out of the tag
        person = people.get(key)
        if quiet and _is_quiet(person, quiet):
            continue
        if person is not None and person.is_managed(scope):
            have[person.final_key] = final(person, userid)
            continue
        name = final(person, userid)
        holder = people.get(name.lower())
        if holder is not None and holder.is_managed(scope):
            have[name.lower()] = name
    add = [want[k] for k in want if k not in have]
    remove = [have[k] for k in have if k not in want]
    return add, remove


def _is_quiet(person: Person | None, quiet: set[str]) -> bool:
    return person is not None and person.live is not None and person.live.userid in quiet


def _unsettled(desired_ids: Sequence[str], live_ids: Sequence[str],
               users: UserOutcome) -> tuple[set[str], Iterable[str], Iterable[str]]:
    """(the quiet members, the tag's other desired and live userids).

    Quiet: in the tag before and after under the userid WeCom has, and kept by the plan
    under that userid. Each would be in both the wanted and the current set under one key,
    changing nothing, so most of a big tag needs no lookup of its members' records: set
    operations on the userids (their hashes already made) find them.
    """
    if not desired_ids or not live_ids or not users.settled:
        return set(), desired_ids, live_ids
    quiet = users.settled.intersection(desired_ids)
    quiet.intersection_update(live_ids)
    if not quiet:
        return quiet, desired_ids, live_ids
    is_quiet = quiet.__contains__
    return (quiet, list(compress(desired_ids, map(operator.not_, map(is_quiet, desired_ids)))),
            list(compress(live_ids, map(operator.not_, map(is_quiet, live_ids)))))


def _members(tag: DesiredTag, current: LiveTag | None, target: Target, create_step: int | None,
             live: LiveDirectory, scope: Scope, index: DeptIndex, users: UserOutcome,
             b: Builder) -> list[tuple[int, int]]:
    add_users: list[str] = []
    remove_users: list[str] = []
    if tag.users is not None:
        add_users, remove_users = _user_ids(tag, current, scope, users)
    add_depts: list[tuple[Target, str]] = []
    remove_depts: list[int] = []
    if tag.departments is not None:
        wanted: dict[Any, tuple[Target, str]] = {}
        for dept in tag.departments:
            resolved = index.resolve(dept)
            if resolved is not None:
                key = resolved[0] if isinstance(resolved[0], int) else ("ref", step_of(resolved[0]))
                wanted[key] = resolved
        have = {d for d in (current.departments if current else ()) if scope.has_department(d)}
        add_depts = [v for k, v in wanted.items() if k not in have]
        remove_depts = sorted(d for d in have if d not in wanted)
    user_deps = [users.steps.get(u.lower()) for u in add_users]
    user_deps += [users.steps.get(u.lower()) for u in remove_users]
    for chunk_users, chunk_depts in _chunks(add_users, add_depts):
        b.add(
            "tag.members", "tag.add_members", tag.name,
            {"id": target, "userids": chunk_users, "department_ids": [t for t, _ in chunk_depts]},
            changes={"users": ([], chunk_users), "departments": ([], [p for _, p in chunk_depts])},
            depends_on=[create_step, *user_deps, *(step_of(t) for t, _ in chunk_depts)],
        )
    removed: list[tuple[int, int]] = []
    live_depts = [(d, index.live_path(d)) for d in remove_depts]
    for chunk_users, chunk_live in _chunks(remove_users, live_depts):
        step = b.add(
            "tag.members", "tag.remove_members", tag.name,
            {"id": target, "userids": chunk_users, "department_ids": [d for d, _ in chunk_live]},
            changes={"users": (chunk_users, []), "departments": ([p for _, p in chunk_live], [])},
            depends_on=user_deps,
        )
        removed += [(d, step) for d, _ in chunk_live]
    return removed


def _chunks(userids: list[str], depts: list[Any]) -> list[tuple[list[str], list[Any]]]:
    """Split into calls of at most 1,000 users and 100 departments each."""
    count = max((len(userids) + _MAX_USERS - 1) // _MAX_USERS,
                (len(depts) + _MAX_DEPARTMENTS - 1) // _MAX_DEPARTMENTS)
    return [
        (userids[i * _MAX_USERS:(i + 1) * _MAX_USERS],
         depts[i * _MAX_DEPARTMENTS:(i + 1) * _MAX_DEPARTMENTS])
        for i in range(count)
    ]
