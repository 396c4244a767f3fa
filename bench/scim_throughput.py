"""SCIM throughput: creates and PATCHes through `scim serve` beside the same changes made with
AsyncClient directly, against the same emulator, in one run; prints the ratios.

Run: .venv/bin/python bench/scim_throughput.py [--users 300] [--in-flight 8] [--latency 0.03]
Both sides keep the same number of requests in flight. Two rounds: the emulator as it is
(about a millisecond a call, so the SCIM layer's own cost shows), then with ``--latency``
seconds added to every member call (what WeCom itself takes from a server in China). The
emulator and the SCIM service run as their own processes; a SCIM PATCH must read the member
before writing it (two WeCom calls for one), a SCIM create costs one, as the direct one does.
Both sides pace their calls at WeCom's published limit (10,000 a minute per API), as a
deployment must; at emulator speed that limit, not either side, may be what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx

from wecom_contacts import AsyncClient, LocalRateLimiter

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CORP_ID, SECRET = "ww0000000000emulator", "emulator-sync-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"{argv[2:4]} did not start") from None
            time.sleep(0.05)


async def run_all(count: int, jobs: Callable[[int], Awaitable[None]], in_flight: int) -> float:
    queue = iter(range(count))

    async def worker() -> None:
        for index in queue:
            await jobs(index)

    start_at = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return count / (time.perf_counter() - start_at)


async def bench(emulator: str, scim: str, token: str, users: int, in_flight: int,
                prefix: str) -> dict[str, float]:
    rates: dict[str, float] = {}
    # Paced as `scim serve` paces itself: WeCom's 10,000 calls/min per API and corp.
    async with AsyncClient(CORP_ID, SECRET, base_url=emulator,
                           rate_limiter=LocalRateLimiter()) as client:
        await client.departments.list()  # token and connections warm

        async def direct_create(i: int) -> None:
            await client.users.create(f"{prefix}d{i}", f"Direct {i}", department=[1],
                                      email=f"{prefix}d{i}@example.com", to_invite=False)

        async def direct_patch(i: int) -> None:
            await client.users.update(f"{prefix}d{i}", position=f"Engineer {i}")

        rates["direct create"] = await run_all(users, direct_create, in_flight)
        rates["direct patch"] = await run_all(users, direct_patch, in_flight)

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    async with aiohttp.ClientSession(base_url=scim, headers=headers) as http:
        async with http.get("/Users", params={"filter": 'userName eq "d0"'}) as warm:
            assert warm.status == 200

        async def scim_create(i: int) -> None:
            doc = {"schemas": [CORE], "userName": f"{prefix}s{i}", "displayName": f"SCIM {i}",
                   "emails": [{"value": f"{prefix}s{i}@example.com", "type": "work"}]}
            async with http.post("/Users", json=doc) as response:
                assert response.status == 201, await response.text()

        async def scim_patch(i: int) -> None:
            body = {"schemas": [PATCH], "Operations": [
                {"op": "replace", "path": "title", "value": f"Engineer {i}"}]}
            async with http.patch(f"/Users/{prefix}s{i}", json=body) as response:
                assert response.status == 200, await response.text()

        before = _calls(emulator)
        rates["scim create"] = await run_all(users, scim_create, in_flight)
        middle = _calls(emulator)
        rates["scim patch"] = await run_all(users, scim_patch, in_flight)
        after = _calls(emulator)
    rates["create calls"] = (middle - before) / users
    rates["patch calls"] = (after - middle) / users
    return rates


def _calls(emulator: str) -> int:
    """WeCom API calls the emulator has answered so far (all paths)."""
    stats = httpx.get(f"{emulator}/_emulator/stats").json()
    return sum(n for path, n in stats["calls"].items() if path.startswith("/cgi-bin/"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.03)
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    emu_port, scim_port = free_port(), free_port()
    emulator = f"http://127.0.0.1:{emu_port}"
    scim = f"http://127.0.0.1:{scim_port}"
    env = {**os.environ, "WECOM_CORP_ID": CORP_ID, "WECOM_SECRET": SECRET,
           "WECOM_BASE_URL": emulator, "WECOM_SCIM_TOKENS": token,
           "WECOM_SCIM_LOG_LEVEL": "WARNING"}
    procs = [start([sys.executable, "-m", "wecom_contacts.emulator", "--port", str(emu_port)],
                   env, f"{emulator}/_emulator/stats")]
    try:
        procs.append(start([sys.executable, "-m", "wecom_contacts.cli", "scim", "serve",
                            "--port", str(scim_port)], env, f"{scim}/ServiceProviderConfig"))
        rounds = [("emulator as is", asyncio.run(
            bench(emulator, scim, token, args.users, args.in_flight, "a")))]
        if args.latency > 0:
            httpx.post(f"{emulator}/_emulator/faults", json={
                "path": "/cgi-bin/user/*", "count": 1_000_000, "delay": args.latency,
            }).raise_for_status()
            rounds.append((f"+{args.latency * 1000:.0f} ms per WeCom call", asyncio.run(
                bench(emulator, scim, token, args.users, args.in_flight, "b"))))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    print(f"{args.users} users, {args.in_flight} requests in flight on each side, both paced "
          "at 10,000 calls/min per WeCom API")
    for title, rates in rounds:
        print(f"{title}:")
        for kind in ("create", "patch"):
            direct, through = rates[f"direct {kind}"], rates[f"scim {kind}"]
            print(f"  {kind:6}  direct {direct:7.0f}/s   SCIM {through:7.0f}/s   "
                  f"ratio SCIM/direct {through / direct:.2f}   "
                  f"WeCom calls per SCIM request {rates[f'{kind} calls']:.2f}")


if __name__ == "__main__":
    main()
