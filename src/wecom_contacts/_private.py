"""Files holding tokens, secrets or members' personal data: 0600 files in 0700 directories.

Modes are set explicitly (``fchmod`` / ``chmod``), not left to the umask, so a permissive umask
(0002, 0000) still gives private files. SQLite gives its ``-wal``, ``-shm`` and ``-journal``
files the mode of the database file, so creating that one private is enough. On Windows the
mode bits mean little; ACLs are out of scope.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import WeComError

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "UnsafeFileError",
    "private_dir",
    "private_file",
    "refuse_writable_by_others",
    "write_private",
]

FILE_MODE = 0o600
DIR_MODE = 0o700


class UnsafeFileError(WeComError, PermissionError):
    """A file others can write, used for secrets: refused rather than trusted."""


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing directory is left as it is
    (it may be a shared one the user chose, such as /tmp)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # made by someone else meanwhile
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: str | os.PathLike[str]) -> Path:
    """Make sure ``path`` exists as a 0600 file (created so, or tightened if it is ours).

    An existing file is never opened here: closing any descriptor of a file drops every POSIX
    lock this process holds on it, SQLite's included (a journal or lock database in use).
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        info = os.stat(path)
        if stat.S_IMODE(info.st_mode) != FILE_MODE and _ours(info):
            os.chmod(path, FILE_MODE)
        return path
    os.close(fd)
    os.chmod(path, FILE_MODE)  # os.open's mode is filtered by the umask
    return path


def write_private(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` as a 0600 file, atomically (a reader sees old or new)."""
    path = Path(path)
    private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temp, FILE_MODE)  # mkstemp makes 0600 already; say so on every platform
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def refuse_writable_by_others(path: str | os.PathLike[str], what: str) -> None:
    """Raise `UnsafeFileError` when ``path`` exists and its group or others may write it
    (anyone could then plant a token or change what is read)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if os.name != "nt" and mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFileError(
            f"{what} {os.fspath(path)} is writable by others (mode {mode:04o}); "
            f"make it private first: chmod 600 {os.fspath(path)}"
        )


def _ours(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()
