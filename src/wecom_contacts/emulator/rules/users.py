"""Member field rules (users.md §1-§2, errors.md "Member (user) errors")."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import ApiError
from .common import check_int32, check_uint32, utf8_len

_USERID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@.\-]*")
# digits with an optional leading +, groups split by one space or dash ("+86 13800000000")
_MOBILE = re.compile(r"\+?[0-9]+(?:[ \-][0-9]+)*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_TELEPHONE = re.compile(r"[0-9+\-,]+")
_ENGLISH_NAME = re.compile(r"[A-Za-z0-9 ._\-]+")
GENDERS = ("0", "1", "2")


def check_userid(value: str, key: str = "userid") -> str:
    """1-64 bytes of letters, digits, `_ - @ .`, starting with a letter or digit."""
    if utf8_len(value) > 64:
        raise ApiError(40058, f"{key} longer than 64 bytes")
    if not _USERID.fullmatch(value):
        raise ApiError(40003, f"{key} {value!r} has characters outside [A-Za-z0-9_@.-]")
    return value


def check_name(value: str) -> str:
    if not value or len(value) > 64:
        raise ApiError(60112, "name must be 1-64 characters")
    return value


def check_alias(value: str) -> str:
    if len(value) > 64:
        raise ApiError(40058, "alias longer than 64 characters")
    return value


def check_mobile(value: str) -> str:
    """ "" clears; else at most 32 characters of digits, a leading + and - / space separators."""
    if value and (len(value) > 32 or not _MOBILE.fullmatch(value)):
        raise ApiError(60103, f"mobile {value!r} is not a phone number")
    return value


def check_email(value: str) -> str:
    if value and not (6 <= utf8_len(value) <= 64 and _EMAIL.fullmatch(value)):
        raise ApiError(60105, f"email {value!r} is not a 6-64 byte address")
    return value


def check_biz_mail(value: str, domain: str | None) -> str:
    if not value:
        return value
    if not (6 <= utf8_len(value) <= 64 and _EMAIL.fullmatch(value)):
        raise ApiError(60143, f"biz_mail {value!r} is not a 6-64 byte address")
    if domain and not value.lower().endswith("@" + domain.lower()):
        raise ApiError(81015, f"biz_mail must end with @{domain}")
    return value


def check_position(value: str) -> str:
    if len(value) > 128:
        raise ApiError(301012, "position longer than 128 characters")
    return value


def check_telephone(value: str) -> str:
    if value and (utf8_len(value) > 32 or not _TELEPHONE.fullmatch(value)):
        raise ApiError(301013, "telephone must be at most 32 digits, -, + or ,")
    return value


def check_gender(value: str) -> str:
    if value not in GENDERS:
        raise ApiError(40058, 'gender must be "1" (male) or "2" (female)')
    return value


def check_address(value: str) -> str:
    if len(value) > 128:
        raise ApiError(40058, "address longer than 128 characters")
    return value


def check_external_position(value: str) -> str:
    if len(value) > 12:
        raise ApiError(40058, "external_position longer than 12 characters")
    return value


def check_english_name(value: str) -> str:
    if not value or utf8_len(value) > 64 or not _ENGLISH_NAME.fullmatch(value):
        raise ApiError(40058, "english_name must be 1-64 bytes of letters, digits, ._- or space")
    return value


TEXT_RULES: dict[str, Callable[[str], str]] = {
    "name": check_name,
    "alias": check_alias,
    "mobile": check_mobile,
    "email": check_email,
    "position": check_position,
    "telephone": check_telephone,
    "gender": check_gender,
    "address": check_address,
    "external_position": check_external_position,
    "english_name": check_english_name,
    "avatar_mediaid": str,
    "nickname": str,
}


def check_departments(ids: list[int], *, max_count: int) -> list[int]:
    """At most max_count distinct int32 ids (60110 / 40066)."""
    if len(ids) > max_count:
        raise ApiError(60110, f"more than {max_count} departments")
    for dept_id in ids:
        check_int32(dept_id, "department")
    if len(set(ids)) != len(ids):
        raise ApiError(40066, "department lists an id twice")
    return ids


def check_orders(orders: list[int], count: int) -> list[int]:
    """One uint32 per department (larger first)."""
    if len(orders) != count:
        raise ApiError(40058, "order must have one value per department")
    return [check_uint32(o, "order") for o in orders]


def check_leader_flags(flags: list[int], count: int) -> list[int]:
    """One 0/1 per department (60132 on a length mismatch)."""
    if len(flags) != count:
        raise ApiError(60132, "is_leader_in_dept must have one flag per department")
    if any(f not in (0, 1) for f in flags):
        raise ApiError(40058, "is_leader_in_dept values must be 0 or 1")
    return flags


def check_direct_leaders(userids: list[str]) -> list[str]:
    if len(userids) > 5:
        raise ApiError(40058, "at most 5 direct leaders")
    return userids


def check_enable(value: int) -> int:
    if value not in (0, 1):
        raise ApiError(40058, "enable must be 0 or 1")
    return value
