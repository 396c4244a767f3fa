"""Cell rules of the import templates (users.md, departments.md, limits.md §4), as messages."""

from __future__ import annotations

from collections.abc import Callable

from .._fieldrules import (
    department_name_problem,
    member_field_problem,
    text_problem,
    userid_problem,
)

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


def utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


# The rules themselves are shared with the desired-state schema (one validator for every
# format): wecom_contacts._fieldrules.


def check_userid(value: str) -> str | None:
    return userid_problem(value)


def check_mobile(value: str) -> str | None:
    return member_field_problem("mobile", value)


def check_email(value: str) -> str | None:
    return member_field_problem("email", value)


def check_telephone(value: str) -> str | None:
    return member_field_problem("telephone", value)


def check_department_name(value: str) -> str | None:
    return department_name_problem(value)


def max_chars(limit: int) -> CellCheck:
    def check(value: str) -> str | None:
        return f"longer than {limit} characters" if len(value) > limit else text_problem(value)

    return check
