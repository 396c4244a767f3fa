"""Mirror benchmarks, each beside a baseline in the same run:

1. initial mirror of N members (``--members``, default 20,000; run 100,000 by hand) into
   SQLite and, with ``--postgres``, PostgreSQL: calls to WeCom, seconds, peak memory (the
   peak RSS of a fresh process doing only that; the emulator runs as its own process) —
   baseline: the same read, then a raw SQLAlchemy bulk insert of the same rows into the same
   schema (insert time compared with the mirror's diff+write);
2. callback-to-row latency under a burst of ``--burst`` (default 1,000) create_user events
   from the emulator into an in-process ``mirror serve`` on SQLite — baseline: the same
   burst into the bare callback receiver with a no-op handler.

Run: .venv/bin/python bench/mirror.py [--members 100000] [--postgres] [--burst 1000]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.servers

from wecom_contacts import Client
from wecom_contacts._background import BackgroundServer
from wecom_contacts.callback import CallbackCrypto, CallbackEvent, make_asgi_app
from wecom_contacts.mirror import mirror_sync, open_target, read_snapshot
from wecom_contacts.mirror.app import make_mirror_app
from wecom_contacts.mirror.queue import EventQueue
from wecom_contacts.mirror.service import MirrorService
from wecom_contacts.mirror.sql_schema import member_departments, members, metadata
from wecom_contacts.testing import EmulatorControl

T = TypeVar("T")
NO_RATE_LIMIT = [{"seconds": 60, "limit": 10**9}]
TOKEN, KEY = "benchtoken", "a" * 43


def company(departments: int, users: int, start: int = 0) -> dict[str, Any]:
    depts = [{"id": 2 + i, "name": f"部门{i}", "parentid": 1 if i < 10 else 2 + (i // 10 - 1)}
             for i in range(departments)]
    people = [{"userid": f"user{i:06d}", "name": f"成员{i}", "department": [2 + i % departments],
               "mobile": f"138{i:08d}", "email": f"user{i}@example.com", "position": "工程师"}
              for i in range(start, start + users)]
    return {"departments": depts, "users": people}


def _peak_rss() -> int:
    """The process's peak resident memory (bytes) since the last ``_reset_peak``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    try:  # Linux: "5" resets the peak RSS mark (proc(5), clear_refs)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def measured(fn: Callable[[], T]) -> tuple[T, float, int]:
    """Result, seconds, peak RSS growth over the start of the call (bytes)."""
    gc.collect()
    _reset_peak()
    start_rss = _peak_rss()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    return result, seconds, _peak_rss() - start_rss


def baseline_insert(url: str, client: Client) -> tuple[float, int]:
    """Write the same rows with a plain executemany into the same schema; read not counted."""
    snap = read_snapshot(client)
    rows = [{"userid": m.userid, "name": m.name, "alias": m.alias, "mobile": m.mobile,
             "email": m.email, "biz_mail": m.biz_mail, "position": m.position,
             "gender": m.gender, "telephone": m.telephone, "address": m.address,
             "external_position": m.external_position, "enable": m.enable,
             "activated": m.activated, "main_department": m.main_department,
             "direct_leader": None, "extattr": m.extattr,
             "external_profile": m.external_profile, "updated_at": None}
            for m in snap.members.values()]
    links = [{"userid": m.userid, "department_id": d.department_id, "position": i,
              "is_leader": d.is_leader, "sort_order": d.order}
             for m in snap.members.values() for i, d in enumerate(m.departments)]
    engine = sa.create_engine(url)
    metadata.create_all(engine)

    def insert() -> None:
        with engine.begin() as conn:
            conn.execute(members.insert(), rows)
            conn.execute(member_departments.insert(), links)

    _, seconds, peak = measured(insert)
    engine.dispose()
    return seconds, peak


def _mirror_child(emu_url: str, corp: str, secret: str, url: str, out: Any) -> None:
    with Client(corp, secret, base_url=emu_url) as client:
        target = open_target(url)
        report, seconds, _ = measured(lambda: mirror_sync(client, target))
        target.close()
    out.put((report.live_counts["members"], seconds, report.read_seconds,
             report.write_seconds, _peak_rss()))


def _baseline_child(emu_url: str, corp: str, secret: str, url: str, out: Any) -> None:
    with Client(corp, secret, base_url=emu_url) as client:
        seconds, _ = baseline_insert(url, client)
    out.put((seconds, _peak_rss()))


