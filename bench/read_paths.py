"""Reading the live directory for sync: department/list + user/list per department vs two
export jobs, against the same emulator in one run.

Run: .venv/bin/python bench/read_paths.py [--departments 500] [--users 10000]
The export path is what sync falls back to on IPs WeCom refuses detail reads to (48009); this
prints what each path costs in API calls and wall time, and checks both read the same directory.
Export jobs finish at once on the emulator: WeCom builds the files in the background, which
takes longer, so the wall-time column favours the export path here. ``--latency`` adds a
delay to every user/list answer (a WeCom round trip from a data centre is tens of ms; the
emulator runs in-process, where calls in flight would only share one interpreter).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from wecom_contacts import Client
from wecom_contacts.emulator import EmulatorServer
from wecom_contacts.sync import LiveDirectory, ReadVia, read_live
from wecom_contacts.sync.live import details
from wecom_contacts.testing import EmulatorControl

NO_RATE_LIMIT = [{"seconds": 60, "limit": 10**9}]


def directory(departments: int, users: int) -> dict[str, Any]:
    """A tree of ``departments`` (ten under each of the first ones) and ``users`` members."""
    depts = [{"id": 2 + i, "name": f"部门{i}", "parentid": 1 if i < 10 else 2 + (i // 10 - 1)}
             for i in range(departments)]
    members = [{"userid": f"user{i:06d}", "name": f"成员{i}",
                "department": [2 + i % departments], "mobile": f"138{i:08d}",
                "position": "工程师"} for i in range(users)]
    return {"departments": depts, "users": members}


def measure(emu: EmulatorControl, via: ReadVia) -> tuple[LiveDirectory, int, float]:
    before = sum(emu.stats()["calls"].values())
    with Client(emu.corp_id, emu.secret, base_url=emu.base_url) as client:
        start = time.perf_counter()
        live = read_live(client, via=via)
        elapsed = time.perf_counter() - start
    return live, sum(emu.stats()["calls"].values()) - before, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departments", type=int, default=500)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.03, help="seconds per user/list")
    args = parser.parse_args(argv)
    with EmulatorServer() as server:
        emu = EmulatorControl(server.base_url, corp_id=server.config.corp_id,
                              secret=server.config.secret)
        emu.configure(rate_limits=NO_RATE_LIMIT)
        emu.seed(directory(args.departments, args.users))
        if args.latency:
            emu.fault("/cgi-bin/user/list", count=10**9, delay=args.latency)
        threads, details.READ_THREADS = details.READ_THREADS, 1
        serial = measure(emu, "lists")
        details.READ_THREADS = threads
        lists = measure(emu, "lists")
        export = measure(emu, "export")
        emu.close()
    assert serial[0] == lists[0] == export[0], "the paths read different directories"
    print(f"read_live of {args.departments:,} departments and {args.users:,} users "
          f"(emulator in-process, {args.latency * 1000:.0f} ms per user/list, one run)")
    print(f"{'path':44} {'API calls':>10} {'seconds':>9}")
    rows = (("lists, one user/list at a time", serial),
            (f"lists, {threads} user/list calls in flight", lists),
            ("export: export/department + export/user", export))
    for label, (_, calls, seconds) in rows:
        print(f"{label:44} {calls:10,} {seconds:9.2f}")
    print(f"\nlists with {threads} in flight: {serial[2] / lists[2]:.1f}x the speed of one at a "
          "time")
    print(f"export path: {lists[1] / export[1]:.0f}x fewer calls, "
          f"{lists[2] / export[2]:.1f}x the speed of the lists (same directory read)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
