"""Private files are 0600 in 0700 directories whatever the umask; others-writable ones refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from wecom_contacts._private import (
    UnsafeFileError,
    private_dir,
    private_file,
    refuse_writable_by_others,
    write_private,
)


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    old = os.umask(0)  # the worst case: everything would be 0666 / 0777
    try:
        yield
    finally:
        os.umask(old)


def test_written_files_and_the_directories_made_for_them_are_private(tmp_path: Path) -> None:
    target = write_private(tmp_path / "a" / "b" / "plan.json", "{}")
    assert (mode(target), mode(tmp_path / "a" / "b"), mode(tmp_path / "a")) == \
        ("0o600", "0o700", "0o700")
    assert target.read_text() == "{}"
    assert [p.name for p in target.parent.iterdir()] == ["plan.json"]  # no temp file left


def test_an_existing_world_readable_file_of_ours_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"")
    path.chmod(0o644)
    private_file(path)
    assert mode(path) == "0o600"
    write_private(path, b"x")
    assert mode(path) == "0o600"


def test_an_existing_shared_directory_is_left_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    private_dir(tmp_path)
    assert mode(tmp_path) == "0o755"


@pytest.mark.parametrize("bits", [0o620, 0o602, 0o666])
def test_a_file_others_can_write_is_refused(tmp_path: Path, bits: int) -> None:
    path = tmp_path / "tokens.sqlite"
    path.write_bytes(b"")
    path.chmod(bits)
    with pytest.raises(UnsafeFileError, match=f"writable by others .mode {bits:04o}.*chmod 600"):
        refuse_writable_by_others(path, "the token store")
    path.chmod(0o644)
    refuse_writable_by_others(path, "the token store")  # readable is a privacy matter, not trust


def test_the_sqlite_token_store_and_its_side_files_are_private(tmp_path: Path) -> None:
    from wecom_contacts import SQLiteTokenStore
    from wecom_contacts.tokens import Token

    store = SQLiteTokenStore(tmp_path / "state" / "tokens.sqlite")
    store.set("k", Token.issued("secret-token", 7200, 0.0, 300))
    with store.lock("k", timeout=5):
        pass
    made = {p.name: mode(p) for p in (tmp_path / "state").iterdir()}
    assert {"tokens.sqlite", "tokens.sqlite.lock"} <= set(made)
    assert set(made.values()) == {"0o600"}, made  # -wal and -shm too
    assert mode(tmp_path / "state") == "0o700"


def test_a_token_store_others_can_write_is_refused(tmp_path: Path) -> None:
    from wecom_contacts import SQLiteTokenStore

    path = tmp_path / "tokens.sqlite"
    SQLiteTokenStore(path)
    path.chmod(0o666)
    with pytest.raises(UnsafeFileError, match=r"token store file .* writable by others"):
        SQLiteTokenStore(path)
