"""One contact-change callback → the row changes it means for a target.

An event says what changed, not always the whole record: since 2022-08 WeCom sends new
contacts-sync URLs only UserID and Department. What the event leaves out is kept from the
target's row; a record the target does not have yet is read from WeCom (``user/get``,
``department/get``, ``tag/get``), and when WeCom refuses that read (48009) the event waits
for the next full read (``NeedsFullRead``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..callback import (
    CallbackEvent,
    CreatePartyEvent,
    CreateUserEvent,
    DeletePartyEvent,
    DeleteUserEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
)
from ..errors import ApiError, NotFound
from ..sync import user_from_wire
from .diff import Diff
from .errors import MirrorError
from .snapshot import DepartmentRow, MemberRow, Membership, TagRow, canonical_json, member_from_live
from .target import Target

if TYPE_CHECKING:
    from ..callback.events import ExtAttrItem, _UserFields
    from ..client import Client

__all__ = ["NeedsFullRead", "describe_event", "diff_for_event"]


class NeedsFullRead(MirrorError):
    """The event cannot be applied from what it carries and WeCom refused the read it needs."""


def describe_event(event: CallbackEvent) -> str:
    """``update_user zhangsan`` and the like, for logs and the queue."""
    raw = event.raw
    what = raw.get("ChangeType") or raw.get("Event") or "event"
    key = raw.get("UserID") or raw.get("Id") or raw.get("TagId") or ""
    return f"{what} {key}".strip()


class _Reader:
    """Reads of single records from WeCom, any refusal turned into ``NeedsFullRead``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def member(self, userid: str) -> MemberRow | None:
        try:
            raw = self._client.users.get(userid).raw
        except NotFound:
            return None
        except ApiError as exc:
            raise NeedsFullRead(f"member {userid!r}: user/get refused ({exc.errcode})") from exc
        return member_from_live(user_from_wire(raw))

    def department(self, dept_id: int) -> DepartmentRow | None:
        try:
            d = self._client.departments.get(dept_id)
        except NotFound:
            return None
        except ApiError as exc:
            raise NeedsFullRead(
                f"department {dept_id}: department/get refused ({exc.errcode})") from exc
        return DepartmentRow(d.id, d.name or "", d.parent_id or 0, d.order or 0,
                             d.raw.get("name_en") or None)

    def tag(self, tag_id: int) -> TagRow | None:
        try:
            found = self._client.tags.get(tag_id)
        except NotFound:
            return None
        except ApiError as exc:
            raise NeedsFullRead(f"tag {tag_id}: tag/get refused ({exc.errcode})") from exc
        name = found.name or next((t.name for t in self._client.tags.list() if t.id == tag_id),
                                  str(tag_id))
        return TagRow.of(tag_id, name, [u.userid for u in found.users], found.department_ids)


def diff_for_event(event: CallbackEvent, target: Target, client: Client) -> Diff:
    """The changes ``event`` makes to ``target`` (an empty diff for events that change no row:
    job results, unknown kinds, an update the target already shows)."""
    reader = _Reader(client)
    diff = Diff()
    if isinstance(event, (CreateUserEvent, UpdateUserEvent)):
        _user_changed(event, target, reader, diff)
    elif isinstance(event, DeleteUserEvent):
        old = target.member(event.user_id)
        if old is not None:
            diff.members.removed.append(old)
        for tag in target.tags_with_user(event.user_id):
            users = [u for u in tag.users if u != event.user_id]
            diff.tags.changed.append((tag, tag.with_members(users, tag.departments)))
    elif isinstance(event, (CreatePartyEvent, UpdatePartyEvent)):
        _department_changed(event, target, reader, diff)
    elif isinstance(event, DeletePartyEvent):
        dept = target.department(event.id)
        if dept is not None:
            diff.departments.removed.append(dept)
    elif isinstance(event, UpdateTagEvent):
        _tag_changed(event, target, reader, diff)
    return diff


