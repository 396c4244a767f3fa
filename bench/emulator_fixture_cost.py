"""What the emulator's pytest fixtures cost a test: in-process (the default) beside over-HTTP.

Writes a throwaway test module (N tests that only take ``wecom_emulator``; N that make one
``wecom_client`` call; N that make one ``wecom_async_client`` call) and runs it with pytest in
a subprocess, once per transport, in the same run. The over-HTTP mode is the baseline: it is
how the fixtures worked before (a moto-like server on a loopback port, a new connection pool
per test). A run of N empty tests is subtracted, so the figures are the fixtures' own cost.

Run: .venv/bin/python bench/emulator_fixture_cost.py [--tests 1000] [--http-tests 200]
Goal (issue 17): reset ≤ 5 ms, a one-call client test ≤ 15 ms (1,000 client tests < 20 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import NamedTuple

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

CONFTEST = """\
import json, time
import pytest

TIMES = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    TIMES.append(time.perf_counter() - start)

def pytest_sessionfinish(session):
    with open("times.json", "w") as f:
        json.dump(TIMES, f)
"""

KINDS = {
    "bare": "def test_{i}() -> None:\n    assert True\n",
    "bare_async": "async def test_{i}() -> None:\n    assert True\n",
    "reset": "def test_{i}(wecom_emulator) -> None:\n    assert wecom_emulator.corp_id\n",
    "client": ("def test_{i}(wecom_client) -> None:\n"
               "    assert wecom_client.departments.list()[0].id == 1\n"),
    "async": ("async def test_{i}(wecom_async_client) -> None:\n"
              "    assert (await wecom_async_client.departments.list())[0].id == 1\n"),
}


class Run(NamedTuple):
    first: float  # seconds of the first test (the session's emulator starts there)
    rest: list[float]  # seconds of each further test

    @property
    def per_test_ms(self) -> float:
        return statistics.mean(self.rest) * 1000


def run(folder: Path, kind: str, n: int, transport: str) -> Run:
    """Each test's time when pytest runs ``n`` tests of ``kind`` over ``transport``."""
    module = folder / f"test_{kind}_{n}.py"
    module.write_text("".join(KINDS[kind].format(i=i) for i in range(n)))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-o", f"wecom_emulator_transport={transport}", str(module)],
        cwd=folder, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"pytest failed ({kind}, {transport}):\n{done.stdout[-3000:]}")
    times = json.loads((folder / "times.json").read_text())
    return Run(times[0], times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=1000, help="tests per in-process run")
    parser.add_argument("--http-tests", type=int, default=200, help="tests per over-HTTP run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "pytest.ini").write_text(INI)
        (folder / "conftest.py").write_text(CONFTEST)
        bare = run(folder, "bare", args.tests, "http")
        bare_async = run(folder, "bare_async", args.tests, "http")
        print(f"pytest's own cost per empty test (included below): {bare.per_test_ms:.1f} ms, "
              f"async (pytest-asyncio's loop per test) {bare_async.per_test_ms:.1f} ms")
        print(f"\n{'per test (ms, mean; first apart)':34} {'in-process':>11} {'over HTTP':>10} "
              f"{'ratio':>7}  {args.tests:,} in-process tests  first test in/HTTP")
        for kind, label in (("reset", "wecom_emulator only (the reset)"),
                            ("client", "wecom_client, one call"),
                            ("async", "wecom_async_client, one call")):
            ours = run(folder, kind, args.tests, "inprocess")
            base = run(folder, kind, args.http_tests, "http")
            print(f"  {label:32} {ours.per_test_ms:11.1f} {base.per_test_ms:10.1f} "
                  f"{base.per_test_ms / ours.per_test_ms:6.1f}x  "
                  f"{sum(ours.rest) + ours.first:10.1f} s {ours.first * 1000:10.0f}/"
                  f"{base.first * 1000:.0f} ms")
    print(textwrap.dedent("""
        ratio = over-HTTP cost / in-process cost (higher is better); the over-HTTP figures are
        the fixtures as they were (a new connection pool per test), kept as transport="http".
    """).rstrip())


if __name__ == "__main__":
    main()
