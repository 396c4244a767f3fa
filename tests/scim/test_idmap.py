"""The three id maps keep the same promises (memory, a SQLite file, a real redis-server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis.conftest import redis_server, redis_url  # noqa: F401 (fixtures)
from wecom_contacts.scim import IdMap, IdRow, MemoryIdMap, SQLiteIdMap
from wecom_contacts.scim.idmap_redis import RedisIdMap


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def id_map(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IdMap]:
    if request.param == "memory":
        yield MemoryIdMap()
    elif request.param == "sqlite":
        store = SQLiteIdMap(tmp_path / "sub" / "ids.sqlite")
        yield store
        store.close()
    else:
        redis_map = RedisIdMap.from_url(request.getfixturevalue("redis_url"))
        yield redis_map
        redis_map.close()


def test_rows_are_found_by_id_key_and_external_id(id_map: IdMap) -> None:
    id_map.put(IdRow("User", "alice", "alice.zhang", "ext-1"))
    row = IdRow("User", "alice", "alice.zhang", "ext-1")
    assert id_map.by_scim_id("User", "alice") == row
    assert id_map.by_key("User", "alice.zhang") == row
    assert id_map.by_external_id("User", "ext-1") == row
    assert id_map.by_scim_id("Group", "alice") is None


def test_a_key_belongs_to_one_row_and_delete_clears_the_indexes(id_map: IdMap) -> None:
    id_map.put(IdRow("User", "old", "taken", "e-old"))
    id_map.put(IdRow("User", "new", "taken"))
    assert id_map.by_scim_id("User", "old") is None
    assert id_map.by_key("User", "taken") == IdRow("User", "new", "taken")
    assert id_map.by_external_id("User", "e-old") is None
    id_map.put(IdRow("User", "new", "renamed", "e-new"))
    assert id_map.by_key("User", "taken") is None
    id_map.delete("User", "new")
    assert id_map.by_key("User", "renamed") is None
    assert id_map.by_external_id("User", "e-new") is None


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    SQLiteIdMap(tmp_path / "private" / "ids.sqlite").close()
    assert (tmp_path / "private" / "ids.sqlite").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700
