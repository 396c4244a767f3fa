"""A real PostgreSQL for tests: a throwaway cluster made by ``initdb`` and run by ``pg_ctl`` on a
free loopback port (as the ``postgres`` user when we are root: initdb refuses to run as root), with
password authentication so that tests can pass the password the way users do."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from ._common import free_port

PASSWORD = "pg-test-password"
_counter = itertools.count(1)


def postgres_bindir() -> Path | None:
    """Debian's newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    """A running cluster; ``url(db)`` is a SQLAlchemy URL without the password (``PASSWORD``)."""

    bindir: Path
    workdir: Path
    port: int
    user: str = "postgres"
    password: str = PASSWORD
    _stopped: bool = field(default=False, repr=False)

    def url(self, database: str = "postgres", *, with_password: bool = False) -> str:
        secret = f":{self.password}" if with_password else ""
        return f"postgresql+psycopg://{self.user}{secret}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user,
                               password=self.password, dbname=database, autocommit=True)

    def new_database(self, prefix: str = "t") -> str:
        """Create an empty database and return its URL (without the password)."""
        name = f"{prefix}_{os.getpid()}_{next(_counter)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        _run_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.workdir / "data"),
                          "-m", "fast", "-w", "stop"], check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _run_as_postgres(cmd: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{cmd[-1] if cmd else ''}: {done.stdout}{done.stderr}"[-2000:])
    return done


def start_postgres(bindir: Path) -> PostgresServer:
    """initdb a cluster in a fresh temporary folder and start it; returns once it accepts logins."""
    # Not under pytest's tmp_path: its parents are root's 0700 folders postgres cannot enter.
    workdir = Path(tempfile.mkdtemp(prefix="wecom-pg-"))
    pwfile = workdir / "pw"
    pwfile.write_text(PASSWORD, encoding="utf-8")
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    _run_as_postgres([str(bindir / "initdb"), "-D", str(workdir / "data"), "-U", "postgres",
                      "-A", "scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"])
    pwfile.unlink()
    last = ""
    for _ in range(5):
        port = free_port()
        done = _run_as_postgres(
            [str(bindir / "pg_ctl"), "-D", str(workdir / "data"), "-l", str(workdir / "log"),
             "-o", f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off",
             "-w", "-t", "60", "start"], check=False)
        if done.returncode == 0:
            return PostgresServer(bindir, workdir, port)
        last = done.stdout + done.stderr
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last[-2000:]}")
