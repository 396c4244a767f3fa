"""Members (成员管理): create, read, update, delete, list, id paging, lookups, invitations."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from .._http.answers import Many, Whole
from .._types import NOT_GIVEN, Omittable, drop_omitted
from ..models.users import (
    BizMailAlias,
    DepartmentUser,
    ExtAttrs,
    ExternalProfile,
    InviteResult,
    User,
    UserBrief,
    UserIdPage,
    UserWrite,
)
from ._base import AsyncResource, Resource, id_list, str_list

__all__ = ["AsyncUsers", "Users"]

# What each endpoint answers, read in one pass from the bytes (_http/answers.py).
_INVITE_RESULT = Whole(InviteResult)
_USER = Whole(User)
_USER_BRIEFS = Many(UserBrief, "userlist")
_USER_ID_PAGE = Whole(UserIdPage)
_USERS = Many(User, "userlist")


def _user_body(**fields: Any) -> dict[str, Any]:
    """The body of a create or update: the given fields only, each in its wire form."""
    return UserWrite.model_validate(drop_omitted(**fields)).body()


def _day(value: dt.date | str) -> str:
    """A day as WeCom writes it, ``YYYY-MM-DD``; a malformed string fails before any call."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(value).isoformat()


def _invite_body(users: Iterable[str], departments: Iterable[int],
                 tags: Iterable[int]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "user": str_list(users, "users"),
        "party": id_list(departments, "departments"),
        "tag": id_list(tags, "tags"),
    }
    return {k: v for k, v in body.items() if v}


