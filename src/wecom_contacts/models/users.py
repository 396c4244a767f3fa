"""Member models: answers of user/get, list, simplelist, list_id and batch/invite; writes."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator
from typing_extensions import Self

from ._base import WeComModel

__all__ = [
    "BizMailAlias",
    "DepartmentUser",
    "ExtAttr",
    "ExtAttrMiniprogram",
    "ExtAttrText",
    "ExtAttrWeb",
    "ExtAttrs",
    "ExternalProfile",
    "InviteResult",
    "User",
    "UserBrief",
    "UserIdPage",
    "UserWrite",
    "WechatChannels",
]


class ExtAttrText(WeComModel):
    """The value of a text attribute (``type`` 0)."""

    value: str = ""


class ExtAttrWeb(WeComModel):
    """The value of a web-page attribute (``type`` 1); both empty clears the attribute."""

    url: str = ""
    title: str = ""


class ExtAttrMiniprogram(WeComModel):
    """The value of a mini-program attribute (``type`` 2); appid and title empty clears it."""

    appid: str = ""
    pagepath: str = ""
    title: str = ""


class ExtAttr(WeComModel):
    """One custom attribute: ``type`` 0 text, 1 web page, 2 mini-program, and its value."""

    type: int
    name: str
    text: ExtAttrText | None = None
    web: ExtAttrWeb | None = None
    miniprogram: ExtAttrMiniprogram | None = None

    @classmethod
    def of_text(cls, name: str, value: str) -> Self:
        return cls(type=0, name=name, text=ExtAttrText(value=value))

    @classmethod
    def of_web(cls, name: str, url: str, title: str) -> Self:
        return cls(type=1, name=name, web=ExtAttrWeb(url=url, title=title))

    @classmethod
    def of_miniprogram(cls, name: str, appid: str, pagepath: str, title: str) -> Self:
        return cls(type=2, name=name,
                   miniprogram=ExtAttrMiniprogram(appid=appid, pagepath=pagepath, title=title))


class ExtAttrs(WeComModel):
    """A member's custom fields (``extattr``); names must be defined in the admin console."""

    attrs: list[ExtAttr] = Field(default_factory=list)


class WechatChannels(WeComModel):
    """The WeChat Channels (视频号) account shown to external contacts; ``status`` is read-only."""

    nickname: str = ""
    status: int | None = None


class ExternalProfile(WeComModel):
    """What external contacts see of a member (``external_profile``)."""

    external_corp_name: str | None = None
    wechat_channels: WechatChannels | None = None
    external_attr: list[ExtAttr] = Field(default_factory=list)


class BizMailAlias(WeComModel):
    """Aliases of the corporate mailbox (``biz_mail_alias``, seen only in the update sample)."""

    item: list[str] = Field(default_factory=list)


class User(WeComModel):
    """A member with every documented field; fields WeCom did not send are None or empty.

    ``gender`` is the wire string: ``"0"`` unknown or hidden, ``"1"`` male, ``"2"`` female.
    ``status``: 1 activated, 2 disabled, 4 not activated, 5 left the corp. ``enable`` 1/0.
    ``to_invite`` and ``avatar_mediaid`` are write-only: WeCom never returns them.
    """

    userid: str
    name: str = ""
    alias: str | None = None
    mobile: str | None = None
    department: list[int] = Field(default_factory=list)
    order: list[int] = Field(default_factory=list)
    position: str | None = None
    gender: str | None = None
    email: str | None = None
    biz_mail: str | None = None
    biz_mail_alias: BizMailAlias | None = None
    telephone: str | None = None
    is_leader_in_dept: list[int] = Field(default_factory=list)
    direct_leader: list[str] = Field(default_factory=list)
    avatar_mediaid: str | None = None
    avatar: str | None = None
    thumb_avatar: str | None = None
    enable: int | None = None
    status: int | None = None
    extattr: ExtAttrs | None = None
    to_invite: bool | None = None
    external_profile: ExternalProfile | None = None
    external_position: str | None = None
    nickname: str | None = None
    address: str | None = None
    main_department: int | None = None
    qr_code: str | None = None
    open_userid: str | None = None
    english_name: str | None = None
    hide_mobile: int | None = None


class UserWrite(WeComModel):
    """The body of ``user/create`` / ``user/update``: the fields a caller may write.

    Built from the fields given, dumped with only those (``body()``), so an update never
    touches a field that was not passed. Complex values may be models or plain dicts.
    """

    userid: str
    new_userid: str | None = None
    name: str | None = None
    alias: str | None = None
    mobile: str | None = None
    department: list[int] | None = None
    order: list[int] | None = None
    position: str | None = None
    gender: str | None = None
    email: str | None = None
    biz_mail: str | None = None
    biz_mail_alias: BizMailAlias | None = None
    telephone: str | None = None
    is_leader_in_dept: list[int] | None = None
    direct_leader: list[str] | None = None
    avatar_mediaid: str | None = None
    enable: int | None = None
    extattr: ExtAttrs | None = None
    to_invite: bool | None = None
    external_profile: ExternalProfile | None = None
    external_position: str | None = None
    nickname: str | None = None
    address: str | None = None
    main_department: int | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body: wire names, only the fields that were set."""
        return self.model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")


class UserBrief(WeComModel):
    """A member as ``user/simplelist`` returns it."""

    userid: str
    name: str = ""
    department: list[int] = Field(default_factory=list)
    open_userid: str | None = None


class DepartmentUser(WeComModel):
    """One (member, department) pair of ``user/list_id``: a member in N departments is N rows."""

    userid: str
    department: int


class UserIdPage(WeComModel):
    """One page of ``user/list_id``; ``next_cursor`` is None on the last page."""

    items: list[DepartmentUser] = Field(default_factory=list, alias="dept_user")
    next_cursor: str | None = None

    @field_validator("next_cursor", mode="before")
    @classmethod
    def _empty_cursor_ends_paging(cls, value: Any) -> Any:
        # WeCom marks the last page with an empty string, not a missing field.
        return value or None


class InviteResult(WeComModel):
    """What ``batch/invite`` could not invite (errcode 0 even when some entries are invalid)."""

    invalid_users: list[str] = Field(default_factory=list, alias="invaliduser")
    invalid_departments: list[int] = Field(default_factory=list, alias="invalidparty")
    invalid_tags: list[int] = Field(default_factory=list, alias="invalidtag")
