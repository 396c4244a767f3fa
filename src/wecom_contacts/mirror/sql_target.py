"""The SQL target: SQLite (a 0600 file) or PostgreSQL through SQLAlchemy Core."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, create_engine, delete, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from .diff import Diff
from .errors import TargetError
from .snapshot import DepartmentRow, MemberRow, Membership, Snapshot, TagRow
from .sql_schema import (
    departments,
    ensure_schema,
    member_departments,
    members,
    sync_state,
    tag_members,
    tags,
)

__all__ = ["SQLTarget"]

T = TypeVar("T")
_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
_MEMBER_COLUMNS = ("name", "alias", "mobile", "email", "biz_mail", "position", "gender",
                   "telephone", "address", "external_position", "enable", "activated",
                   "main_department", "extattr", "external_profile")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _private_sqlite_file(database: str) -> None:
    # Create the file 0600 before SQLite does (it would use the umask): it holds personal data.
    path = Path(database)
    if database in ("", ":memory:") or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class SQLTarget:
    """A mirror in SQL tables (schema: ``sql_schema``); every ``apply`` is one transaction."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
        self.description = parsed.render_as_string(hide_password=True)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            _private_sqlite_file(parsed.database or "")
            if "timeout" not in parsed.query:  # ?timeout=seconds in the URL wins
                connect_args["timeout"] = 30  # several mirror processes may share one file
        try:
            self._engine: Engine = create_engine(parsed, connect_args=connect_args)
        except (SQLAlchemyError, ImportError) as exc:
            raise TargetError(f"{self.description}: {exc}") from None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)
            event.listen(self._engine, "begin", _sqlite_begin)
        self.found_version = self._ensure_schema()

    def _ensure_schema(self) -> int:
        # Two processes opening a new database at once both try to create it; the loser's
        # transaction rolls back whole (DDL is transactional in SQLite and PostgreSQL), and
        # its next look finds the schema the winner created.
        for attempt in range(3):
            try:
                # SQLite: take the write lock first, so that two creators queue up
                with self._begin(immediate=True) as conn:
                    return ensure_schema(conn)
            except TargetError as exc:
                if attempt == 2 or not any(w in str(exc).lower() for w in ("exist", "locked")):
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    @contextmanager
    def _begin(self, *, immediate: bool = False) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                if immediate:
                    conn = conn.execution_options(sqlite_immediate=True)
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            reason = str(orig) if orig is not None else str(exc).split("\n")[0]
            raise TargetError(f"{self.description}: {reason}") from exc

    def close(self) -> None:
        self._engine.dispose()

    # ---- reading ----------------------------------------------------------------------

    def load(self) -> Snapshot:
        with self._begin() as conn:
            snap = Snapshot()
            for row in conn.execute(select(departments)).mappings():
                snap.departments[row["id"]] = _department(row)
            links: dict[str, list[Membership]] = {}
            query = select(member_departments).order_by(
                member_departments.c.userid, member_departments.c.position)
            for row in conn.execute(query).mappings():
                links.setdefault(row["userid"], []).append(_membership(row))
            for row in conn.execute(select(members)).mappings():
                snap.members[row["userid"]] = _member(row, links.get(row["userid"], []))
            tag_links: dict[int, tuple[list[str], list[int]]] = {}
            for row in conn.execute(select(tag_members)).mappings():
                users, depts = tag_links.setdefault(row["tag_id"], ([], []))
                if row["member_type"] == "user":
                    users.append(row["member_id"])
                else:
                    depts.append(int(row["member_id"]))
            for row in conn.execute(select(tags)).mappings():
                users, depts = tag_links.get(row["id"], ([], []))
                snap.tags[row["id"]] = TagRow.of(row["id"], row["name"], users, depts)
            return snap

    def member(self, userid: str) -> MemberRow | None:
        with self._begin() as conn:
            row = conn.execute(select(members).where(members.c.userid == userid)).mappings().first()
            if row is None:
                return None
            links = conn.execute(select(member_departments)
                                 .where(member_departments.c.userid == userid)
                                 .order_by(member_departments.c.position)).mappings()
            return _member(row, [_membership(m) for m in links])

    def department(self, dept_id: int) -> DepartmentRow | None:
        with self._begin() as conn:
            row = conn.execute(select(departments).where(departments.c.id == dept_id)
                               ).mappings().first()
            return None if row is None else _department(row)

    def _tags(self, conn: Connection, ids: Iterable[int]) -> list[TagRow]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        names = {int(r[0]): str(r[1]) for r in
                 conn.execute(select(tags.c.id, tags.c.name).where(tags.c.id.in_(wanted)))}
        links = conn.execute(select(tag_members).where(tag_members.c.tag_id.in_(wanted))
                             ).mappings().all()
        return [
            TagRow.of(tag_id, name,
                      [r["member_id"] for r in links
                       if r["tag_id"] == tag_id and r["member_type"] == "user"],
                      [int(r["member_id"]) for r in links
                       if r["tag_id"] == tag_id and r["member_type"] == "department"])
            for tag_id, name in sorted(names.items())
        ]

    def tag(self, tag_id: int) -> TagRow | None:
        with self._begin() as conn:
            found = self._tags(conn, [tag_id])
            return found[0] if found else None

    def tags_with_user(self, userid: str) -> list[TagRow]:
        with self._begin() as conn:
            ids = conn.execute(select(tag_members.c.tag_id).where(
                tag_members.c.member_type == "user", tag_members.c.member_id == userid)
            ).scalars().all()
            return self._tags(conn, ids)

    def get_state(self, key: str) -> str | None:
        with self._begin() as conn:
            value = conn.execute(select(sync_state.c.value).where(sync_state.c.key == key)
                                 ).scalar()
            return None if value is None else str(value)

    def set_state(self, values: dict[str, str]) -> None:
        with self._begin() as conn:
            _set_state(conn, values)

    # ---- writing ----------------------------------------------------------------------

    def apply(self, diff: Diff) -> None:
        """Write ``diff`` in one transaction: all of it or, on any error, none of it."""
        if not len(diff):
            return
        now = datetime.now(timezone.utc)
        with self._begin() as conn:
            _remove(conn, diff)
            _write_departments(conn, diff, now)
            _write_members(conn, diff, now)
            _write_tags(conn, diff)


