"""Writes to WeCom that are reconciled when the answer is ambiguous, and the department paths.

When a write fails in a way that may still have been applied (a timeout, a dropped
connection, a 5xx, or an "already exists" after the client resent a call), the record is read
back: if it shows the change, the provider is told it succeeded; if not, it gets a 503 to
retry. The write itself is never sent twice by this layer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from ..client import AsyncClient
from ..errors import ApiError, BadResponse, Conflict, TransportError, WeComError
from .errors import ScimError, from_wecom

__all__ = ["Departments", "UnknownDepartment", "ambiguous", "reconciled"]

T = TypeVar("T")


def ambiguous(exc: WeComError) -> bool:
    """Whether WeCom may have carried out a write that failed with ``exc``."""
    if isinstance(exc, TransportError):
        return exc.may_have_been_applied
    if isinstance(exc, BadResponse):
        return exc.status_code >= 500 and exc.status_code != 503
    return isinstance(exc, ApiError) and exc.resent and isinstance(exc, Conflict)


async def reconciled(doing: str, write: Callable[[], Awaitable[T]],
                     applied: Callable[[], Awaitable[T | None]],
                     about: dict[int, str] | None = None) -> T:
    """``write()``; on an ambiguous failure, ``applied()`` says (by reading) whether it took."""
    try:
        return await write()
    except WeComError as exc:
        if not ambiguous(exc):
            raise from_wecom(exc, doing, about) from None
        try:
            result = await applied()
        except WeComError:
            result = None
        if result is None:
            raise ScimError(503, f"{doing}: WeCom did not confirm the change and a read-back "
                            "does not show it; retry the request") from None
        return result


async def read(doing: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except WeComError as exc:
        raise from_wecom(exc, doing) from None


class UnknownDepartment(ScimError):
    """A department path no WeCom department has (a 400)."""


class Departments:
    """Department id ↔ path (``研发中心/后端``: names below the root, joined by ``/``).

    Read at most every ``max_age`` seconds, and again at once when a request names a path or
    a member holds a department the last read did not have; so a department made in the
    admin console is usable immediately, and a rename shows within ``max_age``.
    """

    def __init__(self, client: AsyncClient, *, max_age: float = 30.0) -> None:
        self._client = client
        self._paths: dict[int, str] | None = None
        self._root_name = ""
        self._read_at = 0.0
        self.max_age = max_age

    async def cover(self, ids: Iterable[int]) -> None:
        """Make sure the paths of ``ids`` are known (read again if one is not)."""
        if self._paths is None or any(i not in self._paths for i in ids):
            await self.load(max_age=0.0)

    async def load(self, *, max_age: float | None = None) -> None:
        limit = self.max_age if max_age is None else max_age
        if self._paths is not None and time.monotonic() - self._read_at < limit:
            return
        self._read_at = time.monotonic()
        departments = await read("reading departments", self._client.departments.list())
        by_id = {d.id: d for d in departments}
        paths: dict[int, str] = {}

        def path(dept_id: int, depth: int = 0) -> str:
            if dept_id in paths:
                return paths[dept_id]
            dept = by_id.get(dept_id)
            if dept is None or dept.parent_id not in by_id or depth > 64:
                result = ""  # the root (or a department whose parent is out of scope)
                if dept is not None:
                    self._root_name = dept.name
            else:
                parent = path(dept.parent_id, depth + 1)
                result = f"{parent}/{dept.name}" if parent else dept.name
            paths[dept_id] = result
            return result

        for dept_id in by_id:
            path(dept_id)
        self._paths = paths

    def ids(self) -> list[int]:
        assert self._paths is not None
        return list(self._paths)

    def path(self, dept_id: int) -> str:
        assert self._paths is not None
        return self._paths.get(dept_id, str(dept_id))

    def id_for(self, text: str) -> int:
        """The id of a department path; a SCIM 400 naming it when there is none."""
        assert self._paths is not None
        wanted = "/".join(p.strip() for p in text.strip().strip("/").split("/"))
        if self._root_name and wanted.startswith(self._root_name + "/"):
            stripped = wanted[len(self._root_name) + 1:]
            if wanted not in self._paths.values():
                wanted = stripped
        found = [i for i, p in self._paths.items() if p == wanted and (p or wanted == "")]
        if len(found) != 1:
            how_many = "no" if not found else "more than one"
            raise UnknownDepartment(
                400, f"{how_many} WeCom department has the path {text!r} given in "
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "invalidValue")
        return found[0]