class AsyncUsers(AsyncResource):
    async def create(
        self,
        userid: str,
        name: str,
        *,
        department: Sequence[int],
        mobile: Omittable[str] = NOT_GIVEN,
        email: Omittable[str] = NOT_GIVEN,
        order: Omittable[Sequence[int]] = NOT_GIVEN,
        is_leader_in_dept: Omittable[Sequence[int]] = NOT_GIVEN,
        main_department: Omittable[int] = NOT_GIVEN,
        direct_leader: Omittable[Sequence[str]] = NOT_GIVEN,
        alias: Omittable[str] = NOT_GIVEN,
        position: Omittable[str] = NOT_GIVEN,
        gender: Omittable[Literal["1", "2"]] = NOT_GIVEN,
        biz_mail: Omittable[str] = NOT_GIVEN,
        telephone: Omittable[str] = NOT_GIVEN,
        avatar_mediaid: Omittable[str] = NOT_GIVEN,
        enable: Omittable[bool] = NOT_GIVEN,
        extattr: Omittable[ExtAttrs | Mapping[str, Any]] = NOT_GIVEN,
        to_invite: Omittable[bool] = NOT_GIVEN,
        external_profile: Omittable[ExternalProfile | Mapping[str, Any]] = NOT_GIVEN,
        external_position: Omittable[str] = NOT_GIVEN,
        nickname: Omittable[str] = NOT_GIVEN,
        address: Omittable[str] = NOT_GIVEN,
    ) -> None:
        """Create a member (mobile or email required). https://developer.work.weixin.qq.com/document/path/90195

        Args:
            gender: ``"1"`` male, ``"2"`` female (a string, as on the wire).
            order: one value per entry of ``department``; larger sorts first.
            is_leader_in_dept: one 0/1 per entry of ``department``.
            to_invite: send the invitation (WeCom's default is yes).
        """
        body = _user_body(
            userid=userid, name=name, department=department, mobile=mobile, email=email,
            order=order, is_leader_in_dept=is_leader_in_dept, main_department=main_department,
            direct_leader=direct_leader, alias=alias, position=position, gender=gender,
            biz_mail=biz_mail, telephone=telephone, avatar_mediaid=avatar_mediaid,
            enable=enable, extattr=extattr, to_invite=to_invite,
            external_profile=external_profile, external_position=external_position,
            nickname=nickname, address=address,
        )
        await self._call("user/create", body=body)

    async def get(self, userid: str) -> User:
        """One member with every field the caller may see. https://developer.work.weixin.qq.com/document/path/90196"""
        return await self._read("user/get", _USER, params={"userid": userid})

    async def update(
        self,
        userid: str,
        *,
        new_userid: Omittable[str] = NOT_GIVEN,
        name: Omittable[str] = NOT_GIVEN,
        department: Omittable[Sequence[int]] = NOT_GIVEN,
        mobile: Omittable[str] = NOT_GIVEN,
        email: Omittable[str] = NOT_GIVEN,
        order: Omittable[Sequence[int]] = NOT_GIVEN,
        is_leader_in_dept: Omittable[Sequence[int]] = NOT_GIVEN,
        main_department: Omittable[int] = NOT_GIVEN,
        direct_leader: Omittable[Sequence[str]] = NOT_GIVEN,
        alias: Omittable[str] = NOT_GIVEN,
        position: Omittable[str] = NOT_GIVEN,
        gender: Omittable[Literal["1", "2"]] = NOT_GIVEN,
        biz_mail: Omittable[str] = NOT_GIVEN,
        biz_mail_alias: Omittable[BizMailAlias | Mapping[str, Any]] = NOT_GIVEN,
        telephone: Omittable[str] = NOT_GIVEN,
        avatar_mediaid: Omittable[str] = NOT_GIVEN,
        enable: Omittable[bool] = NOT_GIVEN,
        extattr: Omittable[ExtAttrs | Mapping[str, Any]] = NOT_GIVEN,
        external_profile: Omittable[ExternalProfile | Mapping[str, Any]] = NOT_GIVEN,
        external_position: Omittable[str] = NOT_GIVEN,
        nickname: Omittable[str] = NOT_GIVEN,
        address: Omittable[str] = NOT_GIVEN,
    ) -> None:
        """Change only the given fields. https://developer.work.weixin.qq.com/document/path/90197

        Args:
            new_userid: rename once; only system-generated userids may change (301036).
            order: counts only together with ``department``.
            mobile: ignored by WeCom for members who have activated WeCom.
        """
        body = _user_body(
            userid=userid, new_userid=new_userid, name=name, department=department,
            mobile=mobile, email=email, order=order, is_leader_in_dept=is_leader_in_dept,
            main_department=main_department, direct_leader=direct_leader, alias=alias,
            position=position, gender=gender, biz_mail=biz_mail, biz_mail_alias=biz_mail_alias,
            telephone=telephone, avatar_mediaid=avatar_mediaid, enable=enable, extattr=extattr,
            external_profile=external_profile, external_position=external_position,
            nickname=nickname, address=address,
        )
        await self._call("user/update", body=body)

    async def delete(self, userid: str) -> None:
        """Delete a member. https://developer.work.weixin.qq.com/document/path/90198"""
        await self._call("user/delete", params={"userid": userid})

    async def batch_delete(self, userids: Iterable[str]) -> None:
        """Delete up to 200 members; one invalid userid fails the whole call. https://developer.work.weixin.qq.com/document/path/90199"""
        await self._call("user/batchdelete", body={"useridlist": str_list(userids, "userids")})

    async def enable(self, userid: str) -> None:
        """Enable a member (``user/update`` with enable=1). https://developer.work.weixin.qq.com/document/path/90197"""
        await self._call("user/update", body={"userid": userid, "enable": 1})

    async def disable(self, userid: str) -> None:
        """Disable a member (``user/update`` with enable=0). https://developer.work.weixin.qq.com/document/path/90197"""
        await self._call("user/update", body={"userid": userid, "enable": 0})

    async def simple_list(
        self, department_id: int, *, fetch_child: bool = False
    ) -> builtins.list[UserBrief]:
        """A department's members: userid, name, departments. https://developer.work.weixin.qq.com/document/path/90200"""
        params = {"department_id": department_id, **({"fetch_child": 1} if fetch_child else {})}
        return await self._read("user/simplelist", _USER_BRIEFS, params=params)

    async def list(
        self, department_id: int, *, fetch_child: bool = False
    ) -> builtins.list[User]:
        """A department's members with details. https://developer.work.weixin.qq.com/document/path/90201"""
        params = {"department_id": department_id, **({"fetch_child": 1} if fetch_child else {})}
        return await self._read("user/list", _USERS, params=params)

    async def list_ids(
        self, *, cursor: Omittable[str] = NOT_GIVEN, limit: Omittable[int] = NOT_GIVEN
    ) -> UserIdPage:
        """One page of (userid, department) pairs of the whole corp. https://developer.work.weixin.qq.com/document/path/96067

        Args:
            cursor: ``next_cursor`` of the previous page; omit for the first page.
            limit: page size, 1–10000.
        """
        return await self._read(
            "user/list_id", _USER_ID_PAGE, body=drop_omitted(cursor=cursor, limit=limit)
        )

    async def aiter_ids(self, *, page_size: int = 10_000) -> AsyncIterator[DepartmentUser]:
        """Every (userid, department) pair, following cursors to the end. https://developer.work.weixin.qq.com/document/path/96067

        Each pair is yielded at most once, even when pages overlap. Every pair present for
        the whole iteration is yielded (WeCom's cursor keeps the place); pairs added or
        removed while it runs may or may not appear.
        """
        seen: set[tuple[str, int]] = set()
        cursor: str | None = None
        while True:
            page = await self.list_ids(cursor=cursor, limit=page_size)
            for item in page.items:
                key = (item.userid, item.department)
                if key not in seen:
                    seen.add(key)
                    yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def to_openid(self, userid: str) -> str:
        """The openid of a member (for enterprise payments). https://developer.work.weixin.qq.com/document/path/90202"""
        data = await self._call("user/convert_to_openid", body={"userid": userid})
        return str(data["openid"])

    async def to_userid(self, openid: str) -> str:
        """The userid of an openid. https://developer.work.weixin.qq.com/document/path/90202"""
        data = await self._call("user/convert_to_userid", body={"openid": openid})
        return str(data["userid"])

    async def auth_succ(self, userid: str) -> None:
        """Confirm a joining member's verification. https://developer.work.weixin.qq.com/document/path/90203"""
        await self._call("user/authsucc", params={"userid": userid})

    async def get_userid_by_mobile(self, mobile: str) -> str:
        """The userid of the member with this mobile number. https://developer.work.weixin.qq.com/document/path/95402"""
        data = await self._call("user/getuserid", body={"mobile": mobile})
        return str(data["userid"])

    async def get_userid_by_email(self, email: str, *, email_type: Literal[1, 2] = 1) -> str:
        """The userid of a corporate (1) or personal (2) e-mail. https://developer.work.weixin.qq.com/document/path/95895"""
        body = {"email": email, "email_type": email_type}
        data = await self._call("user/get_userid_by_email", body=body)
        return str(data["userid"])

    async def active_count(self, date: dt.date | str) -> int:
        """How many members were active on a day (at most 30 days back). https://developer.work.weixin.qq.com/document/path/92714"""
        data = await self._call("user/get_active_stat", body={"date": _day(date)})
        return int(data["active_cnt"])

    async def invite(
        self,
        *,
        users: Iterable[str] = (),
        departments: Iterable[int] = (),
        tags: Iterable[int] = (),
    ) -> InviteResult:
        """Invite members, departments or tags; invalid entries are listed, the rest invited. https://developer.work.weixin.qq.com/document/path/90975"""
        return await self._read(
            "batch/invite", _INVITE_RESULT, body=_invite_body(users, departments, tags)
        )


