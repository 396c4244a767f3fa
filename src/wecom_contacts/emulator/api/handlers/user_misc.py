"""openid conversion, authsucc, lookups by mobile/e-mail, active stats, invite, join QR code."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import Params, utf8_len
from ...store.keys import email_key, mobile_key, userid_key
from ...store.records import User
from .users import existing_user

# WeCom's "today" and dates are China time
_CHINA = dt.timezone(dt.timedelta(hours=8))


def _visible_user(ctx: Ctx, p: Params) -> User:
    userid = p.text("userid")
    if not userid:
        raise ApiError(41009)
    user = existing_user(ctx, userid)
    if not ctx.scope().sees_user(user.seq):
        raise ApiError(60011, f"userid {userid!r} is outside the app's visible scope")
    return user


def convert_to_openid(ctx: Ctx, p: Params) -> dict[str, Any]:
    user = _visible_user(ctx, p)
    if ctx.config.openid_requires_activation and not user.activated:
        raise ApiError(43004, "the member has not activated WeCom (see user/authsucc)")
    return {"openid": user.openid}


def convert_to_userid(ctx: Ctx, p: Params) -> dict[str, Any]:
    openid = p.text("openid")
    if not openid:
        raise ApiError(40058, "openid is required")
    seq = ctx.store.users.seq_where("openid", openid)
    if seq is None:
        raise ApiError(40073)
    if not ctx.scope().sees_user(seq):
        raise ApiError(60011, "the member is outside the app's visible scope")
    return {"userid": ctx.store.users.userids([seq])[seq]}


def authsucc(ctx: Ctx, p: Params) -> dict[str, Any]:
    """The member passed the corp's own verification: the emulator marks them activated."""
    user = _visible_user(ctx, p)
    if not user.activated:
        activated = copy.deepcopy(user)
        activated.activated = True
        ctx.store.users.update(user, activated, ctx.caller.name)
    return {}


def _found(ctx: Ctx, column: str, key: str, what: str) -> dict[str, Any]:
    seq = ctx.store.users.seq_where(column, key)
    if seq is None or not ctx.scope().sees_user(seq):
        raise ApiError(46004, f"no visible member has this {what}")
    return {"userid": ctx.store.users.userids([seq])[seq]}


def getuserid(ctx: Ctx, p: Params) -> dict[str, Any]:
    mobile = p.text("mobile")
    if not mobile or not 5 <= utf8_len(mobile) <= 32:
        raise ApiError(40058, "mobile must be 5-32 bytes")
    return _found(ctx, "mobile_key", mobile_key(mobile), "mobile")


def get_userid_by_email(ctx: Ctx, p: Params) -> dict[str, Any]:
    email = p.text("email")
    if not email:
        raise ApiError(40058, "email is required")
    email_type = p.integer("email_type")
    if email_type not in (None, 1, 2):
        raise ApiError(40058, "email_type must be 1 (biz_mail) or 2 (email)")
    column = "email_key" if email_type == 2 else "biz_mail_key"
    return _found(ctx, column, email_key(email), "e-mail")


def get_active_stat(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Members activated (and enabled) who existed by the end of that day."""
    text = p.text("date")
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        raise ApiError(40058, "date must be YYYY-MM-DD") from None
    today = dt.datetime.fromtimestamp(ctx.now, _CHINA).date()
    oldest = today - dt.timedelta(days=ctx.config.active_stat_max_days)
    if not oldest <= day <= today:
        raise ApiError(
            40058, f"date must be within the last {ctx.config.active_stat_max_days} days"
        )
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), _CHINA).timestamp()
    count = sum(1 for u in ctx.store.users.all() if u.activated and u.enable and u.created_at < end)
    return {"active_cnt": count}


def invite(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Invalid ids are listed and the rest invited; nothing valid at all is an error."""
    userids = p.texts("user") or []
    parties = p.ints("party") or []
    tags = p.ints("tag") or []
    if not (userids or parties or tags):
        raise ApiError(82001)
    if len(userids) > 1000:
        raise ApiError(40032, "at most 1000 users")
    if len(parties) > 100:
        raise ApiError(82002, "at most 100 departments")
    if len(tags) > 100:
        raise ApiError(82003, "at most 100 tags")
    scope = ctx.scope()
    seqs = ctx.store.users.seqs_by_userids(userids)
    bad_users = [
        u for u in userids if userid_key(u) not in seqs or not scope.sees_user(seqs[userid_key(u)])
    ]
    existing = ctx.store.departments.existing(parties)
    bad_parties = [d for d in parties if d not in existing or not scope.sees_department(d)]
    bad_tags = [t for t in tags if ctx.store.tags.get(t) is None]
    if len(bad_users) + len(bad_parties) + len(bad_tags) == len(userids) + len(parties) + len(tags):
        raise ApiError(
            ctx.config.invite_all_invalid_errcode, "every user, party and tag is invalid"
        )
    return {"invaliduser": bad_users, "invalidparty": bad_parties, "invalidtag": bad_tags}


def join_qrcode(ctx: Ctx, p: Params) -> dict[str, Any]:
    """A URL (not image bytes), stable for a 7-day period."""
    size = p.integer("size_type")
    if size is None:
        size = ctx.config.join_qrcode_default_size
    if size not in (1, 2, 3, 4):
        raise ApiError(40058, "size_type must be 1-4")
    period = int(ctx.now // (7 * 86400))
    vcode = hashlib.sha256(f"{ctx.config.corp_id}:{period}".encode()).hexdigest()[:29]
    return {
        "join_qrcode": "https://work.weixin.qq.com/wework_admin/genqrcode?action=join"
        f"&vcode={vcode}&r=hb_share_api_mjoin&qr_size={size}"
    }
