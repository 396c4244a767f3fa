"""The SQL source (``type: sql``): an HR database read through SQLAlchemy 2, one query or table
per entity, rows streamed (a server-side cursor where the driver has one).

    input:
      type: sql
      url: postgresql+psycopg://hr_reader@db.corp.example/hr   # no password in the URL
      password_env: WECOM_HR_DB_PASSWORD
      members: {query: "SELECT emp_no, name, dept_path FROM v_staff"}   # or {table: staff}

Each row is a record keyed by column name; values become text (numbers as written, dates as
ISO 8601, booleans as true/false, arrays as lists). SQLite files are opened read-only and
relative to the mapping file. Any failure — connecting, the query, a row that cannot be
read, the connection lost half-way — is a SourceError naming the entity and the row, and
the fingerprint exists only after every row was read.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url

from .base import (
    Entity,
    FingerprintTracker,
    InputSpec,
    Record,
    SourceError,
    SourceFingerprint,
    Value,
    register_source_type,
)

__all__ = ["SqlSource", "open_sql"]

_TOP = frozenset({"type", "url", "password_env", "fetch_size", "members", "departments",
                  "tags"})
_ENTITIES: tuple[Entity, ...] = ("members", "departments", "tags")


@dataclass(frozen=True)
class _Read:
    entity: Entity
    query: str | None
    table: str | None
    key: str | None  # a column naming the row in messages ("row 3 (emp_no 1003)")

    @property
    def label(self) -> str:
        return f"{self.entity} query" if self.query else f"{self.entity} table {self.table}"


class SqlSource:
    """Records from one query or table per entity; see the module doc."""

    kind = "sql"

    def __init__(self, spec: InputSpec, url: URL, reads: dict[Entity, _Read],
                 fetch_size: int) -> None:
        self._spec = spec
        self._url = url
        self._reads = reads
        self._fetch_size = fetch_size
        self._tracker = FingerprintTracker("sql", self.name)
        self._count = 0  # rows of the read in progress, for the message when it stops

    @property
    def name(self) -> str:
        return self._url.render_as_string(hide_password=True)

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(e for e in _ENTITIES if e in self._reads)

    def fields(self, entity: Entity) -> Sequence[str] | None:
        read = self._read_of(entity)
        engine = self._engine()
        try:
            with self._connect(engine) as conn:
                result = self._execute(conn, read)
                try:
                    return list(result.keys())
                finally:
                    result.close()
        finally:
            engine.dispose()

    def records(self, entity: Entity) -> Iterator[Record]:
        return self._tracker.track(entity, self._rows(self._read_of(entity)))

    def fingerprint(self) -> SourceFingerprint:
        return self._tracker.fingerprint()

    def skip_fingerprint(self) -> None:
        """The caller needs no fingerprint: the records are not digested."""
        self._tracker.digest = False

    # -- reading ----------------------------------------------------------------------------

    def _read_of(self, entity: Entity) -> _Read:
        read = self._reads.get(entity)
        if read is None:
            raise SourceError(f"this sql input has no {entity} block",
                              where=self._spec.where_of(None), field=entity)
        return read

    def _engine(self) -> Engine:
        try:
            return sa.create_engine(self._url, poolclass=sa.NullPool)
        except (sa_exc.NoSuchModuleError, ImportError) as exc:
            raise SourceError(f"no SQLAlchemy dialect or driver for {self._url.drivername!r} "
                              f"({exc}); install the driver package for that database",
                              where=self._spec.where_of("url"), field="url") from None
        except sa_exc.ArgumentError as exc:
            raise SourceError(f"bad database URL: {exc}", where=self._spec.where_of("url"),
                              field="url") from None

    def _connect(self, engine: Engine) -> Connection:
        try:
            return engine.connect()
        except sa_exc.DBAPIError as exc:
            raise SourceError(f"cannot connect to {self.name}: {_first_line(exc)}",
                              where=self._spec.where_of("url"), field="url") from None

    def _execute(self, conn: Connection, read: _Read) -> sa.CursorResult[Any]:
        where = self._spec.where_of(read.entity)
        if read.table is not None:
            schema, _, name = read.table.rpartition(".")
            try:
                table = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=conn)
            except sa_exc.NoSuchTableError:
                raise SourceError(f"the table {read.table!r} does not exist in {self.name}",
                                  where=where, field="table") from None
            except sa_exc.DBAPIError as exc:
                raise SourceError(f"cannot read the {read.label}: {_first_line(exc)}",
                                  where=where, field="table") from None
            statement: Any = sa.select(table)
        else:
            statement = sa.text(read.query or "")
        try:
            return conn.execution_options(stream_results=True,
                                          yield_per=self._fetch_size).execute(statement)
        except sa_exc.DBAPIError as exc:
            raise SourceError(f"the {read.label} failed: {_first_line(exc)}", where=where,
                              field="query" if read.query else "table") from None

    def _records(self, read: _Read, result: sa.CursorResult[Any]) -> Iterator[Record]:
        columns = list(result.keys())
        if read.key is not None and read.key not in columns:
            raise SourceError(f"key {read.key!r} is not a column of the {read.label} (its "
                              f"columns: {', '.join(columns)})",
                              where=self._spec.where_of(read.entity), field="key")
        key_at = columns.index(read.key) if read.key is not None else None
        self._count = 0
        for row in result:
            self._count += 1
            where = f"{read.label}, row {self._count}"
            if key_at is not None:
                where += f" ({read.key} {row[key_at]})"
            yield Record({name: _text(value, where=where, field=name)
                          for name, value in zip(columns, row, strict=True)}, where=where)

    def _rows(self, read: _Read) -> Iterator[Record]:
        engine = self._engine()
        try:
            with self._connect(engine) as conn:
                result = self._execute(conn, read)
                try:
                    yield from self._records(read, result)
                except sa_exc.DBAPIError as exc:
                    raise SourceError(f"the {read.label} stopped after row {self._count}: "
                                      f"{_first_line(exc)}; nothing is planned from a partial "
                                      "read", where=self._spec.where_of(read.entity)) from None
                finally:
                    with contextlib.suppress(sa_exc.DBAPIError):
                        result.close()
        finally:
            engine.dispose()


def _text(value: Any, *, where: str, field: str) -> Value:
    """A database value as record text (see the module doc); SourceError if it has none."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        items = [_text(v, where=where, field=field) for v in value]
        return [i for i in items if isinstance(i, str)]
    raise SourceError(f"a {type(value).__name__} value cannot be read as text (cast it in the "
                      "query)", where=where, field=field)