def _ext_attr(items: list[ExtAttrItem]) -> str | None:
    # the user/get shape of the same attributes, so that a later full read sees no drift
    attrs: list[dict[str, Any]] = []
    for item in items:
        if item.type == 1:
            attrs.append({"type": 1, "name": item.name,
                          "web": {"url": item.web_url or "", "title": item.web_title or ""}})
        else:
            attrs.append({"type": 0, "name": item.name, "text": {"value": item.value or ""}})
    return canonical_json({"attrs": attrs}) if attrs else None


def _merged(old: MemberRow, event: _UserFields, userid: str) -> MemberRow:
    changes: dict[str, Any] = {"userid": userid}
    for name in ("name", "alias", "mobile", "email", "biz_mail", "position", "telephone",
                 "address"):
        value = getattr(event, name)
        if value is not None:
            changes[name] = value.strip() or (None if name != "name" else old.name)
    if event.gender is not None:
        changes["gender"] = str(event.gender) if event.gender else None
    if event.department is not None:
        leaders = event.is_leader_in_dept or []
        orders = {m.department_id: m.order for m in old.departments}
        was_leader = {m.department_id: m.is_leader for m in old.departments}
        changes["departments"] = tuple(
            Membership(d, bool(leaders[i]) if i < len(leaders) else was_leader.get(d, False),
                       orders.get(d, 0))
            for i, d in enumerate(event.department))
    if event.main_department is not None:
        changes["main_department"] = event.main_department or None
    if event.direct_leader is not None:
        changes["direct_leader"] = tuple(event.direct_leader)
    if event.status is not None:
        changes["enable"] = event.status != 2
        changes["activated"] = event.status == 1
    if event.ext_attr is not None:
        changes["extattr"] = _ext_attr(event.ext_attr)
    return replace(old, **changes)


def _user_changed(event: CreateUserEvent | UpdateUserEvent, target: Target, reader: _Reader,
                  diff: Diff) -> None:
    new_id = getattr(event, "new_user_id", None) or event.user_id
    old = target.member(event.user_id)
    if old is None:
        if isinstance(event, CreateUserEvent) and event.name:
            # a full create_user event is the record: no read needed (none allowed on 48009)
            diff.members.added.append(_merged(MemberRow(new_id, event.name), event, new_id))
            return
        fetched = reader.member(new_id)
        if fetched is not None:  # None: gone again already; a delete_user follows
            diff.members.added.append(fetched)
        return
    merged = _merged(old, event, new_id)
    if new_id == old.userid:
        if merged != old:
            diff.members.changed.append((old, merged))
        return
    # a userid change (WeCom allows one): the row moves to the new key, and so do its tags
    diff.members.removed.append(old)
    diff.members.added.append(merged)
    for tag in target.tags_with_user(old.userid):
        users = [new_id if u == old.userid else u for u in tag.users]
        diff.tags.changed.append((tag, tag.with_members(users, tag.departments)))


def _department_changed(event: CreatePartyEvent | UpdatePartyEvent, target: Target,
                        reader: _Reader, diff: Diff) -> None:
    old = target.department(event.id)
    if old is None:
        if isinstance(event, CreatePartyEvent) and event.name is not None:
            new = DepartmentRow(event.id, event.name, event.parent_id or 0, event.order or 0)
        else:
            fetched = reader.department(event.id)
            if fetched is None:
                return
            new = fetched
        diff.departments.added.append(new)
        return
    changes: dict[str, Any] = {}
    if event.name is not None:
        changes["name"] = event.name
    if event.parent_id is not None:
        changes["parent_id"] = event.parent_id
    if isinstance(event, CreatePartyEvent) and event.order is not None:
        changes["order"] = event.order
    new = replace(old, **changes)
    if new != old:
        diff.departments.changed.append((old, new))


def _tag_changed(event: UpdateTagEvent, target: Target, reader: _Reader, diff: Diff) -> None:
    old = target.tag(event.tag_id)
    if old is None:
        fetched = reader.tag(event.tag_id)
        if fetched is not None:
            diff.tags.added.append(fetched)
        return
    users = (set(old.users) | set(event.add_user_items)) - set(event.del_user_items)
    depts = (set(old.departments) | set(event.add_party_items)) - set(event.del_party_items)
    new = old.with_members(users, depts)
    if new != old:
        diff.tags.changed.append((old, new))
