"""Typed models of the decrypted contact-change and job-result callback events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeAlias

__all__ = [
    "BaseEvent",
    "BatchJobResultEvent",
    "CallbackEvent",
    "ChangeContactEvent",
    "CreatePartyEvent",
    "CreateUserEvent",
    "DeletePartyEvent",
    "DeleteUserEvent",
    "ExtAttrItem",
    "UnknownEvent",
    "UpdatePartyEvent",
    "UpdateTagEvent",
    "UpdateUserEvent",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)

# Frozen dataclasses, not pydantic: parsing sits on the hot path (bench/callback_decrypt.py).

@dataclass(frozen=True, kw_only=True)
class ExtAttrItem:
    """One `ExtAttr/Item` custom field: type 0 text (`value`), 1 web (`web_title`, `web_url`)."""

    name: str
    type: int | None
    value: str | None = None
    web_title: str | None = None
    web_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, kw_only=True)
class BaseEvent:
    """Fields every known event carries; `raw` keeps all fields by their wire names."""

    create_time: int
    raw: dict[str, Any] = field(repr=False)
    to_user_name: str = ""
    from_user_name: str = ""
    msg_type: str = ""
    event: str = ""

    @property
    def created_at(self) -> datetime:
        """`create_time` as an aware UTC datetime; never raises.

        Parsed events carry a CreateTime within the datetime range (others are refused); an
        event built by hand with one outside it gets the nearest end of the range.
        """
        try:
            return _EPOCH + timedelta(seconds=self.create_time)
        except OverflowError:
            return _LATEST if self.create_time > 0 else _EARLIEST


@dataclass(frozen=True, kw_only=True)
class ChangeContactEvent(BaseEvent):
    """Any `change_contact` event; `change_type` names the change."""

    change_type: str


@dataclass(frozen=True, kw_only=True)
class _UserFields(ChangeContactEvent):
    # None = element absent: in update_user, "not changed"; since 2022-08-15 most fields
    # are absent for newly configured contacts-sync URLs (only UserID and Department).
    user_id: str
    name: str | None = None
    department: list[int] | None = None
    main_department: int | None = None
    is_leader_in_dept: list[int] | None = None
    direct_leader: list[str] | None = None
    position: str | None = None
    mobile: str | None = None
    gender: int | None = None
    email: str | None = None
    biz_mail: str | None = None
    status: int | None = None
    avatar: str | None = None
    alias: str | None = None
    telephone: str | None = None
    address: str | None = None
    ext_attr: list[ExtAttrItem] | None = None


@dataclass(frozen=True, kw_only=True)
class CreateUserEvent(_UserFields):
    """A member was created."""


@dataclass(frozen=True, kw_only=True)
class UpdateUserEvent(_UserFields):
    """A member changed; `user_id` is the id before the change, `new_user_id` the new one."""

    new_user_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteUserEvent(ChangeContactEvent):
    """A member was deleted."""

    user_id: str


@dataclass(frozen=True, kw_only=True)
class CreatePartyEvent(ChangeContactEvent):
    """A department was created."""

    id: int
    name: str | None = None
    parent_id: int | None = None
    order: int | None = None


@dataclass(frozen=True, kw_only=True)
class UpdatePartyEvent(ChangeContactEvent):
    """A department changed; only changed fields are present."""

    id: int
    name: str | None = None
    parent_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class DeletePartyEvent(ChangeContactEvent):
    """A department was deleted."""

    id: int


@dataclass(frozen=True, kw_only=True)
class UpdateTagEvent(ChangeContactEvent):
    """A tag's members changed; absent lists are empty."""

    tag_id: int
    add_user_items: list[str] = field(default_factory=list)
    del_user_items: list[str] = field(default_factory=list)
    add_party_items: list[int] = field(default_factory=list)
    del_party_items: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class BatchJobResultEvent(BaseEvent):
    """An asynchronous import or export job finished."""

    job_id: str
    err_code: int
    job_type: str = ""
    err_msg: str = ""


@dataclass(frozen=True, kw_only=True)
class UnknownEvent:
    """Any other message: an event or change type this library does not model (yet)."""

    event: str | None
    change_type: str | None
    to_user_name: str | None
    from_user_name: str | None
    create_time: int | None
    msg_type: str | None
    raw: dict[str, Any]


CallbackEvent: TypeAlias = (
    CreateUserEvent
    | UpdateUserEvent
    | DeleteUserEvent
    | CreatePartyEvent
    | UpdatePartyEvent
    | DeletePartyEvent
    | UpdateTagEvent
    | BatchJobResultEvent
    | UnknownEvent
)
