"""Hand-offs of unique values (mobile, e-mail, biz_mail) from one member to another.

WeCom checks every call on its own and refuses a value that another member holds at that
moment (60104 / 60106 / 60145). So when the desired state gives a member a value that a
different live member holds, the holder must let go of it first:

- a holder the plan deletes is deleted early (``plan_users``);
- a holder the plan keeps (or only disables, or moves out of the managed subtree) gets a
  ``user.release`` step, run before every rename, create and update, that clears the field;
  its own new value, if any, is set by its ordinary update later. Swaps and chains of any
  length therefore need no ordering among the updates. Not for biz_mail: WeCom lets one
  change at most once, so only a deleted holder frees one.

What cannot be handed off is a warning: the taking step will fail with WeCom's errcode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..desired.model import CONTACT_FIELDS, UNIQUE_FIELDS, DesiredUser, unique_key
from ..live.model import LiveUser
from .build import Builder
from .outcome import Person

__all__ = ["Freed", "Taking", "plan_releases"]

Freed = dict[tuple[str, str], int]
"""unique_key(field, value) → the step after which no live member holds that value."""

_CODES = {"mobile": 60104, "email": 60106, "biz_mail": 60145}


Taking = list[tuple[DesiredUser, LiveUser | None, list[tuple[str, tuple[str, str]]]]]
"""Desired users that take a value, their live match, and those values: (field, unique_key)."""


def taken_values(pairs: Iterable[tuple[DesiredUser, LiveUser | None]]) -> Taking:
    """The unique values each desired user is to get and does not hold already.

    WeCom keeps these values unique, so a value a member already holds (the same text) is
    held by nobody else: it is neither taken nor handed off, and only the few new or
    changed values are keyed and looked up. At 100,000 members this keeps the hand-off
    tables the size of the change instead of two entries per member.
    """
    taking: Taking = []
    for user, live in pairs:
        fields = user.fields
        held = live.fields if live is not None else _NOTHING
        values = [(f, unique_key(f, fields[f])) for f in UNIQUE_FIELDS
                  if fields.get(f) and fields[f] != held.get(f)]
        if values:
            taking.append((user, live, values))
    return taking


_NOTHING: dict[str, Any] = {}


def plan_releases(taking: Taking, leaving: Iterable[LiveUser], live_users: Iterable[LiveUser],
                  people: Mapping[str, Person], freed: Freed, b: Builder) -> None:
    """Add a release step per live member holding a value that another member is to get;
    record in ``freed`` which step frees each value."""
    wanted = {key for _, _, keys in taking for _, key in keys}
    if not wanted:
        return
    holders = {key: user for user in live_users for name in UNIQUE_FIELDS
               if user.fields.get(name) and (key := unique_key(name, user.fields[name])) in wanted}
    leavers = {user.key for user in leaving}
    taken: dict[str, dict[str, str]] = {}  # lower holder userid → field → the taker's userid
    for user, live, keys in taking:
        for name, key in keys:
            value = user.fields[name]
            holder = holders.get(key)
            if key in freed or holder is None or holder is live:
                continue
            if name == "mobile" and live is not None and live.activated:
                continue  # WeCom ignores this change anyway; plan_users warns about it
            why = _kept_by(holder, name, key, people, leavers)
            if why:
                b.warnings.append(
                    f"{user.origin}: user {user.userid}: {name} {value!r} is held by "
                    f"{holder.userid}, {why}; WeCom will refuse it ({_CODES[name]})"
                )
                continue
            taken.setdefault(holder.key, {})[name] = user.userid
    by_key = {user.key: user for user in holders.values()}
    # A holder left without mobile and e-mail must get a new one in its release, which may
    # be what another release frees: repeat until no release can be added any more.
    waiting = list(taken)
    while waiting:
        later = [k for k in waiting
                 if not _release(by_key[k], taken[k], _wish(people, k), holders, freed, b)]
        if len(later) == len(waiting):
            break
        waiting = later
    for holder_key in waiting:
        given = " and ".join(f"its {f} to {who}" for f, who in taken[holder_key].items())
        if _wish(people, holder_key) is None:  # not in the file: it cannot give another
            b.problems.append(
                f"user {by_key[holder_key].userid} cannot give {given}: it stays in WeCom "
                "(disabled, or only leaving the managed subtree) and would be left with "
                "neither mobile nor e-mail, which WeCom refuses (60129). Give it another one "
                "first"
            )
            continue
        b.problems.append(
            f"user {by_key[holder_key].userid} cannot give {given}: it would be left with "
            "neither mobile nor e-mail, which WeCom refuses (60129), and its new ones are "
            "held by members who need its values first. Make the change in two runs (first "
            "give one of them a free mobile or e-mail)"
        )


def _wish(people: Mapping[str, Person], key: str) -> DesiredUser | None:
    """The desired member that the live member under ``key`` is kept in step with."""
    person = people.get(key)
    return person.wish if person is not None else None


def _kept_by(holder: LiveUser, name: str, key: tuple[str, str],
             people: Mapping[str, Person], leavers: set[str]) -> str:
    """Why ``holder`` cannot give up the value (empty: it can)."""
    if name == "mobile" and holder.activated:
        return "an activated member, whose mobile only the member can change"
    if name == "biz_mail":
        # clearing it would spend the one change WeCom allows (60144), and the holder could
        # then never get its own new address: only deleting the holder frees a biz_mail
        return "and WeCom lets a biz_mail change at most once (60144)"
    holder_key = holder.key
    if holder_key in leavers:
        return ""
    desired = _wish(people, holder_key)
    if desired is None:
        return "whom this plan does not manage (protected, or outside the managed subtree)"
    if name not in desired.fields:
        return f"who keeps it (the desired state does not set its {name})"
    new = desired.fields[name]
    if new and unique_key(name, new) == key:
        return "who keeps it"
    return ""


def _release(holder: LiveUser, fields: dict[str, str], desired: DesiredUser | None,
             holders: dict[tuple[str, str], LiveUser], freed: Freed, b: Builder) -> bool:
    """Add the holder's release step; False when it must wait for another release."""
    params: dict[str, Any] = {"userid": holder.userid}
    changes: dict[str, tuple[Any, Any]] = {}
    for name in fields:
        params[name] = ""
        changes[name] = (holder.fields[name], "")
    deps: list[int | None] = []
    if not any(holder.fields.get(f) for f in CONTACT_FIELDS if f not in fields):
        # cleared, it would have neither mobile nor e-mail (60129): give it its new one now
        for name in CONTACT_FIELDS:
            new = desired.fields.get(name) if desired is not None else None
            if not new:
                continue
            key = unique_key(name, new)
            if holders.get(key) in (None, holder) or key in freed:
                params[name] = new
                changes[name] = (holder.fields.get(name), new)
                deps.append(freed.get(key))
                break
        else:
            return False
    given = ", ".join(f"{f} for {who}" for f, who in fields.items())
    step = b.add("user.release", "user.update", holder.userid, params, changes=changes,
                 depends_on=deps, note=f"frees its {given}")
    for name in fields:
        freed[unique_key(name, holder.fields[name])] = step
    return True