def _sqlite_begin(conn: Connection) -> None:
    # Python's sqlite3 would not open a transaction before DDL (CREATE TABLE committed one by
    # one, seen half-made by another process); the driver is left in autocommit and the
    # transaction begun here (SQLAlchemy's documented recipe for pysqlite).
    immediate = conn.get_execution_options().get("sqlite_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # see _sqlite_begin
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # member_departments rows go with their member
    # WAL: apps read the mirror while it writes; SQLite gives the -wal/-shm files the
    # database file's permissions (0600)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_state(conn: Connection, values: dict[str, str]) -> None:
    for key, value in values.items():
        done = conn.execute(update(sync_state).where(sync_state.c.key == key).values(value=value))
        if not done.rowcount:
            conn.execute(sync_state.insert().values(key=key, value=value))


def _department(row: Any) -> DepartmentRow:
    return DepartmentRow(int(row["id"]), row["name"], int(row["parent_id"]),
                         int(row["sort_order"]), row["name_en"])


def _membership(row: Any) -> Membership:
    return Membership(int(row["department_id"]), bool(row["is_leader"]), int(row["sort_order"]))


def _member(row: Any, links: list[Membership]) -> MemberRow:
    values = {k: row[k] for k in _MEMBER_COLUMNS}
    values["enable"] = bool(values["enable"])
    values["activated"] = bool(values["activated"])
    leaders = json.loads(row["direct_leader"]) if row["direct_leader"] else []
    return MemberRow(userid=row["userid"], departments=tuple(links),
                     direct_leader=tuple(leaders), **values)


def _department_values(d: DepartmentRow, now: datetime) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "name_en": d.name_en, "parent_id": d.parent_id,
            "sort_order": d.order, "updated_at": now}


