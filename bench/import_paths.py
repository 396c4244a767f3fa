"""Creating N users: one user/create call each vs one import job, same emulator, one run.

Run: .venv/bin/python bench/import_paths.py [--users 10000] [--in-flight 32]
Goal (issue 5): the import-job path takes at most 10 API calls for 10,000 users.
The emulator is started in-process (EmulatorServer). API calls are the emulator's own count
of /cgi-bin requests (gettoken, the upload and the result polls included); each path starts
on a reset emulator with a new client, and checks afterwards that every user exists.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from wecom_contacts import AsyncClient, Client
from wecom_contacts.emulator import EmulatorServer
from wecom_contacts.testing import EmulatorControl

IN_FLIGHT = 32
JOB_CALL_GOAL = 10
# 10,000 creates within a minute would trip WeCom's own 10,000/min limit: lifted for the bench
NO_RATE_LIMIT = [{"seconds": 60, "limit": 10**9}]


def rows(n: int) -> list[dict[str, Any]]:
    return [{"userid": f"user{i:06d}", "name": f"成员{i}", "department": [1],
             "mobile": f"138{i:08d}", "email": f"user{i}@example.com", "position": "工程师"}
            for i in range(n)]


def one_by_one(emu: EmulatorControl, users: list[dict[str, Any]]) -> None:
    with Client(emu.corp_id, emu.secret, base_url=emu.base_url) as client:
        for user in users:
            client.users.create(**user)


def concurrent(emu: EmulatorControl, users: list[dict[str, Any]], in_flight: int) -> None:
    async def main() -> None:
        async with AsyncClient(emu.corp_id, emu.secret, base_url=emu.base_url) as client:
            queue = iter(users)

            async def worker() -> None:
                for user in queue:
                    await client.users.create(**user)

            await asyncio.gather(*(worker() for _ in range(in_flight)))

    asyncio.run(main())


def import_job(emu: EmulatorControl, users: list[dict[str, Any]]) -> None:
    with Client(emu.corp_id, emu.secret, base_url=emu.base_url) as client:
        job = client.batch.sync_users(rows=users, to_invite=False)
        result = client.batch.wait(job, timeout=600)
    assert result.finished and not result.failed_rows, result.failed_rows[:3]


def measure(emu: EmulatorControl, n: int,
            run: Callable[[EmulatorControl], None]) -> tuple[int, float]:
    """(API calls, seconds) of one path on a freshly reset emulator."""
    emu.reset()
    emu.configure(rate_limits=NO_RATE_LIMIT)
    start = time.perf_counter()
    run(emu)
    elapsed = time.perf_counter() - start
    calls = sum(emu.stats()["calls"].values())
    created = len(emu.directory()["users"])
    assert created == n, f"{created} users created, {n} expected"
    return calls, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--in-flight", type=int, default=IN_FLIGHT)
    args = parser.parse_args(argv)
    users = rows(args.users)
    paths: list[tuple[str, Callable[[EmulatorControl], None]]] = [
        ("user/create, one call at a time (Client)", lambda emu: one_by_one(emu, users)),
        (f"user/create, {args.in_flight} in flight (AsyncClient)",
         lambda emu: concurrent(emu, users, args.in_flight)),
        ("batch.sync_users + batch.wait (Client)", lambda emu: import_job(emu, users)),
    ]
    with EmulatorServer() as server:
        emu = EmulatorControl(server.base_url, corp_id=server.config.corp_id,
                              secret=server.config.secret)
        results = [(label, *measure(emu, args.users, run)) for label, run in paths]
        emu.close()
    print(f"Creating {args.users:,} users against the emulator (in-process, one run)")
    print(f"{'path':50} {'API calls':>10} {'seconds':>9} {'users/s':>9}")
    for label, calls, seconds in results:
        print(f"{label:50} {calls:10,} {seconds:9.2f} {args.users / seconds:9.0f}")
    (_, one_calls, one_time), (_, job_calls, job_time) = results[0], results[-1]
    print()
    print(f"import job: {job_calls} API calls (goal <= {JOB_CALL_GOAL}): "
          f"{one_calls / job_calls:,.0f}x fewer calls, {one_time / job_time:.1f}x less wall time "
          "than one call at a time")
    return 0 if job_calls <= JOB_CALL_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
