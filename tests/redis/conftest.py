"""Redis test fixtures: a real redis-server on a free loopback port, emptied before each test;
a real three-master Redis Cluster of redis-server processes; a master, replica and Sentinel.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _start(
    binary: str, port: int, workdir: Path, *extra: str, password: str | None = None
) -> subprocess.Popen[bytes] | None:
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None  # most likely the port was taken between probe and start
        try:
            with redis.Redis(port=port, password=password, socket_connect_timeout=0.2) as client:
                client.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def redis_binary() -> str:
    """The redis-server binary; skips the test without it, fails if WECOM_REQUIRE_REDIS is set."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("WECOM_REQUIRE_REDIS"):
            pytest.fail(f"{reason}, and WECOM_REQUIRE_REDIS is set", pytrace=False)
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = redis_binary()
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
        _stop(proc)


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


# -- Redis Cluster --

SLOTS = 16384


@dataclass
class RedisClusterNodes:
    """A running Redis Cluster of masters on loopback ports (no replicas)."""

    ports: list[int]
    procs: list[subprocess.Popen[bytes]] = field(repr=False)
    password: str | None = None

    @property
    def url(self) -> str:
        """The URL of the first node; a cluster client finds the others from it."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.ports[0]}"

    def node(self, port: int) -> redis.Redis:
        """A plain client on one node (close it)."""
        return redis.Redis(port=port, password=self.password, socket_timeout=5)

    def info(self, port: int) -> dict[str, str]:
        """``CLUSTER INFO`` of one node."""
        with self.node(port) as client:
            raw = client.execute_command("CLUSTER", "INFO")
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return dict(line.split(":", 1) for line in text.split() if ":" in line)

    def wait_for(self, state: str, ports: Sequence[int], *, timeout: float = 10) -> None:
        """Wait until every node in ``ports`` reports ``cluster_state:<state>``."""
        deadline = time.monotonic() + timeout
        while True:
            infos = [self.info(p) for p in ports]
            if all(i.get("cluster_state") == state for i in infos) and (
                state != "ok"
                or all(i.get("cluster_known_nodes") == str(len(self.ports)) for i in infos)
            ):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the cluster did not reach state {state}: {infos}")
            time.sleep(0.05)

    def flush(self) -> None:
        for port in self.ports:
            with self.node(port) as client:
                client.flushall()

    def stop(self) -> None:
        for proc in self.procs:
            _stop(proc)


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free as well."""
    while True:
        port = free_port()
        if port + 10000 <= 65535 and _port_free(port + 10000):
            return port


def start_cluster(
    workdir: Path, *, masters: int = 3, node_timeout_ms: int = 2000,
    password: str | None = None,
) -> RedisClusterNodes:
    """Start ``masters`` cluster-enabled redis-servers, give each a third of the slots, join
    them, and wait until every node says ``cluster_state:ok``."""
    binary = redis_binary()
    procs: list[subprocess.Popen[bytes]] = []
    ports: list[int] = []
    auth = ["--requirepass", password] if password else []
    try:
        while len(ports) < masters:
            for _ in range(5):
                port = _cluster_port()
                proc = _start(
                    binary, port, workdir, "--cluster-enabled", "yes",
                    "--cluster-config-file", str(workdir / f"nodes-{port}.conf"),
                    "--cluster-node-timeout", str(node_timeout_ms), *auth,
                    password=password,
                )
                if proc is not None:
                    procs.append(proc)
                    ports.append(port)
                    break
            else:
                pytest.fail("a cluster redis-server did not start on a free loopback port",
                            pytrace=False)
        nodes = RedisClusterNodes(ports, procs, password)
        # What `redis-cli --cluster create` does, without its one-second pauses: distinct
        # config epochs, a contiguous share of the slots each, then one MEET per other node.
        bounds = [SLOTS * i // masters for i in range(masters + 1)]
        for i, port in enumerate(ports):
            with nodes.node(port) as client:
                client.execute_command("CLUSTER", "SET-CONFIG-EPOCH", i + 1)
                client.execute_command("CLUSTER", "ADDSLOTS", *range(bounds[i], bounds[i + 1]))
        with nodes.node(ports[0]) as client:
            for port in ports[1:]:
                client.execute_command("CLUSTER", "MEET", "127.0.0.1", port)
        nodes.wait_for("ok", ports, timeout=20)
    except BaseException:
        for proc in procs:
            _stop(proc)
        raise
    return nodes


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterNodes]:
    """A three-master Redis Cluster per test session (per xdist worker that uses it: the
    cluster tests share one xdist group so that, where loadgroup works, one worker does)."""
    nodes = start_cluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        yield nodes
    finally:
        nodes.stop()


