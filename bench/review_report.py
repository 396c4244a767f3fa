"""The reviewer's views of a big plan: review_plan, its text and its HTML beside make_plan
(the baseline, measured in the same run), for an initial import of N members.

Run: .venv/bin/python bench/review_report.py [--sizes 10000 50000]
Goal (issue 14): reviewing and rendering grow linearly with the plan, like planning: the
ratio to make_plan stays flat from 10k to 50k members.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_scaling import company

from wecom_contacts.ops import render_review, review_plan
from wecom_contacts.ops.html import render_html
from wecom_contacts.sync import LiveDepartment, LiveDirectory, make_plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    empty = LiveDirectory.from_records([LiveDepartment(1, "总部", 0)])
    for n in args.sizes:
        desired = company(n)
        began = time.perf_counter()
        plan = make_plan(desired, empty)
        planned = time.perf_counter() - began
        began = time.perf_counter()
        review = review_plan(plan, desired=desired)
        reviewed = time.perf_counter() - began
        began = time.perf_counter()
        text = render_review(review, detail=True)
        html = render_html(review)
        rendered = time.perf_counter() - began
        print(f"{n:>7} members, {len(plan.steps):>7} steps: make_plan {planned:6.2f}s | "
              f"review_plan {reviewed:6.2f}s (ratio {reviewed / planned:.2f}) | text + html "
              f"{rendered:6.2f}s (ratio {rendered / planned:.2f}); html {len(html) / 1e6:.1f} MB, "
              f"text {len(text) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