def _member_values(m: MemberRow, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(m, k) for k in _MEMBER_COLUMNS}
    values["userid"] = m.userid
    values["direct_leader"] = json.dumps(list(m.direct_leader)) if m.direct_leader else None
    values["updated_at"] = now
    return values


def _link_values(m: MemberRow) -> list[dict[str, Any]]:
    return [{"userid": m.userid, "department_id": link.department_id, "position": i,
             "is_leader": link.is_leader, "sort_order": link.order}
            for i, link in enumerate(m.departments)]


def _tag_links(t: TagRow) -> set[tuple[str, str]]:
    return {("user", u) for u in t.users} | {("department", str(d)) for d in t.departments}


def _remove(conn: Connection, diff: Diff) -> None:
    tag_ids = [t.id for t in diff.tags.removed]
    for chunk in _chunks(tag_ids):
        conn.execute(delete(tag_members).where(tag_members.c.tag_id.in_(chunk)))
        conn.execute(delete(tags).where(tags.c.id.in_(chunk)))
    userids = [m.userid for m in diff.members.removed]
    for users in _chunks(userids):
        conn.execute(delete(member_departments).where(member_departments.c.userid.in_(users)))
        conn.execute(delete(members).where(members.c.userid.in_(users)))
    dept_ids = [d.id for d in diff.departments.removed]
    for chunk in _chunks(dept_ids):
        conn.execute(delete(departments).where(departments.c.id.in_(chunk)))


def _write_departments(conn: Connection, diff: Diff, now: datetime) -> None:
    if diff.departments.added:
        conn.execute(departments.insert(),
                     [_department_values(d, now) for d in diff.departments.added])
    if diff.departments.changed:
        rows = [{**_department_values(new, now), "key": new.id}
                for _old, new in diff.departments.changed]
        for row in rows:
            del row["id"]
        conn.execute(update(departments).where(departments.c.id == bindparam("key")), rows)


def _write_members(conn: Connection, diff: Diff, now: datetime) -> None:
    added = diff.members.added
    if added:
        conn.execute(members.insert(), [_member_values(m, now) for m in added])
        links = [link for m in added for link in _link_values(m)]
        if links:
            conn.execute(member_departments.insert(), links)
    changed = diff.members.changed
    if changed:
        rows = [{**_member_values(new, now), "key": new.userid} for _old, new in changed]
        for row in rows:
            del row["userid"]
        conn.execute(update(members).where(members.c.userid == bindparam("key")), rows)
        moved = [new for old, new in changed if old.departments != new.departments]
        for chunk in _chunks([m.userid for m in moved]):
            conn.execute(delete(member_departments).where(member_departments.c.userid.in_(chunk)))
        links = [link for m in moved for link in _link_values(m)]
        if links:
            conn.execute(member_departments.insert(), links)


def _write_tags(conn: Connection, diff: Diff) -> None:
    if diff.tags.added:
        conn.execute(tags.insert(), [{"id": t.id, "name": t.name} for t in diff.tags.added])
    renamed = [{"key": new.id, "name": new.name} for old, new in diff.tags.changed
               if old.name != new.name]
    if renamed:
        conn.execute(update(tags).where(tags.c.id == bindparam("key")), renamed)
    inserts: list[dict[str, Any]] = []
    pairs: list[tuple[TagRow | None, TagRow]] = [(None, t) for t in diff.tags.added]
    pairs += list(diff.tags.changed)
    for old, new in pairs:
        before = _tag_links(old) if old is not None else set()
        after = _tag_links(new)
        for kind, member_id in sorted(before - after):
            conn.execute(delete(tag_members).where(
                tag_members.c.tag_id == new.id, tag_members.c.member_type == kind,
                tag_members.c.member_id == member_id))
        inserts += [{"tag_id": new.id, "member_type": kind, "member_id": member_id}
                    for kind, member_id in sorted(after - before)]
    if inserts:
        conn.execute(tag_members.insert(), inserts)
