"""Soak: worker processes sharing one Redis hammer a fault-injecting emulator; nothing may be lost.

    python bench/soak.py --workers 4 --seconds 30 [--concurrency 8] [--fault-rate 0.05]
                         [--per-minute 10000] [--drop-writes] [--redis-url redis://...]

Starts redis-server (unless --redis-url is given) and the emulator, then runs ``--workers``
processes, each an AsyncClient with ``--concurrency`` tasks making mixed calls (department
creates with unique names, gets, simplelists) through a shared RedisTokenStore and
RedisRateLimiter. Meanwhile the emulator is told to fail about ``--fault-rate`` of the calls
(errcode -1, errcode 45009, HTTP 503, and dropped connections on reads; with --drop-writes
also creates whose answer is dropped after they were applied). At the end it prints
calls, errors by kind, gettoken calls, and checks the directory: every create the client
reported as done must be there exactly once (else "lost"), no name may appear twice, and a
department the client was not told of must be one whose create failed in a maybe-applied way.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from wecom_contacts import AsyncClient, TransportError, WeComError
from wecom_contacts.redis import RedisRateLimiter, RedisTokenStore
from wecom_contacts.testing import EmulatorControl

READS = ("/cgi-bin/department/get", "/cgi-bin/department/simplelist")
ALL_DEPARTMENT_CALLS = "/cgi-bin/department/*"
# Fault kinds in turn: a busy answer, a rate-limit answer, a 503, a dropped read.
FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("errcode -1", {"path": ALL_DEPARTMENT_CALLS, "errcode": -1}),
    ("errcode 45009", {"path": ALL_DEPARTMENT_CALLS, "errcode": 45009}),
    ("http 503", {"path": ALL_DEPARTMENT_CALLS, "http_status": 503}),
    ("drop (get)", {"path": READS[0], "drop": True}),
    ("drop (simplelist)", {"path": READS[1], "drop": True}),
)
# With --drop-writes: a create carried out whose answer is lost (the client cannot know).
DROP_AFTER_CREATE = ("drop after create",
                     {"path": "/cgi-bin/department/create", "drop": True,
                      "after": "after_handler"})
MIX = (("create", 0.3), ("get", 0.35), ("simplelist", 0.35))


@dataclass
class Settings:
    redis_url: str
    base_url: str
    corp_id: str
    secret: str
    prefix: str
    seconds: float
    concurrency: int
    per_minute: int


@dataclass
class WorkerReport:
    worker: int
    ok: collections.Counter[str] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    created: dict[str, int] = field(default_factory=dict)  # name -> id, reported as done
    unsure: list[str] = field(default_factory=list)  # creates that failed, maybe applied
    latencies: list[float] = field(default_factory=list)


# -- the worker processes --


async def _work(settings: Settings, worker: int, start: float) -> WorkerReport:
    report = WorkerReport(worker)
    store = RedisTokenStore.from_url(settings.redis_url, prefix=settings.prefix)
    limiter = RedisRateLimiter.from_url(
        settings.redis_url, corp_id=settings.corp_id, per_minute=settings.per_minute,
        prefix=settings.prefix,
    )
    ids: list[int] = []
    seq = 0
    rng = random.Random(worker)
    ops, weights = zip(*MIX, strict=True)
    end = start + settings.seconds
    await asyncio.sleep(max(0.0, start - time.time()))

    async def lane(client: AsyncClient) -> None:
        nonlocal seq
        while time.time() < end:
            op = rng.choices(ops, weights)[0]
            name = ""
            began = time.perf_counter()
            try:
                if op == "create":
                    seq += 1
                    name = f"soak-{worker}-{seq}"
                    new_id = await client.departments.create(name, 1)
                    report.created[name] = new_id
                    ids.append(new_id)
                elif op == "get":
                    await client.departments.get(rng.choice(ids) if ids else 1)
                else:
                    await client.departments.simple_list(rng.choice(ids) if ids else 1)
            except WeComError as exc:
                report.errors[f"{op}: {type(exc).__name__} {getattr(exc, 'errcode', '')}"] += 1
                if op == "create" and (
                    not isinstance(exc, TransportError) or exc.may_have_been_applied
                ):
                    report.unsure.append(name)
                continue
            report.ok[op] += 1
            report.latencies.append(time.perf_counter() - began)

    try:
        async with AsyncClient(settings.corp_id, settings.secret, base_url=settings.base_url,
                               token_store=store, rate_limiter=limiter) as client:
            await asyncio.gather(*(lane(client) for _ in range(settings.concurrency)))
    finally:
        await store.aclose()
        await limiter.aclose()
    return report


def worker_main(settings: Settings, worker: int, start: float, out: Any) -> None:
    out.put(asyncio.run(_work(settings, worker, start)))


# -- the servers --


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_redis(workdir: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: install it or pass --redis-url")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            with redis.Redis(port=port, socket_connect_timeout=0.2) as client:
                client.ping()
            return proc, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("redis-server did not start") from None
            time.sleep(0.05)


def start_emulator(stderr: IO[bytes]) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=stderr,
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().decode().strip()
    if not base_url.startswith("http"):
        raise SystemExit(f"the emulator did not start: {base_url!r}")
    return proc, base_url


# -- fault injection --


class Injector(threading.Thread):
    """Keeps about ``rate`` of the department calls failing, by registering faults ahead."""

    def __init__(self, control: EmulatorControl, rate: float, *, until: float,
                 drop_writes: bool = False, period: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.until = until
        self.control = control
        self.kinds = (*FAULTS, DROP_AFTER_CREATE) if drop_writes else FAULTS
        self.rate = rate
        self.period = period
        self.injected: collections.Counter[str] = collections.Counter()
        self._halt = threading.Event()

    def _department_calls(self) -> int:
        calls = self.control.stats().get("calls", {})
        return sum(n for path, n in calls.items() if path.startswith("/cgi-bin/department/"))

    def run(self) -> None:
        seen = self._department_calls()
        owed = 0.0
        turn = 0
        # Stop with the workers' own deadline and withdraw what is pending: the few calls
        # still retrying after it would otherwise draw every leftover fault, one after another.
        while not self._halt.wait(self.period) and time.time() < self.until:
            now = self._department_calls()
            owed += (now - seen) * self.rate
            seen = now
            while owed >= 1:
                kind, fault = self.kinds[turn % len(self.kinds)]
                turn += 1
                self.control.fault(fault["path"], count=1,
                                   **{k: v for k, v in fault.items() if k != "path"})
                self.injected[kind] += 1
                owed -= 1
        self.control.clear_faults()

    def stop(self) -> None:
        self._halt.set()
        self.join()


# -- the run --


def run(args: argparse.Namespace) -> int:
    workdir = tempfile.mkdtemp(prefix="wecom-soak-")
    redis_proc = None
    emu_err = open(os.path.join(workdir, "emulator.err"), "w+b")  # noqa: SIM115
    if args.redis_url:
        redis_url = args.redis_url
    else:
        redis_proc, redis_url = start_redis(workdir)
    emu_proc, base_url = start_emulator(emu_err)
    control = EmulatorControl(base_url, corp_id="ww0000000000emulator",
                              secret="emulator-sync-secret")
    try:
        control.reset()
        settings = Settings(
            redis_url=redis_url, base_url=base_url, corp_id=control.corp_id,
            secret=control.secret, prefix=f"soak-{os.getpid()}-{int(time.time())}:",
            seconds=args.seconds, concurrency=args.concurrency, per_minute=args.per_minute,
        )
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        start = time.time() + 2.0  # the spawned workers need a moment to import
        procs = [ctx.Process(target=worker_main, args=(settings, w, start, out))
                 for w in range(args.workers)]
        for p in procs:
            p.start()
        injector = Injector(control, args.fault_rate, until=start + args.seconds,
                            drop_writes=args.drop_writes)
        injector.start()
        reports: list[WorkerReport] = [out.get(timeout=args.seconds + 120) for _ in procs]
        injector.stop()
        for p in procs:
            p.join(30)
        return report(args, control, reports, injector)
    finally:
        control.close()
        emu_proc.terminate()
        emu_proc.wait(10)
        emu_err.close()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def report(args: argparse.Namespace, control: EmulatorControl, reports: list[WorkerReport],
           injector: Injector) -> int:
    ok: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    created: dict[str, int] = {}
    unsure: set[str] = set()
    latencies: list[float] = []
    for r in reports:
        ok.update(r.ok)
        errors.update(r.errors)
        created.update(r.created)
        unsure.update(r.unsure)
        latencies.extend(r.latencies)
    stats = control.stats()
    directory = control.directory()
    by_name: dict[str, list[int]] = collections.defaultdict(list)
    for dept in directory.get("departments", []):
        if str(dept["name"]).startswith("soak-"):
            by_name[dept["name"]].append(int(dept["id"]))
    duplicates = {n: i for n, i in by_name.items() if len(i) > 1}
    lost = {n: i for n, i in created.items() if by_name.get(n) != [i]}
    unreported = sorted(set(by_name) - set(created))
    unexplained = [n for n in unreported if n not in unsure]
    calls = sum(ok.values())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"soak: {args.workers} workers x {args.concurrency} tasks for {args.seconds:.0f} s, "
          f"faults ~{args.fault_rate:.0%}, limit {args.per_minute}/min per path")
    print(f"calls done      {calls} ({calls / args.seconds:.0f}/s): "
          + ", ".join(f"{k} {v}" for k, v in sorted(ok.items())))
    if latencies:
        print(f"latency         p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms")
    requests = sum(stats.get("calls", {}).values())
    print(f"requests seen   {requests} by the emulator (retries included)")
    fired = stats.get("faults", {})
    print(f"faults fired    {sum(fired.values())} "
          f"({sum(fired.values()) / max(1, requests):.1%} of requests): {fired}; "
          f"{sum(injector.injected.values())} registered")
    print(f"emulator errors {stats.get('errors', {})}")
    print(f"errors          {sum(errors.values())}"
          + "".join(f"\n  {k}: {v}" for k, v in sorted(errors.items())))
    print(f"gettoken        {control.calls('/cgi-bin/gettoken')}")
    print(f"creates         {len(created)} reported done; {len(by_name)} soak departments "
          "in the directory")
    print(f"duplicates      {len(duplicates)} {dict(list(duplicates.items())[:5])}")
    print(f"lost writes     {len(lost)} {dict(list(lost.items())[:5])}")
    print(f"unreported      {len(unreported)} created though the client saw an error "
          f"(maybe-applied), {len(unexplained)} unexplained")
    return 1 if duplicates or lost or unexplained else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8, help="tasks per worker")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--per-minute", type=int, default=10_000,
                        help="the shared limiter's calls per minute per path")
    parser.add_argument("--drop-writes", action="store_true",
                        help="also drop the answer of some creates after they were applied")
    parser.add_argument("--redis-url", default=None, help="use this Redis (keys get a prefix)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
