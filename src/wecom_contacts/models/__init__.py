"""Response models, one module per API area."""

from ._base import WeComModel
from .batch import DepartmentAction, JobCallback, JobResult, JobRowResult, JobStatus
from .departments import Department, DepartmentRef
from .export import ExportFile, ExportResult, ExportStatus
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
    "DepartmentAction",
    "DepartmentRef",
    "DepartmentUser",
    "ExportFile",
    "ExportResult",
    "ExportStatus",
    "ExtAttr",
    "ExtAttrMiniprogram",
    "ExtAttrText",
    "ExtAttrWeb",
    "ExtAttrs",
    "ExternalProfile",
    "InviteResult",
    "JobCallback",
    "JobResult",
    "JobRowResult",
    "JobStatus",
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