def _first_line(exc: sa_exc.DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _url(spec: InputSpec) -> URL:
    raw = spec.options.get("url")
    if not isinstance(raw, str) or not raw:
        raise SourceError("url (a SQLAlchemy database URL) is required",
                          where=spec.where_of("url" if raw is not None else None), field="url")
    try:
        url = make_url(raw)
    except sa_exc.ArgumentError:
        raise SourceError(f"not a database URL: {raw!r} (e.g. postgresql+psycopg://user@host/"
                          "db or sqlite:///hr.db)", where=spec.where_of("url"),
                          field="url") from None
    if url.password is not None:
        raise SourceError("the password does not go in the URL: put it in an environment "
                          "variable and name it in password_env", where=spec.where_of("url"),
                          field="url")
    env = spec.options.get("password_env")
    if env is not None:
        password = os.environ.get(str(env))
        if not password:
            raise SourceError(f"the environment variable {env} (password_env) is not set",
                              where=spec.where_of("password_env"), field="password_env")
        url = url.set(password=password)
    if url.get_backend_name() == "sqlite":
        url = _sqlite(spec, url)
    return url


def _sqlite(spec: InputSpec, url: URL) -> URL:
    if not url.database or url.database == ":memory:" or url.query.get("uri"):
        return url
    path = Path(url.database)
    if not path.is_absolute():
        path = spec.base_dir / path
    if not path.is_file():
        # SQLAlchemy would create an empty database there: an empty directory, not an error.
        raise SourceError(f"the SQLite file {str(path)!r} does not exist",
                          where=spec.where_of("url"), field="url")
    return url.set(database=f"file:{path.resolve()}?mode=ro", query={"uri": "true"})


def _reads(spec: InputSpec) -> dict[Entity, _Read]:
    reads: dict[Entity, _Read] = {}
    for entity in _ENTITIES:
        block = spec.options.get(entity)
        if block is None:
            continue
        if isinstance(block, str):
            block = {"query": block}
        origin = sorted(set(block) - {"key"}) if isinstance(block, Mapping) else []
        if not isinstance(block, Mapping) or origin not in (["query"], ["table"]):
            raise SourceError(f"{entity}: give either query (SQL text) or table (a table or "
                              "view name), and optionally key (a column naming rows in "
                              "messages)", where=spec.where_of(entity), field=entity)
        query, table, key = block.get("query"), block.get("table"), block.get("key")
        if not isinstance(query or table, str) or not (query or table or "").strip():
            raise SourceError(f"{entity}: the query or table is empty",
                              where=spec.where_of(entity), field=entity)
        reads[entity] = _Read(entity, query.strip().rstrip(";") if query else None, table,
                              str(key) if key else None)
    if "members" not in reads:
        raise SourceError("members (a query or a table) is required",
                          where=spec.where_of(None), field="members")
    return reads


def open_sql(spec: InputSpec) -> SqlSource:
    """The ``type: sql`` factory: options checked now, the database contacted when read."""
    unknown = sorted(set(spec.options) - _TOP)
    if unknown:
        raise SourceError(f"unknown sql option {unknown[0]!r} (known: "
                          f"{', '.join(sorted(_TOP - {'type'}))})",
                          where=spec.where_of(unknown[0]), field=unknown[0])
    raw_size = str(spec.options.get("fetch_size", "1000"))
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100_000:
        raise SourceError(f"fetch_size must be a whole number from 1 to 100000, not "
                          f"{raw_size!r}", where=spec.where_of("fetch_size"), field="fetch_size")
    return SqlSource(spec, _url(spec), _reads(spec), int(raw_size))


register_source_type("sql", open_sql)
