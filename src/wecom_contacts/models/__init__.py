"""Response models, one module per API area."""

from ._base import WeComModel
from .departments import Department, DepartmentRef
from .tags import MembershipResult, Tag, TagMember, TagMembers
from .users import (
    BizMailAlias,
    DepartmentUser,
    ExtAttr,
    ExtAttrMiniprogram,
    ExtAttrs,
    ExtAttrText,
    ExtAttrWeb,
    ExternalProfile,
    InviteResult,
    User,
    UserBrief,
    UserIdPage,
    UserWrite,
    WechatChannels,
)

__all__ = [
    "BizMailAlias",
    "Department",
    "DepartmentRef",
    "DepartmentUser",
    "ExtAttr",
    "ExtAttrMiniprogram",
    "ExtAttrText",
    "ExtAttrWeb",
    "ExtAttrs",
    "ExternalProfile",
    "InviteResult",
    "MembershipResult",
    "Tag",
    "TagMember",
    "TagMembers",
    "User",
    "UserBrief",
    "UserIdPage",
    "UserWrite",
    "WeComModel",
    "WechatChannels",
]
