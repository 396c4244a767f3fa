"""Decrypted callback XML → typed events (`parse_event`), forgiving of unknown kinds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from ._codegen import generate
from .errors import EventParseError
from .events import (
    BatchJobResultEvent,
    CallbackEvent,
    CreatePartyEvent,
    CreateUserEvent,
    DeletePartyEvent,
    DeleteUserEvent,
    ExtAttrItem,
    UnknownEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
)
from .safexml import element_to_dict, parse_xml

__all__ = ["event_from_raw", "parse_event"]

Raw = dict[str, Any]
Convert = Callable[[Any], Any]
_T = TypeVar("_T")


def parse_event(xml: str | bytes) -> CallbackEvent:
    """Parse a decrypted callback message into its typed event.

    Unknown events and change types give `UnknownEvent`; a known event whose field cannot
    be converted raises `EventParseError`; XML with a DTD raises `UnsafeXMLError`.
    """
    return event_from_raw(element_to_dict(parse_xml(xml, what="event message"), what="event"))


def event_from_raw(raw: Raw) -> CallbackEvent:
    """Build the typed event from a dict of wire-named fields (e.g. a stored `event.raw`)."""
    event, change_type = raw.get("Event"), raw.get("ChangeType")
    if event == "change_contact" and isinstance(change_type, str):
        kind = _CHANGE_TYPES.get(change_type)
        if kind is not None:
            return kind.event(raw)  # type: ignore[no-any-return]
    elif event == "batch_job_result":
        return _batch_job_result(raw)
    return _unknown(raw)


class _Invalid(Exception):
    def __init__(self, expected: str) -> None:
        self.expected = expected


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Invalid("text")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        if isinstance(value, str) and not value.strip():
            return None  # an empty element: no value
        raise _Invalid("an integer") from None


# The datetime range (years 1970-9999 from the epoch): `created_at` can always be computed.
MAX_CREATE_TIME = 253_402_300_799


def unix_seconds(text: str) -> int | None:
    """Decimal Unix seconds within 0..MAX_CREATE_TIME, else None (never raises)."""
    text = text.strip()
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(MAX_CREATE_TIME)):
        return None
    value = int(text)
    return value if value <= MAX_CREATE_TIME else None


def _create_time(value: Any) -> int | None:
    # What WeCom sends (≤ 11 ASCII digits, < MAX_CREATE_TIME) needs no further checks.
    if value.__class__ is str and len(value) < 12 and value.isdigit() and value.isascii():
        return int(value)
    if isinstance(value, str) and not value.strip():
        return None  # an empty element: no value (the required check names it)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CREATE_TIME:
        return value  # a stored `event.raw` built by hand may hold ints
    seconds = unix_seconds(value) if isinstance(value, str) else None
    if seconds is None:
        raise _Invalid(f"Unix seconds from 0 to {MAX_CREATE_TIME} (the year 9999)")
    return seconds


def _str_list(value: Any) -> list[str]:
    # WeCom joins lists with commas inside one element: "1,2,3"; map/filter keep it in C.
    if not isinstance(value, str):
        raise _Invalid("text")
    return list(filter(None, map(str.strip, value.split(","))))


def _int_list(value: Any) -> list[int]:
    if not isinstance(value, str):
        raise _Invalid("text")
    items = value.split(",")
    try:
        # int() ignores surrounding spaces itself, so only empty items ("1,,2", "") need
        # the filtered second try; most lists have none, and skipping the filter is cheaper.
        return list(map(int, items))
    except ValueError:
        pass
    try:
        return list(map(int, filter(str.strip, items)))
    except ValueError:
        raise _Invalid("comma-separated integers") from None


def _ext_attr(value: Any) -> list[ExtAttrItem]:
    if value.__class__ is dict:  # the usual case first, by exact type
        items = value.get("Item", [])
        if items.__class__ is list:
            return [_ext_attr_item(item) for item in items]
    if value == "":  # <ExtAttr></ExtAttr>: no items
        return []
    items = value.get("Item", []) if isinstance(value, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise _Invalid("Item elements")
    return [_ext_attr_item(item) for item in items]


def _ext_attr_item(item: Any) -> ExtAttrItem:
    # Exact-type checks (the dicts come from element_to_dict) and few calls keep the
    # per-item cost low: members with custom attributes carry one Item per attribute in
    # every event.
    if item.__class__ is not dict:
        raise _Invalid("Item elements")
    name, kind = item.get("Name", ""), item.get("Type", "")
    if name.__class__ is not str:
        raise _Invalid("text")
    try:
        kind = int(kind)
    except (TypeError, ValueError):
        kind = _int(kind)
    fields: Raw = {"name": name, "type": kind, "raw": item}
    text = item.get("Text")
    if text.__class__ is dict and "Value" in text:
        fields["value"] = _text(text["Value"])
    web = item.get("Web")
    if web.__class__ is dict:
        if "Title" in web:
            fields["web_title"] = _text(web["Title"])
        if "Url" in web:
            fields["web_url"] = _text(web["Url"])
    return _instance(ExtAttrItem, fields)  # "raw", the one field with a factory, is set


_new, _set_attribute = object.__new__, object.__setattr__


def _instance(model: type[_T], fields: Raw) -> _T:
    """`model(**fields)` for a frozen dataclass `model`, without calling its __init__.

    That __init__ sets each of up to 25 fields through object.__setattr__, which costs
    more than the rest of parsing a minimal event. `fields` must be a fresh dict of
    converted and checked values holding every field without a class-level default
    (default factories included); fields left out read the class-level default, as
    dataclasses arrange, so the result equals `model(**fields)` (tests hold both to that).
    The generated event converters (_codegen) do the same inline.
    """
    instance: _T = _new(model)
    _set_attribute(instance, "__dict__", fields)
    return instance


class _Kind:
    """Field mapping of one event type: wire name → attribute, with converters for
    non-text fields; `convert` checks and converts a raw dict, `event` also builds it."""

    def __init__(
        self,
        name: str,
        spec: dict[str, str | tuple[str, Convert]],
        required: tuple[str, ...],
        model: type,
        function_name: str = "",
        other_nested: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        names = {wire: a if isinstance(a, str) else a[0] for wire, a in spec.items()}
        texts = {wire for wire, a in spec.items() if isinstance(a, str)}
        converters = [(wire, a[0], a[1]) for wire, a in spec.items() if isinstance(a, tuple)]
        defaults = [
            (field.name, field.default_factory)
            for field in dataclasses.fields(model)
            if field.default_factory is not dataclasses.MISSING and field.name != "raw"
        ]
        helpers = {"Invalid": _Invalid, "EventParseError": EventParseError, "error": self._error}
        # Fields that may hold a nested element, which the text pre-check lets through.
        nested = [wire for wire, _, convert in converters if convert is _ext_attr]
        nested += [wire for wire in other_nested if wire not in texts]
        table = (
            name, names, converters, [(w, names[w]) for w in required], defaults, nested, helpers
        )
        # Straight-line code per event type (see _codegen for why): `event` for messages
        # of this type alone, `convert` (no model: a dict) where several tables make one.
        self.event: Callable[[Raw], Any] = generate(
            *table, model, function_name=f"{function_name or name}_event"
        )
        self.convert: Callable[[Raw], Raw] = generate(
            *table, function_name=f"{function_name or name}_fields"
        )

    def _error(self, wire: str, value: object, expected: str) -> EventParseError:
        shown = repr(value)[:60]
        return EventParseError(f"{wire} in a {self.name} event is {shown}, expected {expected}")


_COMMON: dict[str, str | tuple[str, Convert]] = {
    "ToUserName": "to_user_name",
    "FromUserName": "from_user_name",
    "CreateTime": ("create_time", _create_time),
    "MsgType": "msg_type",
    "Event": "event",
}
_CONTACT = {**_COMMON, "ChangeType": "change_type"}
_USER = {
    **_CONTACT,
    "UserID": "user_id",
    "Name": "name",
    "Department": ("department", _int_list),
    "MainDepartment": ("main_department", _int),
    "IsLeaderInDept": ("is_leader_in_dept", _int_list),
    "DirectLeader": ("direct_leader", _str_list),
    "Position": "position",
    "Mobile": "mobile",
    "Gender": ("gender", _int),
    "Email": "email",
    "BizMail": "biz_mail",
    "Status": ("status", _int),
    "Avatar": "avatar",
    "Alias": "alias",
    "Telephone": "telephone",
    "Address": "address",
    "ExtAttr": ("ext_attr", _ext_attr),
}
_PARTY = {**_CONTACT, "Id": ("id", _int), "Name": "name", "ParentId": ("parent_id", _int)}
_TAG = {
    **_CONTACT,
    "TagId": ("tag_id", _int),
    "AddUserItems": ("add_user_items", _str_list),
    "DelUserItems": ("del_user_items", _str_list),
    "AddPartyItems": ("add_party_items", _int_list),
    "DelPartyItems": ("del_party_items", _int_list),
}
_USER_KEYS = ("CreateTime", "UserID")
_PARTY_KEYS = ("CreateTime", "Id")

_CHANGE_TYPES = {
    kind.name: kind
    for kind in (
        _Kind("create_user", _USER, _USER_KEYS, CreateUserEvent),
        _Kind("update_user", {**_USER, "NewUserID": "new_user_id"}, _USER_KEYS, UpdateUserEvent),
        _Kind("delete_user", {**_CONTACT, "UserID": "user_id"}, _USER_KEYS, DeleteUserEvent),
        _Kind("create_party", {**_PARTY, "Order": ("order", _int)}, _PARTY_KEYS,
              CreatePartyEvent),
        _Kind("update_party", _PARTY, _PARTY_KEYS, UpdatePartyEvent),
        _Kind("delete_party", {**_CONTACT, "Id": ("id", _int)}, _PARTY_KEYS, DeletePartyEvent),
        _Kind("update_tag", _TAG, ("CreateTime", "TagId"), UpdateTagEvent),
    )
}
_BATCH = _Kind(
    "batch_job_result", _COMMON, ("CreateTime",), BatchJobResultEvent, other_nested=("BatchJob",)
)
_JOB = _Kind(  # the BatchJob element of the same event
    "batch_job_result",
    {"JobId": "job_id", "JobType": "job_type", "ErrCode": ("err_code", _int), "ErrMsg": "err_msg"},
    ("JobId", "ErrCode"),
    BatchJobResultEvent,
    function_name="batch_job",
)


def _batch_job_result(raw: Raw) -> BatchJobResultEvent:
    job = raw.get("BatchJob")
    if not isinstance(job, dict):
        raise EventParseError(
            "a batch_job_result event needs a BatchJob element with JobId and ErrCode"
        )
    fields = _BATCH.convert(raw)
    fields.update(_JOB.convert(job))
    fields["raw"] = raw
    return _instance(BatchJobResultEvent, fields)  # none of its fields has a factory


def _unknown(raw: Raw) -> UnknownEvent:
    def text(name: str) -> str | None:
        value = raw.get(name)
        return value if isinstance(value, str) else None

    create_time = unix_seconds(text("CreateTime") or "")
    return UnknownEvent(
        event=text("Event"),
        change_type=text("ChangeType"),
        to_user_name=text("ToUserName"),
        from_user_name=text("FromUserName"),
        create_time=create_time,
        msg_type=text("MsgType"),
        raw=raw,
    )