def _in_child(fn: Callable[..., None], *args: Any) -> Any:
    # each measurement in a fresh process, so that its peak RSS is its own
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=fn, args=(*args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def initial_mirror(emu: EmulatorControl, name: str, url: str, base_url: str) -> None:
    calls_before = sum(emu.stats()["calls"].values())
    n, seconds, read, write, peak = _in_child(_mirror_child, emu.base_url, emu.corp_id,
                                              emu.secret, url)
    calls = sum(emu.stats()["calls"].values()) - calls_before
    base_seconds, base_peak = _in_child(_baseline_child, emu.base_url, emu.corp_id,
                                        emu.secret, base_url)
    print(f"{name:10} mirror: {n:,} members, {calls} WeCom calls, {seconds:6.2f} s total "
          f"(read {read:.2f} s, diff+write {write:.2f} s), peak RSS {peak / 2**20:.0f} MiB")
    print(f"{name:10} baseline (read, then a bulk insert of the same rows): insert "
          f"{base_seconds:6.2f} s, peak RSS {base_peak / 2**20:.0f} MiB; mirror diff+write / "
          f"baseline insert = {write / base_seconds:.1f}x, peak RSS "
          f"{peak / base_peak:.1f}x")


class Stamps:
    """When each event reached the handler and when its row was written."""

    def __init__(self, handle: Callable[[CallbackEvent], None]) -> None:
        self.handle = handle
        self.latencies: list[float] = []
        self.done = threading.Event()
        self.expected = 0
        self.lock = threading.Lock()

    def __call__(self, event: CallbackEvent) -> None:
        t0 = time.perf_counter()
        self.handle(event)
        with self.lock:
            self.latencies.append(time.perf_counter() - t0)
            if len(self.latencies) >= self.expected:
                self.done.set()


def burst(emu: EmulatorControl, handler: Stamps, app: Any, count: int, start: int) -> float:
    handler.expected = count
    with BackgroundServer(app) as server:
        emu.configure_callback(f"{server.url}/cb", TOKEN, KEY, echo_own_changes=True)
        t0 = time.perf_counter()
        emu.seed(company(1, count, start=start) | {"departments": []})
        handler.done.wait(600)
        seconds = time.perf_counter() - t0
        emu.remove_callback()
    return seconds


def latency(emu: EmulatorControl, tmp: Path, count: int, members_before: int) -> None:
    crypto = CallbackCrypto(TOKEN, KEY, receive_id=emu.corp_id)
    bare = Stamps(lambda event: None)
    bare_seconds = burst(emu, bare, make_asgi_app(crypto, bare), count, members_before)
    with Client(emu.corp_id, emu.secret, base_url=emu.base_url) as client:
        target = open_target(f"sqlite:///{tmp / 'serve.db'}")
        service = MirrorService(client, target, EventQueue(tmp / "q.sqlite"))
        service.reconcile()
        stamps = Stamps(service.handle)
        service.handle = stamps  # type: ignore[method-assign]  # time each event's handling
        app = make_mirror_app(service, crypto, run_loop=False)
        seconds = burst(emu, stamps, app, count, members_before + count)
        applied = service.status.applied
        service.queue.close()
        target.close()

    def describe(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        return (f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
                f"max {ordered[-1] * 1000:.1f} ms")

    print(f"burst of {count:,} create_user events (emulator → receiver → row)")
    print(f"  mirror serve, SQLite: {applied} applied in {seconds:.2f} s "
          f"({count / seconds:.0f}/s); in the handler: {describe(stamps.latencies)}")
    print(f"  bare receiver, no-op: {count} in {bare_seconds:.2f} s "
          f"({count / bare_seconds:.0f}/s); in the handler: {describe(bare.latencies)}")
    print(f"  mirror / bare wall time: {seconds / bare_seconds:.2f}x")


@contextmanager
def emulator_process(tmp: Path) -> Iterator[EmulatorControl]:
    """The emulator as its own process (so that it does not share this one's memory or GIL)."""
    corp, secret = "wwbenchmirror", "bench-sync-secret"
    proc = subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.emulator", "--host", "127.0.0.1", "--port", "0",
         "--db", str(tmp / "emulator.db"), "--corp-id", corp, "--secret", secret],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        with EmulatorControl(base_url, corp_id=corp, secret=secret) as control:
            yield control
    finally:
        proc.terminate()
        proc.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--postgres", action="store_true",
                        help="also PostgreSQL (a throwaway cluster, as the tests start it)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir, emulator_process(Path(tmpdir)) as emu:
        tmp = Path(tmpdir)
        emu.configure(rate_limits=NO_RATE_LIMIT)
        t0 = time.perf_counter()
        emu.seed(company(args.departments, 0))
        for start in range(0, args.members, 5_000):  # in parts: one seed call has a timeout
            emu.seed(company(args.departments, min(5_000, args.members - start), start)
                     | {"departments": []})
        print(f"seeded {args.members:,} members in {args.departments} departments "
              f"({time.perf_counter() - t0:.1f} s)\n")
        initial_mirror(emu, "SQLite", f"sqlite:///{tmp / 'mirror.db'}",
                       f"sqlite:///{tmp / 'baseline.db'}")
        if args.postgres:
            from tests.servers.postgres import postgres_bindir, start_postgres

            bindir = postgres_bindir()
            if bindir is None:
                print("PostgreSQL not installed: skipped")
            else:
                pg = start_postgres(bindir)
                try:
                    def url(db: str) -> str:
                        with pg.connect() as conn:
                            conn.execute(f'CREATE DATABASE "{db}"')
                        return pg.url(db, with_password=True)

                    initial_mirror(emu, "PostgreSQL", url("mirror"), url("baseline"))
                finally:
                    pg.stop()
    print()
    # the burst on a directory of its own (the emulator holds at most 100,000 members)
    with tempfile.TemporaryDirectory() as tmpdir, emulator_process(Path(tmpdir)) as emu:
        emu.configure(rate_limits=NO_RATE_LIMIT)
        emu.seed(company(args.departments, 1_000))
        latency(emu, Path(tmpdir), args.burst, 1_000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
