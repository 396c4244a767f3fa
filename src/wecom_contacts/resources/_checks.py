"""Argument checks before sending: per endpoint, the type and documented limits of each value.

`check_call` is run by every resource's `_call` on the params and body it is about to send, so
`users.get(None)` or `users.delete([...])` fails here, naming the argument, instead of being sent
as the text ``'None'`` or a list's repr. Checked: types, and the documented lengths, ranges and
list sizes (docs/client.md, "Argument checks"). Character sets, uniqueness, existence and
permissions are left to WeCom, which answers them with a typed `InvalidArgument`, `Conflict`, ...
(the sync planner checks character sets before any write).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["check_call"]


@dataclass(frozen=True, slots=True)
class Problem:
    """What a value should be; `wrong_type` tells a TypeError from a ValueError."""

    should_be: str
    wrong_type: bool = False


# None when the value is fine.
Check = Callable[[Any], "Problem | None"]

_MAX_ID = 2**32 - 1  # WeCom's ids are unsigned 32-bit integers


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _wrong(what: str, value: Any) -> Problem:
    return Problem(f"{what}, not {_kind(value)}", wrong_type=True)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def userid(value: Any) -> Problem | None:
    if not isinstance(value, str):
        return _wrong("a userid (str)", value)
    size = len(value.encode("utf-8", "surrogatepass"))
    if not 1 <= size <= 64:
        return Problem(f"a userid of 1-64 bytes, not {size} bytes")
    return None


def text(low: int, high: int, what: str) -> Check:
    """A str of low..high characters (code points)."""

    def check(value: Any) -> Problem | None:
        if not isinstance(value, str):
            return _wrong(f"{what} (str)", value)
        if not low <= len(value) <= high:
            return Problem(f"{what} of {low}-{high} characters, not {len(value)}")
        return None

    return check


def byte_text(low: int, high: int, what: str) -> Check:
    """A str of low..high UTF-8 bytes."""

    def check(value: Any) -> Problem | None:
        if not isinstance(value, str):
            return _wrong(f"{what} (str)", value)
        size = len(value.encode("utf-8", "surrogatepass"))
        if not low <= size <= high:
            return Problem(f"{what} of {low}-{high} bytes, not {size}")
        return None

    return check


def integer(low: int, high: int, what: str) -> Check:
    def check(value: Any) -> Problem | None:
        if not _is_int(value):
            return _wrong(f"{what} (int)", value)
        if not low <= value <= high:
            return Problem(f"{what} from {low} to {high}, not {value}")
        return None

    return check


def one_of(*allowed: Any) -> Check:
    def check(value: Any) -> Problem | None:
        ok = any(value == a and type(value) is type(a) for a in allowed)
        return None if ok else Problem(f"one of {', '.join(map(repr, allowed))}, not {value!r}")

    return check


def many(item: Check, high: int, what: str, *, low: int = 0) -> Check:
    """A list of low..high values, each passing `item`."""

    def check(value: Any) -> Problem | None:
        if not isinstance(value, (list, tuple)):
            return _wrong(f"a list of {what}", value)
        if not low <= len(value) <= high:
            return Problem(f"a list of {low}-{high} {what}, not {len(value)}")
        for index, entry in enumerate(value):
            problem = item(entry)
            if problem is not None:
                return Problem(f"a list of {what}; entry {index} should be {problem.should_be}",
                               problem.wrong_type)
        return None

    return check


@dataclass(frozen=True, slots=True)
class Arg:
    """One sent value: its wire key, the Python argument it comes from, and its check."""

    wire: str
    name: str
    check: Check
    required: bool = True


def req(wire: str, check: Check, name: str | None = None) -> Arg:
    return Arg(wire, name or wire, check)


def opt(wire: str, check: Check, name: str | None = None) -> Arg:
    return Arg(wire, name or wire, check, required=False)


DEPT_ID = integer(1, _MAX_ID, "a department id")
TAG_ID = integer(0, _MAX_ID, "a tag id")
MEMBER_NAME = text(1, 64, "a name")
DEPT_NAME = text(1, 64, "a department name")
NAME_EN = text(0, 64, "an English name (empty clears it)")
TAG_NAME = text(1, 32, "a tag name")
JOBID = byte_text(1, 64, "a job id")
MEDIA_ID = byte_text(1, 512, "a media id")
OPENID = byte_text(1, 128, "an openid")
MOBILE = byte_text(1, 32, "a mobile number")
EMAIL = byte_text(6, 64, "an e-mail address")
ORDER = integer(0, _MAX_ID, "an order")
USERIDS = many(userid, 1000, "userids")
DEPT_IDS = many(DEPT_ID, 100, "department ids")

_MAIN_DEPT = opt("main_department", DEPT_ID)

# path -> (args in the query string, args in the JSON body)
ARGUMENTS: dict[str, tuple[tuple[Arg, ...], tuple[Arg, ...]]] = {
    "user/create": ((), (req("userid", userid), req("name", MEMBER_NAME), _MAIN_DEPT,
                         req("department", many(DEPT_ID, 100, "department ids", low=1)))),
    "user/update": ((), (req("userid", userid), opt("name", MEMBER_NAME), _MAIN_DEPT,
                         opt("new_userid", userid), opt("department", DEPT_IDS))),
    "user/get": ((req("userid", userid),), ()),
    "user/delete": ((req("userid", userid),), ()),
    "user/authsucc": ((req("userid", userid),), ()),
    "user/batchdelete": ((), (req("useridlist", many(userid, 200, "userids", low=1),
                                  "userids"),)),
    "user/simplelist": ((req("department_id", DEPT_ID),), ()),
    "user/list": ((req("department_id", DEPT_ID),), ()),
    "user/list_id": ((), (opt("cursor", byte_text(1, 1024, "a cursor")),
                          opt("limit", integer(1, 10_000, "a page size")))),
    "user/convert_to_openid": ((), (req("userid", userid),)),
    "user/convert_to_userid": ((), (req("openid", OPENID),)),
    "user/getuserid": ((), (req("mobile", MOBILE),)),
    "user/get_userid_by_email": ((), (req("email", EMAIL), req("email_type", one_of(1, 2)))),
    "batch/invite": ((), (opt("user", USERIDS, "users"), opt("party", DEPT_IDS, "departments"),
                          opt("tag", many(TAG_ID, 100, "tag ids"), "tags"))),
    "department/create": ((), (req("name", DEPT_NAME), req("parentid", DEPT_ID, "parent_id"),
                               opt("id", DEPT_ID), opt("order", ORDER),
                               opt("name_en", NAME_EN))),
    "department/update": ((), (req("id", DEPT_ID), opt("name", DEPT_NAME),
                               opt("parentid", DEPT_ID, "parent_id"), opt("order", ORDER),
                               opt("name_en", NAME_EN))),
    "department/delete": ((req("id", DEPT_ID),), ()),
    "department/get": ((req("id", DEPT_ID),), ()),
    "department/list": ((opt("id", DEPT_ID),), ()),
    "department/simplelist": ((opt("id", DEPT_ID),), ()),
    "tag/create": ((), (req("tagname", TAG_NAME, "name"), opt("tagid", TAG_ID, "id"))),
    "tag/update": ((), (req("tagid", TAG_ID, "id"), req("tagname", TAG_NAME, "name"))),
    "tag/delete": ((req("tagid", TAG_ID, "id"),), ()),
    "tag/get": ((req("tagid", TAG_ID, "id"),), ()),
    "tag/addtagusers": ((), (req("tagid", TAG_ID, "id"), opt("userlist", USERIDS, "userids"),
                             opt("partylist", DEPT_IDS, "department_ids"))),
    "tag/deltagusers": ((), (req("tagid", TAG_ID, "id"), opt("userlist", USERIDS, "userids"),
                             opt("partylist", DEPT_IDS, "department_ids"))),
    "batch/getresult": ((req("jobid", JOBID, "job_id"),), ()),
    "export/get_result": ((req("jobid", JOBID, "job_id"),), ()),
    "batch/syncuser": ((), (req("media_id", MEDIA_ID),)),
    "batch/replaceuser": ((), (req("media_id", MEDIA_ID),)),
    "batch/replaceparty": ((), (req("media_id", MEDIA_ID),)),
}


def _check(path: str, args: tuple[Arg, ...], values: Mapping[str, Any] | None) -> None:
    values = values or {}
    for arg in args:
        value = values.get(arg.wire)
        if value is None:
            if arg.required:
                raise TypeError(f"{arg.name} is required (nothing was sent to {path})")
            continue
        problem = arg.check(value)
        if problem is not None:
            error = TypeError if problem.wrong_type else ValueError
            raise error(f"{arg.name} must be {problem.should_be} (nothing was sent to {path})")


def check_call(path: str, params: Mapping[str, Any] | None,
               body: Mapping[str, Any] | None) -> None:
    """Raise TypeError (wrong type) or ValueError (outside WeCom's documented limits), naming
    the argument, before `path` is called; paths without a row are not checked."""
    row = ARGUMENTS.get(path)
    if row is not None:
        query, sent = row
        if query:
            _check(path, query, params)
        if sent:
            _check(path, sent, body)
