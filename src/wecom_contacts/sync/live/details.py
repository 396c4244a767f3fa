"""Detail reads for sync: the list and get endpoints, or export jobs where WeCom refuses them.

Since 2022-08-15 WeCom answers 48009 to the contacts-sync secret calling ``user/get``,
``user/list``, ``department/list`` or ``department/get`` from an IP added to it after that
date — which is every new deployment. The export jobs (``export/department``,
``export/user``) return the same records and are not restricted, so every read here falls
back to them: with ``via="auto"`` a 48009 answer switches to the export path at once (one
refused call, then a few calls whatever the size of the directory). The files are encrypted
with a fresh random key per job, used once and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from ...errors import ApiError, NotFound
from ...export_files import generate_encoding_aes_key

if TYPE_CHECKING:
    from ...client import Client

__all__ = [
    "READ_VIA",
    "ReadProgress",
    "ReadVia",
    "department_record",
    "department_records",
    "member_record",
    "member_records",
    "members_by_userid",
]

ReadVia = Literal["auto", "lists", "export"]
READ_VIA: tuple[str, ...] = get_args(ReadVia)
READ_THREADS = 8  # user/list calls in flight while reading members department by department
EXPORT_TIMEOUT = 1800.0  # an export of a very big directory takes WeCom minutes
_REFUSED = 48009  # "contacts sync may not read details from a newly added IP"

log = logging.getLogger("wecom_contacts.sync")
T = TypeVar("T")
ReadProgress = Callable[[int, int], None]
"""``(departments whose members were read, of how many)`` while reading the directory."""


def _read_via(via: ReadVia, lists: Callable[[], T], export: Callable[[], T]
              ) -> tuple[T, ReadVia]:
    """The value and the path that gave it."""
    if via not in READ_VIA:
        raise ValueError(f"via must be one of {', '.join(READ_VIA)}, not {via!r}")
    if via == "export":
        return export(), "export"
    try:
        return lists(), "lists"
    except ApiError as exc:
        if via == "lists" or exc.errcode != _REFUSED:
            raise
        log.info("detail reads refused to this IP (48009): reading through export jobs")
        return export(), "export"


def _read(via: ReadVia, lists: Callable[[], T], export: Callable[[], T]) -> T:
    return _read_via(via, lists, export)[0]


def _exported(client: Client, kind: Literal["user", "department"]) -> list[dict[str, Any]]:
    key = generate_encoding_aes_key()
    job = client.export.users(key) if kind == "user" else client.export.departments(key)
    return client.export.download(job, key, timeout=EXPORT_TIMEOUT)


def department_records(client: Client, *, via: ReadVia = "auto"
                       ) -> tuple[list[dict[str, Any]], ReadVia]:
    """Every department as ``department/list`` returns it (wire names: ``parentid``), and
    the path that read them ("lists" or "export")."""
    return _read_via(via, lambda: [d.raw for d in client.departments.list()],
                     lambda: _exported(client, "department"))


def department_record(client: Client, dept_id: int) -> dict[str, Any] | None:
    """One department (``department/get``), or None when it does not exist."""

    def lists() -> dict[str, Any] | None:
        try:
            return client.departments.get(dept_id).raw
        except NotFound:
            return None

    def export() -> dict[str, Any] | None:
        found = (d for d in _exported(client, "department") if int(d.get("id", 0)) == dept_id)
        return next(found, None)

    return _read("auto", lists, export)


def member_records(client: Client, department_ids: Iterable[int] | None = None, *,
                   via: ReadVia = "auto", progress: ReadProgress | None = None,
                   ) -> dict[str, dict[str, Any]]:
    """Lower-cased userid → the member as ``user/list`` returns it, for the members of
    ``department_ids`` (None: every department). ``progress(done, total)`` is called as
    the departments' members are read (once, at the end, through export jobs)."""
    wanted = None if department_ids is None else sorted(set(department_ids))

    def lists() -> dict[str, dict[str, Any]]:
        depts = wanted if wanted is not None else sorted(
            d.id for d in client.departments.list())
        found: dict[str, dict[str, Any]] = {}
        # user/list per department: the documented way for big directories (45029
        # otherwise), a few departments at a time (the client is thread-safe and its rate
        # limiter and retries apply to every call); results are taken in department order
        with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="wecom-read") as pool:
            for done, users in enumerate(pool.map(client.users.list, depts), start=1):
                for user in users:
                    found.setdefault(user.userid.lower(), user.raw)
                if progress is not None:
                    progress(done, len(depts))
        return found

    def export() -> dict[str, dict[str, Any]]:
        keep = None if wanted is None else set(wanted)
        found = {str(u["userid"]).lower(): u for u in _exported(client, "user")
                 if keep is None or keep.intersection(int(d) for d in u.get("department") or ())}
        if progress is not None:
            total = len(wanted) if wanted is not None else 1
            progress(total, total)
        return found

    return _read(via, lists, export)


def member_record(client: Client, userid: str) -> dict[str, Any] | None:
    """One member (``user/get``), or None when there is no such userid."""
    return members_by_userid(client, [userid]).get(userid.lower())


def members_by_userid(client: Client, userids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The members named (lower-cased userid → record); absent ones are left out.

    ``user/get`` each, or ``user/list`` per department when that is fewer calls; one export
    job when detail reads are refused.
    """
    wanted = {u.lower() for u in userids}
    if not wanted:
        return {}

    def lists() -> dict[str, dict[str, Any]]:
        departments = client.departments.list()
        if len(wanted) > len(departments):
            members = member_records(client, [d.id for d in departments], via="lists")
            return {k: v for k, v in members.items() if k in wanted}
        found: dict[str, dict[str, Any]] = {}
        for userid in sorted(wanted):
            try:
                found[userid] = client.users.get(userid).raw
            except NotFound:
                pass
        return found

    def export() -> dict[str, dict[str, Any]]:
        return {k: v for k, v in member_records(client, via="export").items() if k in wanted}

    return _read("auto", lists, export)
