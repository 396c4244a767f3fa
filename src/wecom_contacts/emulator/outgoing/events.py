"""Recorded changes → the decrypted XML of WeCom's change_contact and batch_job_result events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..api.render import avatar_urls
from ..store.records import Change
from .crypto import cdata

# wire field of the change record → event element, in the order of callbacks.md §6.1
USER_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("userid", "UserID"),
    ("new_userid", "NewUserID"),
    ("name", "Name"),
    ("department", "Department"),
    ("main_department", "MainDepartment"),
    ("is_leader_in_dept", "IsLeaderInDept"),
    ("direct_leader", "DirectLeader"),
    ("position", "Position"),
    ("mobile", "Mobile"),
    ("gender", "Gender"),
    ("email", "Email"),
    ("biz_mail", "BizMail"),
    ("status", "Status"),
    ("avatar_mediaid", "Avatar"),
    ("alias", "Alias"),
    ("telephone", "Telephone"),
    ("address", "Address"),
    ("extattr", "ExtAttr"),
)
# withheld from apps that may not read them (users.md †), as render.SENSITIVE_FIELDS
SENSITIVE_ELEMENTS = frozenset({"Mobile", "Gender", "Email", "BizMail", "Avatar", "Address"})
# since 2022-08-15, new contacts-sync URLs: members get UserID and Department only;
# NewUserID is kept so that a receiver can still follow a rename (unconfirmed)
MINIMAL_USER_ELEMENTS = frozenset({"UserID", "NewUserID", "Department"})
_PLAIN_NUMBERS = frozenset(
    {"MainDepartment", "Gender", "Status", "Id", "ParentId", "Order", "TagId", "ErrCode"}
)
_NO_EVENT = frozenset({"create_tag", "delete_tag"})


@dataclass(frozen=True)
class EventOptions:
    """What one receiver gets: its corp, the minimal-fields mode, hidden sensitive fields."""

    corp_id: str
    minimal: bool = False
    hide_sensitive: bool = False


@dataclass(frozen=True)
class Event:
    """One message to deliver: its type (ChangeType or batch_job_result) and plaintext XML."""

    kind: str
    xml: str


@dataclass(frozen=True)
class Skip:
    """No message for this receiver, and why (shown by GET /_emulator/callbacks)."""

    reason: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    return str(value)


def _element(name: str, value: Any) -> str:
    text = _text(value)
    body = text if name in _PLAIN_NUMBERS and text.lstrip("-").isdigit() else cdata(text)
    return f"<{name}>{body}</{name}>"


def _ext_attr(value: Any) -> str:
    attrs = value.get("attrs", []) if isinstance(value, dict) else []
    items = []
    for attr in attrs:
        kind = attr.get("type", 0)
        item = _element("Name", attr.get("name", "")) + f"<Type>{int(kind)}</Type>"
        if kind == 0:
            item += f"<Text>{_element('Value', attr.get('text', {}).get('value', ''))}</Text>"
        elif kind == 1:
            web = attr.get("web", {})
            item += f"<Web>{_element('Title', web.get('title', ''))}"
            item += f"{_element('Url', web.get('url', ''))}</Web>"
        # a mini-program attribute has no documented event form: Name and Type only
        items.append(f"<Item>{item}</Item>")
    return "<ExtAttr>" + "".join(items) + "</ExtAttr>"


def _head(change: Change, corp_id: str, event: str) -> str:
    return (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName>"
        f"<FromUserName>{cdata('sys')}</FromUserName>"
        f"<CreateTime>{int(change.at)}</CreateTime>"
        f"<MsgType>{cdata('event')}</MsgType><Event>{cdata(event)}</Event>"
    )


def _contact(change: Change, opts: EventOptions, elements: Iterable[tuple[str, Any]]) -> Event:
    body = "".join(
        _ext_attr(value) if name == "ExtAttr" else _element(name, value)
        for name, value in elements
    )
    head = _head(change, opts.corp_id, "change_contact")
    xml = f"{head}<ChangeType>{cdata(change.kind)}</ChangeType>{body}</xml>"
    return Event(change.kind, xml)


def _user(change: Change, opts: EventOptions) -> Event | Skip:
    fields = dict(change.fields)
    fields.setdefault("userid", change.key)  # update_user records only what changed
    if "avatar_mediaid" in fields:
        fields["avatar_mediaid"] = avatar_urls(opts.corp_id, str(fields["avatar_mediaid"]))[0]
    elements = [(el, fields[wire]) for wire, el in USER_ELEMENTS if wire in fields]
    if opts.hide_sensitive:
        elements = [(el, v) for el, v in elements if el not in SENSITIVE_ELEMENTS]
    if change.kind == "update_user" and len(elements) == 1:
        # e.g. only order or external_profile changed: no element of the event changed
        return Skip("no field of the event changed")
    if opts.minimal:
        elements = [(el, v) for el, v in elements if el in MINIMAL_USER_ELEMENTS]
    return _contact(change, opts, elements)


def _party(change: Change, opts: EventOptions) -> Event | Skip:
    f = change.fields
    if change.kind == "delete_party":
        return _contact(change, opts, [("Id", change.key)])
    wanted: tuple[str, ...] = ("name", "parentid", "order")
    if change.kind == "update_party":
        wanted = ("name", "parentid")
    names = {"name": "Name", "parentid": "ParentId", "order": "Order"}
    if opts.minimal:
        if change.kind == "update_party" and "parentid" not in f:
            return Skip("minimal fields: update_party is sent only when ParentId changes")
        wanted = ("parentid",)
    elements = [("Id", change.key)] + [(names[k], f[k]) for k in wanted if k in f]
    if len(elements) == 1 and change.kind == "update_party":
        # order or name_en only: the event documents no element for them (unconfirmed)
        return Skip("no field of the event changed")
    return _contact(change, opts, elements)


def _tag(change: Change, opts: EventOptions) -> Event | Skip:
    f = change.fields
    lists = (
        ("add_user_items", "AddUserItems"),
        ("del_user_items", "DelUserItems"),
        ("add_party_items", "AddPartyItems"),
        ("del_party_items", "DelPartyItems"),
    )
    elements = [(el, f[k]) for k, el in lists if f.get(k)]
    if not elements:
        return Skip("tag renamed: WeCom's update_tag reports member changes only")
    return _contact(change, opts, [("TagId", change.key), *elements])


def job_field(fields: dict[str, Any], name: str, default: Any = None) -> Any:
    """A batch_job_result field by its wire name, in lower case or WeCom's CamelCase."""
    for key in (name.lower(), name):
        if key in fields:
            return fields[key]
    return default


def _job(change: Change, opts: EventOptions) -> Event:
    f = change.fields
    job = "".join(
        _element(el, job_field(f, el, default))
        for el, default in (("JobId", change.key), ("JobType", ""), ("ErrCode", 0),
                            ("ErrMsg", "ok"))
    )
    xml = f"{_head(change, opts.corp_id, 'batch_job_result')}<BatchJob>{job}</BatchJob></xml>"
    return Event("batch_job_result", xml)


_BUILDERS: dict[str, Callable[[Change, EventOptions], Event | Skip]] = {
    "create_user": _user,
    "update_user": _user,
    "delete_user": lambda change, opts: _contact(change, opts, [("UserID", change.key)]),
    "create_party": _party,
    "update_party": _party,
    "delete_party": _party,
    "update_tag": _tag,
    "batch_job_result": _job,
}


def build_event(change: Change, opts: EventOptions) -> Event | Skip:
    """The message WeCom would send to one receiver for a recorded change, or why none."""
    if change.kind in _NO_EVENT:
        return Skip(f"WeCom has no event for {change.kind}")
    builder = _BUILDERS.get(change.kind)
    if builder is None:
        return Skip(f"unknown change kind {change.kind}")
    return builder(change, opts)
