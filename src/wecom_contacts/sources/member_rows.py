"""The members of one batch, made from its converted columns: the last pass of ``members``.

Every column is converted already (``columns``: a value, None when empty, or ``Failed``).
A batch without a problem (the usual case) is put together column-wise; a batch with one is
read row by row, so each problem names its row and column, in the order of the row's
fields, and a row with a problem gives no member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from ..sync.desired.model import DeptRef, DesiredUser, Membership
from ..sync.desired.schema import SchemaError, check_member_field
from .base import Batch
from .columns import Failed

__all__ = ["TEXT_FIELDS", "BatchResult", "Field", "Links", "make_members"]

TEXT_FIELDS = ("alias", "mobile", "email", "biz_mail", "position", "telephone", "address",
               "external_position")
_KEPT_EMPTY = ("gender", "enable", "leader")  # fields an empty value never clears

Converted = tuple[list[Any], bool]  # a column's results, and whether any is Failed


@dataclass(slots=True)
class Field:
    name: str
    label: str  # the column (or template) the value came from, for messages
    column: Callable[[Batch], Converted]  # the batch's values: checked, None, or Failed
    required: bool = False


@dataclass(slots=True)
class Links:
    """What the rows give beside their fields, column by column (None: not mapped)."""

    refs: Converted | None  # each row's departments (a list of checked refs)
    leader_keys: list[Sequence[str]] | None
    match_keys: list[str | None] | None
    tags: Converted | None
    tags_label: str | None
    # each kept row's value of a field other records name members by (a department
    # record's heads, a tag record's members: leaders_match, members_match), per field
    match_fields: dict[str, list[str | None]] = field(default_factory=dict)


def _counts() -> dict[str, int]:
    return {"members": 0, "leavers": 0, "dropped": 0, "filtered": 0}


@dataclass(slots=True)
class BatchResult:
    """A batch's members (and, per member, what links it), problems and counts."""

    users: list[DesiredUser] = field(default_factory=list)
    problems: list[tuple[str, str | None, str]] = field(default_factory=list)  # where, column
    counts: dict[str, int] = field(default_factory=_counts)
    leader_keys: list[Sequence[str]] = field(default_factory=list)
    match_keys: list[str | None] = field(default_factory=list)
    tags: list[Sequence[str]] = field(default_factory=list)
    match_fields: dict[str, list[str | None]] = field(default_factory=dict)  # per member


def make_members(batch: Batch, fields: list[tuple[Field, Converted]],
                 extattr: list[tuple[Field, Converted]], leavers: list[bool], links: Links,
                 clear: bool, columns: dict[str, str], out: BatchResult) -> None:
    """The members of ``batch`` (every row kept; ``leavers``: which are leavers, [] none)."""
    quick = not extattr and not leavers and not any(failed for _, (_, failed) in fields) \
        and not (links.refs is not None and links.refs[1]) \
        and not (links.tags is not None and links.tags[1]) \
        and all(None not in values for f, (values, _) in fields
                if f.name in ("userid", "name") or f.required)
    if quick:
        _columnwise(batch, fields, links, clear, out)
    else:
        for i in range(len(batch)):
            _row(batch.wheres[i], i, fields, extattr, bool(leavers) and leavers[i], links,
                 clear, columns, out)


def _columnwise(batch: Batch, fields: list[tuple[Field, Converted]], links: Links,
                clear: bool, out: BatchResult) -> None:
    """A batch with no problem: the fields dicts made from the columns at once."""
    names: list[str] = []
    values: list[list[Any]] = []
    userids: list[str] = []
    leader: list[Any] | None = None
    for f, (column, _) in fields:
        if f.name == "userid":
            userids = column
        elif f.name == "leader":
            leader = column
        else:
            if clear and f.name not in _KEPT_EMPTY and None in column:
                column = ["" if v is None else v for v in column]
            names.append(f.name)
            values.append(column)
    if any(None in column for column in values):
        rows = [{k: v for k, v in zip(names, row, strict=True) if v is not None}
                for row in zip(*values, strict=True)]
    else:
        rows = list(map(dict, map(zip, repeat(names), zip(*values, strict=True))))
    users = [DesiredUser(userid, row, origin=where)
             for userid, row, where in zip(userids, rows, batch.wheres, strict=True)]
    if links.refs is not None:
        if leader is None:
            for user, refs in zip(users, links.refs[0], strict=True):
                if refs:
                    user.departments = [Membership(ref) for ref in refs]
        else:
            for user, refs, flag in zip(users, links.refs[0], leader, strict=True):
                if refs:
                    user.departments = [Membership(ref, leader=flag == "1") for ref in refs]
    out.users.extend(users)
    if links.leader_keys is not None and links.match_keys is not None:
        out.leader_keys.extend(links.leader_keys)
        out.match_keys.extend(links.match_keys)
    elif links.leader_keys is not None:
        out.leader_keys.extend(links.leader_keys)
        out.match_keys.extend([None] * len(users))
    if links.tags is not None:
        out.tags.extend(links.tags[0])
    for name, found in links.match_fields.items():
        out.match_fields.setdefault(name, []).extend(found)


def _row(where: str, i: int, fields: list[tuple[Field, Converted]],
         extattr: list[tuple[Field, Converted]], leaver: bool, links: Links, clear: bool,
         columns: dict[str, str], out: BatchResult) -> None:
    """One row of a batch with a problem somewhere: its member, or its problems."""
    problems: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    for f, (column, _) in fields:
        value = column[i]
        if type(value) is Failed:
            problems.append((f.label, value.message))
            continue
        name = f.name
        if value is None:
            if name in ("userid", "name") or f.required:
                problems.append((f.label, f"{name} is empty"))
            elif clear and name not in _KEPT_EMPTY:
                values[name] = ""
            continue
        values[name] = value
    leader = values.pop("leader", None) == "1"
    userid = values.pop("userid", None)
    if leaver:
        values["enable"] = False
    attrs = []
    for f, (column, _) in extattr:
        text = column[i]
        if type(text) is Failed:
            problems.append((f.label, text.message))
            continue
        if text is not None or clear:
            attrs.append({"type": 0, "name": f.name, "text": {"value": text or ""}})
    if attrs:
        try:
            values["extattr"] = check_member_field("extattr", {"attrs": attrs}, ("extattr",))
        except SchemaError as exc:
            problems.append((None, exc.message))
    refs: list[DeptRef] | None = None
    if links.refs is not None:
        found = links.refs[0][i]
        if type(found) is Failed:
            problems.append((columns["departments"], found.message))
        else:
            refs = found or None
    tags: Sequence[str] = ()
    if links.tags is not None:
        found = links.tags[0][i]
        if type(found) is Failed:
            problems.append((links.tags_label, found.message))
        else:
            tags = found
    for label, message in problems:
        out.problems.append((where, label, message))
    if problems or userid is None:
        return
    user = DesiredUser(userid, values, origin=where)
    if refs is not None:
        user.departments = [Membership(ref, leader=leader) for ref in refs]
    out.users.append(user)
    if links.leader_keys is not None:
        out.leader_keys.append(links.leader_keys[i])
        out.match_keys.append(links.match_keys[i] if links.match_keys is not None else None)
    if links.tags is not None:
        out.tags.append(tags)
    for name, found in links.match_fields.items():
        out.match_fields.setdefault(name, []).append(found[i])
