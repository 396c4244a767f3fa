"""One process of a fleet test, run as a script by the ``fleet`` fixture.

    python _fleet_worker.py limit URL SECONDS PER_MINUTE sync|async
    python _fleet_worker.py tokens URL BASE_URL CORP_ID SECRET ROUNDS CALLS sync|async

Before each round it prints ``ready`` and reads a start time (epoch seconds) from stdin; it
sleeps until then, so that all workers start together. At the end it prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

from wecom_contacts import AsyncClient, Client
from wecom_contacts.redis import RedisRateLimiter, RedisTokenStore

PATH = "department/simplelist"
LANES = 4  # concurrent callers inside this process


def ready_then_wait() -> tuple[float, bool]:
    """Report ready, wait for the start time; returns it, and False if it came too late."""
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    late = time.time() > start
    time.sleep(max(0.0, start - time.time()))
    return start, not late


def limit(url: str, seconds: float, per_minute: int, mode: str) -> dict[str, Any]:
    """Call acquire from LANES callers as fast as allowed; the times each call was let go."""
    limiter = RedisRateLimiter.from_url(url, corp_id="ww-fleet", per_minute=per_minute)
    stamps: list[float] = []
    end = 0.0

    def lane() -> None:
        while True:
            limiter.acquire(PATH)
            now = time.time()
            if now >= end:
                return
            stamps.append(now)

    async def alane() -> None:
        while True:
            await limiter.aacquire(PATH)
            now = time.time()
            if now >= end:
                return
            stamps.append(now)

    async def arun() -> None:
        try:
            await asyncio.gather(*(alane() for _ in range(LANES)))
        finally:
            await limiter.aclose()

    threads = [threading.Thread(target=lane) for _ in range(LANES)]
    start, on_time = ready_then_wait()
    end = start + seconds
    if mode == "sync":
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        limiter.close()
    else:
        asyncio.run(arun())
    return {"on_time": on_time, "stamps": stamps}


def tokens(url: str, base_url: str, corp_id: str, secret: str, rounds: int, calls: int,
           mode: str) -> dict[str, Any]:
    """Each round, ``calls`` concurrent calls through one client on the shared token store."""
    store = RedisTokenStore.from_url(url)
    errors: list[str] = []
    ok = 0

    def run_sync() -> bool:
        nonlocal ok
        punctual = True
        with Client(corp_id, secret, base_url=base_url, token_store=store) as client:
            def call() -> None:
                nonlocal ok
                try:
                    client.departments.simple_list()
                    ok += 1
                except Exception as exc:
                    errors.append(repr(exc))

            for _ in range(rounds):
                # Threads are made before the start so that all the calls leave together.
                threads = [threading.Thread(target=call) for _ in range(calls)]
                punctual &= ready_then_wait()[1]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
        store.close()
        return punctual

    async def run_async() -> bool:
        nonlocal ok
        punctual = True
        async with AsyncClient(corp_id, secret, base_url=base_url, token_store=store) as client:
            for _ in range(rounds):
                punctual &= ready_then_wait()[1]
                results = await asyncio.gather(
                    *(client.departments.simple_list() for _ in range(calls)),
                    return_exceptions=True,
                )
                for r in results:
                    if isinstance(r, BaseException):
                        errors.append(repr(r))
                    else:
                        ok += 1
        await store.aclose()
        return punctual

    on_time = run_sync() if mode == "sync" else asyncio.run(run_async())
    return {"on_time": on_time, "ok": ok, "errors": errors}


def main(argv: list[str]) -> int:
    kind, url, *rest = argv
    if kind == "limit":
        seconds, per_minute, mode = rest
        result = limit(url, float(seconds), int(per_minute), mode)
    else:
        base_url, corp_id, secret, rounds, calls, mode = rest
        result = tokens(url, base_url, corp_id, secret, int(rounds), int(calls), mode)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
