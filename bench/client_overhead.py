"""Client overhead: our Client / AsyncClient vs raw httpx and raw aiohttp, same server, one run.

Run: .venv/bin/python bench/client_overhead.py [--seconds 3]
Goals (issue 2): Client ≥ 0.9× raw httpx.Client; AsyncClient (32 in flight) ≥ 5× raw
httpx.AsyncClient and ≥ 0.6× raw aiohttp; (issue 17) AsyncClient ≥ 0.85× raw aiohttp in every
run. On a shared machine the load changes between two measurements taken one after the
other, so the issue-17 figure is taken from 20 pairs of short back-to-back slices (raw
aiohttp then AsyncClient, order swapped each pair): each pair's ratio compares the two under
the same load, and the median pair is the run's figure. The best slice of each and the
client process's own CPU time per call are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

from wecom_contacts import AsyncClient, Client

HERE = Path(__file__).resolve().parent
IN_FLIGHT = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed_sync(fn: Callable[[], object], seconds: float) -> float:
    fn()  # warm up (connection, token)
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n / elapsed


async def timed_async(fn: Callable[[], Awaitable[object]], seconds: float,
                      in_flight: int = IN_FLIGHT) -> float:
    await fn()
    count = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < stop:
            await fn()
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return count / (time.perf_counter() - start)


async def cpu_per_call(fn: Callable[[], Awaitable[object]], calls: int) -> float:
    """The client process's CPU seconds per call, ``calls`` calls at IN_FLIGHT in flight."""
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await fn()

    start = time.process_time()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return (time.process_time() - start) / calls


async def interleaved(raw: Callable[[], Awaitable[object]], ours: Callable[[], Awaitable[object]],
                      seconds: float, out: dict[str, float], pairs: int = 20) -> None:
    """Alternate raw aiohttp and AsyncClient in short back-to-back slices, order swapped each
    pair. The pair's ratio compares the two under (almost) the same machine load, so the
    median of the pairs' ratios is the run's figure; the best slice of each, and CPU time per
    call of each, are printed beside it."""
    best = {"raw": 0.0, "ours": 0.0}
    ratios = []
    await ours()
    for n in range(pairs):
        order = [("raw", raw), ("ours", ours)][:: 1 if n % 2 else -1]
        rates = {name: await timed_async(fn, seconds / pairs) for name, fn in order}
        ratios.append(rates["ours"] / rates["raw"])
        for name, rate in rates.items():
            best[name] = max(best[name], rate)
    cpu_raw = min([await cpu_per_call(raw, 2000) for _ in range(3)])
    cpu_ours = min([await cpu_per_call(ours, 2000) for _ in range(3)])
    out.update({"interleaved raw": best["raw"], "interleaved ours": best["ours"],
                "slice ratio min": min(ratios), "slice ratio max": max(ratios),
                "slice ratio median": statistics.median(ratios),
                "cpu raw": cpu_raw, "cpu ours": cpu_ours})


async def run_async(base: str, seconds: float) -> dict[str, float]:
    url = f"{base}/cgi-bin/department/get"
    params = {"access_token": "t" * 64, "id": "2"}
    out: dict[str, float] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def raw_aiohttp() -> object:
            async with session.get(url, params=params) as resp:
                return await resp.json()

        out["server ceiling (raw aiohttp, 128 in flight)"] = await timed_async(
            raw_aiohttp, seconds, in_flight=128)
        out["raw aiohttp"] = await timed_async(raw_aiohttp, seconds)
        async with AsyncClient("wwbench", "bench-secret", base_url=base) as client:
            await interleaved(raw_aiohttp, lambda: client.departments.get(2), seconds * 4, out)
    async with httpx.AsyncClient() as hx:

        async def raw_httpx() -> object:
            return (await hx.get(url, params=params)).json()

        out["raw httpx.AsyncClient"] = await timed_async(raw_httpx, seconds)
    async with AsyncClient("wwbench", "bench-secret", base_url=base) as client:
        out["wecom AsyncClient"] = await timed_async(lambda: client.departments.get(2), seconds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, str(HERE / "_fast_server.py"), str(port)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/cgi-bin/department/get"
        params = {"access_token": "t" * 64, "id": "2"}
        with httpx.Client() as hx:
            raw_sync = timed_sync(lambda: hx.get(url, params=params).json(), args.seconds)
        with Client("wwbench", "bench-secret", base_url=base) as client:
            ours_sync = timed_sync(lambda: client.departments.get(2), args.seconds)
        results = asyncio.run(run_async(base, args.seconds))
    finally:
        server.terminate()
        server.wait()

    print(f"{'case':48} {'calls/s':>10}")
    print(f"{'raw httpx.Client (sequential)':48} {raw_sync:10.0f}")
    print(f"{'wecom Client (sequential)':48} {ours_sync:10.0f}")
    extra = {k: results.pop(k) for k in list(results) if k.startswith(("interleaved", "slice",
                                                                          "cpu"))}
    for name, rate in results.items():
        label = name if "ceiling" in name else f"{name} ({IN_FLIGHT} in flight)"
        print(f"{label:48} {rate:10.0f}")
    print(f"interleaved, best slice: raw aiohttp {extra['interleaved raw']:.0f}/s, "
          f"AsyncClient {extra['interleaved ours']:.0f}/s "
          f"(pair ratios {extra['slice ratio min']:.2f}x-{extra['slice ratio max']:.2f}x)")
    print(f"client CPU per call ({IN_FLIGHT} in flight): raw aiohttp "
          f"{extra['cpu raw'] * 1e6:.0f} us, AsyncClient {extra['cpu ours'] * 1e6:.0f} us")
    ours = results["wecom AsyncClient"]
    print()
    print(f"Client / raw httpx.Client:            {ours_sync / raw_sync:5.2f}x  (goal >= 0.9x)")
    print(f"AsyncClient / raw httpx.AsyncClient:  "
          f"{ours / results['raw httpx.AsyncClient']:5.2f}x  (goal >= 5x)")
    print(f"AsyncClient / raw aiohttp:            "
          f"{ours / results['raw aiohttp']:5.2f}x  (goal >= 0.6x; one after the other)")
    print(f"  interleaved, median of 20 pairs:    "
          f"{extra['slice ratio median']:5.2f}x  (goal >= 0.85x in every run)")
    print(f"  interleaved, best slice each:       "
          f"{extra['interleaved ours'] / extra['interleaved raw']:5.2f}x")
    print(f"  by client CPU per call:             "
          f"{extra['cpu raw'] / extra['cpu ours']:5.2f}x")


if __name__ == "__main__":
    main()
