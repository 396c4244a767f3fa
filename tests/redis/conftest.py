"""Redis test fixtures: a real redis-server on a free loopback port, emptied before each test.

Without the ``redis-server`` binary these tests skip, unless ``WECOM_REQUIRE_REDIS`` is set
(as in CI), in which case they fail: a missing server must never pass for a green run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis


@dataclass(frozen=True)
class RedisServer:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(binary: str, port: int, workdir: Path) -> subprocess.Popen[bytes] | None:
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None  # most likely the port was taken between probe and start
        try:
            with redis.Redis(port=port, socket_connect_timeout=0.2) as client:
                client.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    return None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("WECOM_REQUIRE_REDIS"):
            pytest.fail(f"{reason}, and WECOM_REQUIRE_REDIS is set", pytrace=False)
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(5):
        port = free_port()
        proc = _start(binary, port, workdir)
        if proc is not None:
            break
    else:
        pytest.fail("redis-server did not start on a free loopback port", pytrace=False)
    try:
        yield RedisServer(port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The server's URL, with every key from earlier tests gone."""
    with redis.Redis(port=redis_server.port) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A plain client, to look at what the stores wrote."""
    with redis.Redis.from_url(redis_url) as client:
        yield client


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL with a password, on a port where nothing listens."""
    return f"redis://:hunter2@127.0.0.1:{free_port()}/0"


WORKER = Path(__file__).with_name("_fleet_worker.py")


class Fleet:
    """Worker processes (``_fleet_worker.py``) started together and released together.

    Each worker says ``ready`` on stdout when set up, then waits for a start time on stdin;
    so the start does not depend on how long the processes took to import.
    """

    def __init__(self, argv_per_process: list[list[str]], workdir: Path) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        self._errs = [(workdir / f"worker-{i}.err").open("w+b")
                      for i in range(len(argv_per_process))]
        self.procs = [
            subprocess.Popen([sys.executable, str(WORKER), *argv], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=err, env=env)
            for argv, err in zip(argv_per_process, self._errs, strict=True)
        ]

    def _line(self, i: int) -> str:
        stdout = self.procs[i].stdout
        assert stdout is not None
        line = stdout.readline().decode().strip()
        if not line:
            self.procs[i].wait(10)
            self._errs[i].seek(0)
            raise AssertionError(f"worker {i} ended early:\n{self._errs[i].read().decode()}")
        return line

    def ready(self) -> None:
        """Wait until every worker is set up for its next round."""
        for i in range(len(self.procs)):
            assert self._line(i) == "ready"

    def go(self, *, lead: float = 0.3) -> float:
        """Wait until every worker is ready, then release them all at one instant."""
        self.ready()
        return self.release(lead=lead)

    def release(self, *, lead: float = 0.3) -> float:
        """Tell every (ready) worker to start ``lead`` seconds from now; returns that time."""
        start = time.time() + lead
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(f"{start!r}\n".encode())
            proc.stdin.flush()
        return start

    def results(self) -> list[dict[str, Any]]:
        out = [json.loads(self._line(i)) for i in range(len(self.procs))]
        for proc in self.procs:
            assert proc.wait(30) == 0
        return out

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        for err in self._errs:
            err.close()


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Callable[[list[list[str]]], Fleet]]:
    """Starts worker processes; they are killed at the end of the test if still running."""
    started: list[Fleet] = []

    def start(argv_per_process: list[list[str]]) -> Fleet:
        f = Fleet(argv_per_process, tmp_path)
        started.append(f)
        return f

    try:
        yield start
    finally:
        for f in started:
            f.close()
