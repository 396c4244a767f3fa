"""Cell rules of the import templates (users.md, departments.md, limits.md §4), as messages."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "INT32_MAX",
    "UINT32_MAX",
    "CellCheck",
    "check_department_name",
    "check_email",
    "check_mobile",
    "check_telephone",
    "check_userid",
    "max_chars",
    "utf8_len",
]

# A check returns None when the cell is fine, else what is wrong with it.
CellCheck = Callable[[str], "str | None"]

INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1
_USERID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@.\-]*")
_MOBILE = re.compile(r"\+?\d+(?:[ -]\d+)*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_TELEPHONE = re.compile(r"[0-9+\-,]+")
_DEPT_FORBIDDEN = set('\\:*?"<>|')


def utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


def check_userid(value: str) -> str | None:
    if utf8_len(value) > 64:
        return "longer than 64 bytes"
    if not _USERID.fullmatch(value):
        return (f"{value!r}: only letters, digits and _ - @ . are allowed, "
                "starting with a letter or digit")
    return None


def check_mobile(value: str) -> str | None:
    if len(value) > 32 or not _MOBILE.fullmatch(value):
        return f"{value!r} is not a phone number (digits, a leading +, - or space between groups)"
    return None


def check_email(value: str) -> str | None:
    if not 6 <= utf8_len(value) <= 64:
        return f"{value!r} must be 6-64 bytes"
    if not _EMAIL.fullmatch(value):
        return f"{value!r} is not an e-mail address"
    return None


def check_telephone(value: str) -> str | None:
    if utf8_len(value) > 32 or not _TELEPHONE.fullmatch(value):
        return f"{value!r}: at most 32 digits, + - or ,"
    return None


def check_department_name(value: str) -> str | None:
    if not 1 <= len(value) <= 64:
        return "must be 1-64 characters"
    bad = sorted(_DEPT_FORBIDDEN.intersection(value))
    if bad:
        return f"{value!r} contains {' '.join(bad)} (not allowed in department names)"
    return None


def max_chars(limit: int) -> CellCheck:
    def check(value: str) -> str | None:
        return f"longer than {limit} characters" if len(value) > limit else None

    return check