@pytest.fixture
def redis_cluster_url(redis_cluster: RedisClusterNodes) -> str:
    """The cluster's URL (one node), with every key from earlier tests gone."""
    redis_cluster.flush()
    return redis_cluster.url


@pytest.fixture
def doomed_redis_cluster(tmp_path: Path) -> Iterator[RedisClusterNodes]:
    """A cluster of its own for one test that may kill its nodes; it has a password, and
    notices a dead node within a second."""
    nodes = start_cluster(tmp_path, node_timeout_ms=500, password="hunter2")
    try:
        yield nodes
    finally:
        nodes.stop()


# -- Sentinel --


@dataclass
class SentinelSet:
    """A master, its replica and one Sentinel watching them as service ``wecom``."""

    port: int  # the Sentinel's
    master: subprocess.Popen[bytes] = field(repr=False)
    procs: list[subprocess.Popen[bytes]] = field(repr=False)
    service: str = "wecom"

    def stop(self) -> None:
        for proc in self.procs:
            _stop(proc)


def _start_sentinel(
    binary: str, master_port: int, workdir: Path
) -> tuple[int, subprocess.Popen[bytes]]:
    for _ in range(5):
        port = free_port()
        conf = workdir / f"sentinel-{port}.conf"  # Sentinel rewrites its own config file
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {workdir}\n"
            f"sentinel monitor wecom 127.0.0.1 {master_port} 1\n"
            "sentinel down-after-milliseconds wecom 500\n"
            "sentinel failover-timeout wecom 5000\n"
        )
        proc = subprocess.Popen([binary, str(conf), "--sentinel"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with redis.Redis(port=port, socket_connect_timeout=0.2) as client:
                    client.ping()
                return port, proc
            except redis.ConnectionError:
                time.sleep(0.02)
        _stop(proc)
    pytest.fail("redis-server --sentinel did not start on a free loopback port", pytrace=False)


def start_sentinel_set(workdir: Path) -> SentinelSet:
    """Start a master, a replica of it and a Sentinel; wait until the Sentinel knows both
    and the replica is in sync, so that a failover can happen."""
    from redis.sentinel import Sentinel

    binary = redis_binary()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        started: list[int] = []
        for role in ("master", "replica"):
            # The master syncs its replica at once, not after the default 5 s delay.
            args = (["--replicaof", "127.0.0.1", str(started[0])] if role == "replica"
                    else ["--repl-diskless-sync-delay", "0"])
            for _ in range(5):
                port = free_port()
                proc = _start(binary, port, workdir, *args)
                if proc is not None:
                    procs.append(proc)
                    started.append(port)
                    break
            else:
                pytest.fail("redis-server did not start on a free loopback port", pytrace=False)
        master_port, replica_port = started
        port, sentinel_proc = _start_sentinel(binary, master_port, workdir)
        procs.append(sentinel_proc)
        # redis-py leaves its sync Sentinel unannotated: hence the no-untyped-call ignores
        sentinel = Sentinel(  # type: ignore[no-untyped-call]
            [("127.0.0.1", port)], socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            with redis.Redis(port=replica_port) as replica:
                link = replica.info("replication").get("master_link_status")
            try:
                ready = link == "up" and bool(
                    sentinel.discover_slaves("wecom"))  # type: ignore[no-untyped-call]
                ready = ready and (
                    sentinel.discover_master("wecom")  # type: ignore[no-untyped-call]
                    == ("127.0.0.1", master_port))
            except redis.ConnectionError:
                ready = False
            if ready:
                break
            if time.monotonic() > deadline:
                raise AssertionError("the Sentinel did not see the master and its replica")
            time.sleep(0.05)
        for s in sentinel.sentinels:
            s.close()
    except BaseException:
        for proc in procs:
            _stop(proc)
        raise
    return SentinelSet(port, procs[0], procs)


@pytest.fixture
def redis_sentinel(tmp_path: Path) -> Iterator[SentinelSet]:
    """A master, a replica and a Sentinel of their own for one test (which may fail over)."""
    nodes = start_sentinel_set(tmp_path)
    try:
        yield nodes
    finally:
        nodes.stop()


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
