"""Decrypted callback XML → typed events (`parse_event`), forgiving of unknown kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
        build = _CHANGE_TYPES.get(change_type)
        if build is not None:
            return build(raw)
    elif event == "batch_job_result":
        return _batch_job_result(raw)
    return _unknown(raw)


class _Fields:
    """Typed reads from one message's raw dict; errors name the field and the event."""

    __slots__ = ("kind", "raw")

    def __init__(self, raw: Raw, kind: str) -> None:
        self.raw = raw
        self.kind = kind

    def fail(self, name: str, value: object, expected: str) -> EventParseError:
        shown = repr(value)[:60]
        return EventParseError(f"{name} in a {self.kind} event is {shown}, expected {expected}")

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(name, value, "text")

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise self.fail(name, value, "an element (it is missing)")
        return value

    def int(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        return self._to_int(name, value, value.strip()) if value.strip() else None

    def required_int(self, name: str) -> int:
        value = self.int(name)
        if value is None:
            raise self.fail(name, self.raw.get(name), "an integer (it is missing or empty)")
        return value

    def str_list(self, name: str) -> list[str] | None:
        value = self.text(name)
        if value is None:
            return None
        return [item for item in (part.strip() for part in value.split(",")) if item]

    def int_list(self, name: str) -> list[int] | None:
        items = self.str_list(name)
        if items is None:
            return None
        return [self._to_int(name, self.raw[name], item) for item in items]

    def common(self) -> Raw:
        return {
            "to_user_name": self.text("ToUserName") or "",
            "from_user_name": self.text("FromUserName") or "",
            "create_time": self.required_int("CreateTime"),
            "msg_type": self.text("MsgType") or "",
            "event": self.text("Event") or "",
            "raw": self.raw,
        }

    def _to_int(self, name: str, value: str, item: str) -> int:
        # int() alone would also take "1_000" and non-ASCII digits.
        if item.isascii() and "_" not in item:
            try:
                return int(item)
            except ValueError:
                pass
        raise self.fail(name, value, "an integer")


def _contact(raw: Raw) -> tuple[_Fields, Raw]:
    change_type = raw["ChangeType"]
    fields = _Fields(raw, change_type)
    common = fields.common()
    common["change_type"] = change_type
    return fields, common


def _user_fields(raw: Raw) -> Raw:
    f, common = _contact(raw)
    return {
        **common,
        "user_id": f.required_text("UserID"),
        "name": f.text("Name"),
        "department": f.int_list("Department"),
        "main_department": f.int("MainDepartment"),
        "is_leader_in_dept": f.int_list("IsLeaderInDept"),
        "direct_leader": f.str_list("DirectLeader"),
        "position": f.text("Position"),
        "mobile": f.text("Mobile"),
        "gender": f.int("Gender"),
        "email": f.text("Email"),
        "biz_mail": f.text("BizMail"),
        "status": f.int("Status"),
        "avatar": f.text("Avatar"),
        "alias": f.text("Alias"),
        "telephone": f.text("Telephone"),
        "address": f.text("Address"),
        "ext_attr": _ext_attr(f),
    }


def _ext_attr(f: _Fields) -> list[ExtAttrItem] | None:
    value = f.raw.get("ExtAttr")
    if value is None:
        return None
    if isinstance(value, str):  # <ExtAttr></ExtAttr>: no items
        return []
    items = value.get("Item", []) if isinstance(value, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise f.fail("ExtAttr", value, "Item elements")
    return [_ext_attr_item(f, item) for item in items]


def _ext_attr_item(f: _Fields, item: Raw) -> ExtAttrItem:
    item_fields = _Fields(item, f.kind)
    text, web = item.get("Text"), item.get("Web")
    return ExtAttrItem(
        name=item_fields.text("Name") or "",
        type=item_fields.int("Type"),
        value=_Fields(text, f.kind).text("Value") if isinstance(text, dict) else None,
        web_title=_Fields(web, f.kind).text("Title") if isinstance(web, dict) else None,
        web_url=_Fields(web, f.kind).text("Url") if isinstance(web, dict) else None,
        raw=item,
    )


def _create_user(raw: Raw) -> CallbackEvent:
    return CreateUserEvent(**_user_fields(raw))


def _update_user(raw: Raw) -> CallbackEvent:
    return UpdateUserEvent(**_user_fields(raw), new_user_id=_Fields(raw, "update_user").text("NewUserID"))


def _delete_user(raw: Raw) -> CallbackEvent:
    f, common = _contact(raw)
    return DeleteUserEvent(**common, user_id=f.required_text("UserID"))


def _create_party(raw: Raw) -> CallbackEvent:
    f, common = _contact(raw)
    return CreatePartyEvent(
        **common,
        id=f.required_int("Id"),
        name=f.text("Name"),
        parent_id=f.int("ParentId"),
        order=f.int("Order"),
    )


def _update_party(raw: Raw) -> CallbackEvent:
    f, common = _contact(raw)
    return UpdatePartyEvent(
        **common, id=f.required_int("Id"), name=f.text("Name"), parent_id=f.int("ParentId")
    )


def _delete_party(raw: Raw) -> CallbackEvent:
    f, common = _contact(raw)
    return DeletePartyEvent(**common, id=f.required_int("Id"))


def _update_tag(raw: Raw) -> CallbackEvent:
    f, common = _contact(raw)
    return UpdateTagEvent(
        **common,
        tag_id=f.required_int("TagId"),
        add_user_items=f.str_list("AddUserItems") or [],
        del_user_items=f.str_list("DelUserItems") or [],
        add_party_items=f.int_list("AddPartyItems") or [],
        del_party_items=f.int_list("DelPartyItems") or [],
    )


def _batch_job_result(raw: Raw) -> CallbackEvent:
    f = _Fields(raw, "batch_job_result")
    common = f.common()
    job = raw.get("BatchJob")
    if not isinstance(job, dict):
        raise f.fail("BatchJob", job, "an element with JobId, JobType, ErrCode, ErrMsg")
    j = _Fields(job, "batch_job_result")
    return BatchJobResultEvent(
        **common,
        job_id=j.required_text("JobId"),
        job_type=j.text("JobType") or "",
        err_code=j.required_int("ErrCode"),
        err_msg=j.text("ErrMsg") or "",
    )


def _unknown(raw: Raw) -> UnknownEvent:
    def text(name: str) -> str | None:
        value = raw.get(name)
        return value if isinstance(value, str) else None

    create_time = text("CreateTime")
    create_time = create_time.strip() if create_time else None
    return UnknownEvent(
        event=text("Event"),
        change_type=text("ChangeType"),
        to_user_name=text("ToUserName"),
        from_user_name=text("FromUserName"),
        create_time=int(create_time) if create_time and create_time.isdecimal() else None,
        msg_type=text("MsgType"),
        raw=raw,
    )


_CHANGE_TYPES: dict[str, Callable[[Raw], CallbackEvent]] = {
    "create_user": _create_user,
    "update_user": _update_user,
    "delete_user": _delete_user,
    "create_party": _create_party,
    "update_party": _update_party,
    "delete_party": _delete_party,
    "update_tag": _update_tag,
}
