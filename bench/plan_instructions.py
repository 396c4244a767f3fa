"""The planner's work counted in CPU instructions (valgrind), 10k beside 100k users.

Run: .venv/bin/python bench/plan_instructions.py [--sizes 10000 100000]   (needs valgrind;
about 10 minutes: valgrind runs Python some 50 times slower)

Time on a shared machine moves with the load, and time on any machine grows faster than the
work once the planner's tables outgrow the CPU caches (bench/plan_scaling.py prints that
baseline). An instruction count does neither: it is the same on a busy and an idle machine,
so it answers "is the planner linear?" (issue 17: the 100k / 10k ratio is ×11 or less)
exactly. Each size runs twice under cachegrind, planning once and then ``--plans`` more times
after the same set-up; the difference divided by ``--plans`` is one plan's instructions.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = """
import sys
sys.path.insert(0, {here!r})
from plan_scaling import company, live_copy, with_changes
from wecom_contacts.sync import PlanOptions, make_plan
n, plans = int(sys.argv[1]), int(sys.argv[2])
desired = company(n)
live, changed = live_copy(desired), with_changes(desired, max(100, n // 100))
for _ in range(1 + plans):  # one plan always: the code paths warm up the same way
    make_plan(changed, live, PlanOptions(allow_deletes=True))
"""


def instructions(n: int, plans: int) -> int:
    """Instructions of a whole child run (set-up, then 1 + ``plans`` plans of ``n`` users)."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _CHILD.format(here=str(HERE)), str(n), str(plans)],
        capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    assert found, done.stderr[-2000:]
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--plans", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    per_plan = {}
    for n in args.sizes:
        per_plan[n] = (instructions(n, args.plans) - instructions(n, 0)) / args.plans
        print(f"  {n:>7,} users: {per_plan[n] / 1e9:7.3f} G instructions per plan")
    small, large = args.sizes
    print(f"  ratio {large // small}x users: instructions x{per_plan[large] / per_plan[small]:.2f} "
          "(linear growth is x10; goal: x11 or less)")


if __name__ == "__main__":
    main()
