"""What WeCom refuses in a member's, department's or tag's values: one set of rules for all.

The desired-state schema (YAML, JSON and CSV alike) and the import templates ask these rules,
so a value is refused at plan time, before any write, whatever the file's format. They follow
users.md / departments.md / tags.md and limits.md §4 (the emulator's rules in
``emulator/rules`` implement the same facts on the server side; the library does not import
the emulator). Each rule returns None for a valid value, else what is wrong with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "MEMBER_TEXT_FIELDS",
    "USERID_BYTES",
    "department_name_problem",
    "member_column_accepted",
    "member_field_problem",
    "tag_name_problem",
    "text_problem",
    "userid_problem",
]

Rule = Callable[[str], "str | None"]
ColumnRule = Callable[[list[str]], bool]

_USERID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@.\-]*")
# digits with an optional leading +, groups split by one space or dash ("+86 13800000000")
_MOBILE = re.compile(r"\+?[0-9]+(?:[ \-][0-9]+)*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_TELEPHONE = re.compile(r"[0-9+\-,]+")
_DEPT_FORBIDDEN = frozenset('\\:*?"<>|')


def _utf8_len(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def text_problem(value: str) -> str | None:
    """Control characters (tab, newline, NUL, DEL, C1) and lone surrogates: never sendable."""
    if value.isprintable():  # in C; false for every Cc and Cs character (and a few more)
        return None
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            return f"contains the control character {char!r}"
        if category == "Cs":
            return "is not valid Unicode (a lone surrogate)"
    return None


# The bounds of the member text fields, read by the value rules and the column rules alike:
# characters, except e-mails' and telephones', counted in UTF-8 bytes.
_CHAR_BOUNDS: dict[str, tuple[int, int]] = {
    "name": (1, 64), "alias": (0, 64), "position": (0, 128), "address": (0, 128),
    "external_position": (0, 12), "avatar_mediaid": (0, 512),
}
_MOBILE_MAX = 32  # characters
_EMAIL_BYTES = (6, 64)
_TELEPHONE_MAX = 32  # bytes
USERID_BYTES = 64


def _chars(low: int, high: int) -> Rule:
    def rule(value: str) -> str | None:
        if not low <= len(value) <= high:
            return f"must be {low}-{high} characters, not {len(value)}"
        return text_problem(value)

    return rule


def userid_problem(value: str) -> str | None:
    if not 1 <= _utf8_len(value) <= USERID_BYTES:
        return f"must be 1-{USERID_BYTES} bytes"
    if not _USERID.fullmatch(value):
        return (f"{value!r}: only letters, digits and _ - @ . are allowed (ASCII), starting "
                "with a letter or digit")
    return None


def _mobile(value: str) -> str | None:
    if value and (len(value) > _MOBILE_MAX or not _MOBILE.fullmatch(value)):
        return (f"{value!r} is not a phone number (digits, a leading +, groups split by one "
                f"space or -; at most {_MOBILE_MAX} characters)")
    return None


def _email(value: str) -> str | None:
    low, high = _EMAIL_BYTES
    if value and not low <= _utf8_len(value) <= high:
        return f"{value!r} must be {low}-{high} bytes"
    if value and not _EMAIL.fullmatch(value):
        return f"{value!r} is not an e-mail address"
    return None


def _telephone(value: str) -> str | None:
    if value and (_utf8_len(value) > _TELEPHONE_MAX or not _TELEPHONE.fullmatch(value)):
        return f"{value!r}: at most {_TELEPHONE_MAX} digits, + - or ,"
    return None


_MEMBER_RULES: dict[str, Rule] = {
    "userid": userid_problem,
    **{field: _chars(*bounds) for field, bounds in _CHAR_BOUNDS.items()},
    "mobile": _mobile,
    "email": _email,
    "biz_mail": _email,
    "telephone": _telephone,
}
MEMBER_TEXT_FIELDS = frozenset(_MEMBER_RULES)


def member_field_problem(field: str, value: str) -> str | None:
    """What WeCom would refuse in a member's text field (unknown fields: control characters)."""
    rule = _MEMBER_RULES.get(field)
    return rule(value) if rule is not None else text_problem(value)


def _chars_column(low: int, high: int) -> ColumnRule:
    def rule(values: list[str]) -> bool:
        # "".join(values).isprintable() is every value's isprintable(), in one C call
        return low <= min(map(len, values)) and max(map(len, values)) <= high and \
            "".join(values).isprintable()
    return rule


def _pattern_column(pattern: re.Pattern[str], low: int, high: int) -> ColumnRule:
    # these patterns take ASCII only, so a matching value's length is its UTF-8 length
    def rule(values: list[str]) -> bool:
        return all(map(pattern.fullmatch, values)) and \
            low <= min(map(len, values)) and max(map(len, values)) <= high
    return rule


# Each rule of _MEMBER_RULES over a whole column, for sources that read thousands of
# values: True only when the rule finds nothing in any value (False: ask value by value).
# It decides nothing new (the same bounds and patterns): tests/test_field_columns.py checks
# it against the rule it stands for.
_MEMBER_COLUMN_RULES: dict[str, ColumnRule] = {
    **{field: _chars_column(*bounds) for field, bounds in _CHAR_BOUNDS.items()},
    "mobile": _pattern_column(_MOBILE, 0, _MOBILE_MAX),
    "email": _pattern_column(_EMAIL, *_EMAIL_BYTES),
    "biz_mail": _pattern_column(_EMAIL, *_EMAIL_BYTES),
    "telephone": _pattern_column(_TELEPHONE, 0, _TELEPHONE_MAX),
}


def member_column_accepted(field: str, values: list[str]) -> bool:
    """Whether ``member_field_problem(field, v)`` is None for every one of ``values`` (a
    non-empty list of non-empty text), decided in a few passes in C. False means "ask value
    by value", not that a value is refused."""
    rule = _MEMBER_COLUMN_RULES.get(field)
    return rule is not None and bool(values) and rule(values)


DEPARTMENT_MAX_DEPTH = 15  # levels, the root being level 1 (limits.md; errcode 81002)


def department_name_problem(value: str, *, allow_empty: bool = False) -> str | None:
    """A department name or English name: 1-64 characters, none of \\ : * ? " < > |."""
    if not value and allow_empty:
        return None
    if not 1 <= len(value) <= 64:
        return f"must be 1-64 characters, not {len(value)}"
    bad = sorted(_DEPT_FORBIDDEN.intersection(value))
    if bad:
        return f"{value!r} contains {' '.join(bad)} (not allowed in department names)"
    return text_problem(value)


def tag_name_problem(value: str) -> str | None:
    """1-32 characters (a Chinese character or a letter counts one)."""
    return _chars(1, 32)(value)
