"""The Store facade: the database object plus one object per table, and reset.

Table modules receive the `Database`, never this facade, so nothing below imports it; callers
above (handlers, jobs, callbacks, control) go through `Store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .auth import Secrets, Tokens
from .callbacks import Callbacks
from .database import Database
from .departments import Departments
from .jobs import Jobs
from .media import Media
from .records import Change
from .schema import RESET_TABLES
from .tags import Tags
from .users import Users


class Store:
    """The emulator's SQLite file: tables, transactions, the change log and reset."""

    def __init__(self, path: str | None, clock: Callable[[], float]) -> None:
        self.db = Database(path, clock)
        self.path = self.db.path
        self.clock = clock
        # called after each commit that recorded a change (the callback router listens)
        self.change_listeners = self.db.change_listeners
        self.departments = Departments(self.db)
        self.users = Users(self.db)
        self.tags = Tags(self.db)
        self.secrets = Secrets(self.db)
        self.tokens = Tokens(self.db)
        self.media = Media(self.db)
        self.jobs = Jobs(self.db)
        self.callbacks = Callbacks(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing unit of work; nested calls join the outer transaction."""
        with self.db.transaction():
            yield

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.db.query(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.db.scalar(sql, params)

    def record_change(self, kind: str, key: str | int, fields: dict[str, Any], actor: str) -> None:
        """Append a change event; every directory mutation in the store calls this."""
        self.db.record_change(kind, key, fields, actor)

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        """Changes with seq > since, oldest first."""
        return self.db.changes(since, limit)

    def reset(self, root_name: str) -> None:
        """Empty every table, then put back the root department."""
        with self.db.transaction():
            for table in RESET_TABLES:
                self.db.execute(f"DELETE FROM {table}")
            self.departments.ensure_root(root_name)

    def close(self) -> None:
        self.db.close()
