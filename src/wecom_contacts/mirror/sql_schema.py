"""The SQL mirror's schema (SQLAlchemy Core), its version and its migrations.

The version lives in ``sync_state`` (key ``schema_version``). A new database gets the
current schema; an older one is migrated step by step in one transaction; a newer one is
refused, so that an old toolkit never writes a schema it does not know.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from .errors import SchemaError

__all__ = ["SCHEMA_VERSION", "ensure_schema", "metadata"]

SCHEMA_VERSION = 2

metadata = MetaData()

departments = Table(
    "departments", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("name_en", Text),
    Column("parent_id", BigInteger, nullable=False),
    Column("sort_order", BigInteger, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True)),  # v2
    Index("ix_departments_parent_id", "parent_id"),
)

members = Table(
    "members", metadata,
    Column("userid", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("alias", Text),
    Column("mobile", String(64)),
    Column("email", String(255)),
    Column("biz_mail", String(255)),
    Column("position", Text),
    Column("gender", String(8)),
    Column("telephone", String(64)),
    Column("address", Text),
    Column("external_position", Text),
    Column("enable", Boolean, nullable=False, default=True),
    Column("activated", Boolean, nullable=False, default=False),
    Column("main_department", BigInteger),
    Column("direct_leader", Text),  # JSON array of userids
    Column("extattr", Text),  # JSON, as WeCom returns it
    Column("external_profile", Text),  # JSON
    Column("updated_at", DateTime(timezone=True)),  # v2
    Index("ix_members_mobile", "mobile"),
    Index("ix_members_email", "email"),
    Index("ix_members_biz_mail", "biz_mail"),
)

member_departments = Table(
    "member_departments", metadata,
    Column("userid", String(64), ForeignKey("members.userid", ondelete="CASCADE"),
           primary_key=True),
    Column("department_id", BigInteger, primary_key=True),
    Column("position", Integer, nullable=False),  # index in WeCom's department list
    Column("is_leader", Boolean, nullable=False, default=False),
    Column("sort_order", BigInteger, nullable=False, default=0),
    Index("ix_member_departments_department_id", "department_id"),
)

tags = Table(
    "tags", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
)

tag_members = Table(
    "tag_members", metadata,
    Column("tag_id", BigInteger, primary_key=True),
    Column("member_type", String(16), primary_key=True),  # "user" or "department"
    Column("member_id", String(64), primary_key=True),  # a userid or a department id
    Index("ix_tag_members_member", "member_type", "member_id"),
)

sync_state = Table(
    "sync_state", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def _v1_to_v2(conn: Connection) -> None:
    # v2: when the mirror last wrote each department and member, for apps that poll changes
    for table in ("departments", "members"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN updated_at TIMESTAMP"))
    conn.execute(text("CREATE INDEX ix_members_biz_mail ON members (biz_mail)"))


# from-version → the step that makes it from-version + 1
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2}


def read_version(conn: Connection) -> int | None:
    """The stored schema version; None for a database without the mirror's tables."""
    names = set(inspect(conn).get_table_names())
    if "sync_state" not in names:
        if names & {"departments", "members"}:
            raise SchemaError(
                "the database has departments/members tables but no sync_state: it is not a "
                "wecom-contacts mirror; point --target at an empty database")
        return None
    value = conn.execute(
        select(sync_state.c.value).where(sync_state.c.key == "schema_version")).scalar()
    if value is None or not str(value).isdigit():
        raise SchemaError(f"sync_state.schema_version is {value!r}, not a version number")
    return int(value)


def ensure_schema(conn: Connection) -> int:
    """Create or migrate the schema in ``conn``'s transaction; returns the version found
    (0 for a new database)."""
    found = read_version(conn)
    if found is None:
        metadata.create_all(conn)
        conn.execute(sync_state.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return 0
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the mirror database has schema version {found}, newer than this toolkit's "
            f"{SCHEMA_VERSION}; upgrade wecom-contacts")
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
    if found != SCHEMA_VERSION:
        conn.execute(sync_state.update().where(sync_state.c.key == "schema_version")
                     .values(value=str(SCHEMA_VERSION)))
    return found