# ---- generated by scripts/unasync.py: do not edit below this line ----


class Users(Resource):
    def create(
        self,
        userid: str,
        name: str,
        *,
        department: Sequence[int],
        mobile: Omittable[str] = NOT_GIVEN,
        email: Omittable[str] = NOT_GIVEN,
        order: Omittable[Sequence[int]] = NOT_GIVEN,
        is_leader_in_dept: Omittable[Sequence[int]] = NOT_GIVEN,
        main_department: Omittable[int] = NOT_GIVEN,
        direct_leader: Omittable[Sequence[str]] = NOT_GIVEN,
        alias: Omittable[str] = NOT_GIVEN,
        position: Omittable[str] = NOT_GIVEN,
        gender: Omittable[Literal["1", "2"]] = NOT_GIVEN,
        biz_mail: Omittable[str] = NOT_GIVEN,
        telephone: Omittable[str] = NOT_GIVEN,
        avatar_mediaid: Omittable[str] = NOT_GIVEN,
        enable: Omittable[bool] = NOT_GIVEN,
        extattr: Omittable[ExtAttrs | Mapping[str, Any]] = NOT_GIVEN,
        to_invite: Omittable[bool] = NOT_GIVEN,
        external_profile: Omittable[ExternalProfile | Mapping[str, Any]] = NOT_GIVEN,
        external_position: Omittable[str] = NOT_GIVEN,
        nickname: Omittable[str] = NOT_GIVEN,
        address: Omittable[str] = NOT_GIVEN,
    ) -> None:
        """Create a member (mobile or email required). https://developer.work.weixin.qq.com/document/path/90195

        Args:
            gender: ``"1"`` male, ``"2"`` female (a string, as on the wire).
            order: one value per entry of ``department``; larger sorts first.
            is_leader_in_dept: one 0/1 per entry of ``department``.
            to_invite: send the invitation (WeCom's default is yes).
        """
        body = _user_body(
            userid=userid, name=name, department=department, mobile=mobile, email=email,
            order=order, is_leader_in_dept=is_leader_in_dept, main_department=main_department,
            direct_leader=direct_leader, alias=alias, position=position, gender=gender,
            biz_mail=biz_mail, telephone=telephone, avatar_mediaid=avatar_mediaid,
            enable=enable, extattr=extattr, to_invite=to_invite,
            external_profile=external_profile, external_position=external_position,
            nickname=nickname, address=address,
        )
        self._call("user/create", body=body)

    def get(self, userid: str) -> User:
        """One member with every field the caller may see. https://developer.work.weixin.qq.com/document/path/90196"""
        return self._read("user/get", _USER, params={"userid": userid})

    def update(
        self,
        userid: str,
        *,
        new_userid: Omittable[str] = NOT_GIVEN,
        name: Omittable[str] = NOT_GIVEN,
        department: Omittable[Sequence[int]] = NOT_GIVEN,
        mobile: Omittable[str] = NOT_GIVEN,
        email: Omittable[str] = NOT_GIVEN,
        order: Omittable[Sequence[int]] = NOT_GIVEN,
        is_leader_in_dept: Omittable[Sequence[int]] = NOT_GIVEN,
        main_department: Omittable[int] = NOT_GIVEN,
        direct_leader: Omittable[Sequence[str]] = NOT_GIVEN,
        alias: Omittable[str] = NOT_GIVEN,
        position: Omittable[str] = NOT_GIVEN,
        gender: Omittable[Literal["1", "2"]] = NOT_GIVEN,
        biz_mail: Omittable[str] = NOT_GIVEN,
        biz_mail_alias: Omittable[BizMailAlias | Mapping[str, Any]] = NOT_GIVEN,
        telephone: Omittable[str] = NOT_GIVEN,
        avatar_mediaid: Omittable[str] = NOT_GIVEN,
        enable: Omittable[bool] = NOT_GIVEN,
        extattr: Omittable[ExtAttrs | Mapping[str, Any]] = NOT_GIVEN,
        external_profile: Omittable[ExternalProfile | Mapping[str, Any]] = NOT_GIVEN,
        external_position: Omittable[str] = NOT_GIVEN,
        nickname: Omittable[str] = NOT_GIVEN,
        address: Omittable[str] = NOT_GIVEN,
    ) -> None:
        """Change only the given fields. https://developer.work.weixin.qq.com/document/path/90197

        Args:
            new_userid: rename once; only system-generated userids may change (301036).
            order: counts only together with ``department``.
            mobile: ignored by WeCom for members who have activated WeCom.
        """
        body = _user_body(
            userid=userid, new_userid=new_userid, name=name, department=department,
            mobile=mobile, email=email, order=order, is_leader_in_dept=is_leader_in_dept,
            main_department=main_department, direct_leader=direct_leader, alias=alias,
            position=position, gender=gender, biz_mail=biz_mail, biz_mail_alias=biz_mail_alias,
            telephone=telephone, avatar_mediaid=avatar_mediaid, enable=enable, extattr=extattr,
            external_profile=external_profile, external_position=external_position,
            nickname=nickname, address=address,
        )
        self._call("user/update", body=body)

    def delete(self, userid: str) -> None:
        """Delete a member. https://developer.work.weixin.qq.com/document/path/90198"""
        self._call("user/delete", params={"userid": userid})

    def batch_delete(self, userids: Iterable[str]) -> None:
        """Delete up to 200 members; one invalid userid fails the whole call. https://developer.work.weixin.qq.com/document/path/90199"""
        self._call("user/batchdelete", body={"useridlist": str_list(userids, "userids")})

    def enable(self, userid: str) -> None:
        """Enable a member (``user/update`` with enable=1). https://developer.work.weixin.qq.com/document/path/90197"""
        self._call("user/update", body={"userid": userid, "enable": 1})

    def disable(self, userid: str) -> None:
        """Disable a member (``user/update`` with enable=0). https://developer.work.weixin.qq.com/document/path/90197"""
        self._call("user/update", body={"userid": userid, "enable": 0})

    def simple_list(
        self, department_id: int, *, fetch_child: bool = False
    ) -> builtins.list[UserBrief]:
        """A department's members: userid, name, departments. https://developer.work.weixin.qq.com/document/path/90200"""
        params = {"department_id": department_id, **({"fetch_child": 1} if fetch_child else {})}
        return self._read("user/simplelist", _USER_BRIEFS, params=params)

    def list(
        self, department_id: int, *, fetch_child: bool = False
    ) -> builtins.list[User]:
        """A department's members with details. https://developer.work.weixin.qq.com/document/path/90201"""
        params = {"department_id": department_id, **({"fetch_child": 1} if fetch_child else {})}
        return self._read("user/list", _USERS, params=params)

    def list_ids(
        self, *, cursor: Omittable[str] = NOT_GIVEN, limit: Omittable[int] = NOT_GIVEN
    ) -> UserIdPage:
        """One page of (userid, department) pairs of the whole corp. https://developer.work.weixin.qq.com/document/path/96067

        Args:
            cursor: ``next_cursor`` of the previous page; omit for the first page.
            limit: page size, 1–10000.
        """
        return self._read(
            "user/list_id", _USER_ID_PAGE, body=drop_omitted(cursor=cursor, limit=limit)
        )

    def iter_ids(self, *, page_size: int = 10_000) -> Iterator[DepartmentUser]:
        """Every (userid, department) pair, following cursors to the end. https://developer.work.weixin.qq.com/document/path/96067

        Each pair is yielded at most once, even when pages overlap. Every pair present for
        the whole iteration is yielded (WeCom's cursor keeps the place); pairs added or
        removed while it runs may or may not appear.
        """
        seen: set[tuple[str, int]] = set()
        cursor: str | None = None
        while True:
            page = self.list_ids(cursor=cursor, limit=page_size)
            for item in page.items:
                key = (item.userid, item.department)
                if key not in seen:
                    seen.add(key)
                    yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def to_openid(self, userid: str) -> str:
        """The openid of a member (for enterprise payments). https://developer.work.weixin.qq.com/document/path/90202"""
        data = self._call("user/convert_to_openid", body={"userid": userid})
        return str(data["openid"])

    def to_userid(self, openid: str) -> str:
        """The userid of an openid. https://developer.work.weixin.qq.com/document/path/90202"""
        data = self._call("user/convert_to_userid", body={"openid": openid})
        return str(data["userid"])

    def auth_succ(self, userid: str) -> None:
        """Confirm a joining member's verification. https://developer.work.weixin.qq.com/document/path/90203"""
        self._call("user/authsucc", params={"userid": userid})

    def get_userid_by_mobile(self, mobile: str) -> str:
        """The userid of the member with this mobile number. https://developer.work.weixin.qq.com/document/path/95402"""
        data = self._call("user/getuserid", body={"mobile": mobile})
        return str(data["userid"])

    def get_userid_by_email(self, email: str, *, email_type: Literal[1, 2] = 1) -> str:
        """The userid of a corporate (1) or personal (2) e-mail. https://developer.work.weixin.qq.com/document/path/95895"""
        body = {"email": email, "email_type": email_type}
        data = self._call("user/get_userid_by_email", body=body)
        return str(data["userid"])

    def active_count(self, date: dt.date | str) -> int:
        """How many members were active on a day (at most 30 days back). https://developer.work.weixin.qq.com/document/path/92714"""
        data = self._call("user/get_active_stat", body={"date": _day(date)})
        return int(data["active_cnt"])

    def invite(
        self,
        *,
        users: Iterable[str] = (),
        departments: Iterable[int] = (),
        tags: Iterable[int] = (),
    ) -> InviteResult:
        """Invite members, departments or tags; invalid entries are listed, the rest invited. https://developer.work.weixin.qq.com/document/path/90975"""
        return self._read(
            "batch/invite", _INVITE_RESULT, body=_invite_body(users, departments, tags)
        )
