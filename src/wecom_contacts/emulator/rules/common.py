"""Parameter access with WeCom's typing: a JSON field of the wrong type counts as absent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ApiError

INT32_MAX = 2**31 - 1
UINT32_LIMIT = 2**32
_INT_TEXT = re.compile(r"-?[0-9]+")


class Params:
    """Request parameters from a JSON body or a query string.

    The real server parses a body with a type mismatch partially and appends
    "Warning: wrong json format." to errmsg (global error page, 90455 preamble), so a field of
    the wrong JSON type is treated as absent and `warned` is set. `strict` (console input, or
    config type_mismatch="reject") answers 40058 instead. Query strings are always strict.
    """

    def __init__(self, data: Mapping[str, Any], *, query: bool = False, strict: bool = False):
        self.data = data
        self.query = query
        self.strict = strict or query
        self.warned = False

    def has(self, key: str) -> bool:
        """Present and not null (WeCom treats null like an omitted field)."""
        return self.data.get(key) is not None

    def _mismatch(self, key: str, expected: str) -> None:
        if self.strict:
            raise ApiError(40058, f"{key} must be {expected}")
        self.warned = True

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if self.query and isinstance(value, str):
            if value == "":
                return None
            if _INT_TEXT.fullmatch(value):
                return int(value)
        elif type(value) is int:
            return value
        self._mismatch(key, "an integer")
        return None

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        self._mismatch(key, "a string")
        return None

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        self._mismatch(key, "true or false")
        return None

    def ints(self, key: str) -> list[int] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, list) and all(type(v) is int for v in value):
            return list(value)
        self._mismatch(key, "an array of integers")
        return None

    def texts(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self._mismatch(key, "an array of strings")
        return None

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dict):
            return value
        self._mismatch(key, "an object")
        return None


def check_int32(value: int, key: str) -> int:
    if not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise ApiError(40058, f"{key} out of int32 range")
    return value


def check_uint32(value: int, key: str) -> int:
    if not 0 <= value < UINT32_LIMIT:
        raise ApiError(40058, f"{key} must be in [0, 2^32)")
    return value


def utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))
