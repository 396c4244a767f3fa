"""An HR export through a mapping → plan: what reading the source costs beside the plan itself.

A 100,000-row GB18030 CSV and the same rows as an .xlsx are read through a mapping (mobile
normalisation, gender words, a userid template, department paths, direct leaders by employee
number, a leaver filter); the desired directory they give is then planned against a live
directory that already holds it, with 1% of the rows changed. Time (best of N) and peak traced
memory of each step (CPU seconds: the machine may be shared), and the ratio source / plan.

Two workbooks: ``xlsx`` as a plain export writes it (no number formats), and ``xlsx-fmt`` as
HR keeps a roster in Excel: employee numbers formatted ``000000``, the entry date a real date
formatted ``yyyy-mm-dd`` (the reader then scans the sheet for each cell's format). Where Linux
allows, the growth of the process's peak RSS is shown too: it includes memory outside
Python's allocator (the cells python-calamine holds), which traced memory does not see.

Each source is read as ``sync plan`` reads it (no source fingerprint), and again with the
fingerprint that ``sync run`` records.

Beside the CSV, a hand-written loop that builds the same members with none of the mapping's
checks: the floor any Python reader into the desired directory pays.

Beside each source, the file's bare read by the library that parses it (the CSV decoded and
split by ``csv``; the sheet parsed into Python values by python-calamine, no formats): the
floor any reader of that file pays. What the toolkit adds on top of it (the mapping: the
transforms, every field's check, the department tree, leaders, the source's fingerprint) is
the difference, printed beside the plan too.

Run: .venv/bin/python bench/source_mapping.py [--rows 100000] [--repeat 3] [--no-xlsx]
Goal (issue 12): the mapping costs at most 0.4x the plan alone (read beside the whole source,
whose parse is the library's). Met by the CSV (x0.37-0.41 in a run of 2026-12-04; the whole
read x0.5); a workbook's parse by python-calamine alone is ~x0.5 of the plan, and its number
formats need a second pass over the sheet's XML (docs/sources.md, Limits).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_scaling import live_copy

from wecom_contacts.sources import read_source
from wecom_contacts.sync import DesiredDirectory, PlanOptions, make_plan
from wecom_contacts.sync.desired.model import DesiredUser, Membership

HEADER = ["工号", "姓名", "性别", "手机号码", "电子邮箱", "所属部门", "职位", "直属上级工号",
          "员工状态", "入职日期"]
MAPPING = """\
input: {{type: {kind}, path: {path}}}
members:
  userid: {{template: "E{{工号}}"}}
  name: 姓名
  gender: {{column: 性别, transforms: [gender]}}
  mobile: {{column: 手机号码, transforms: [mobile]}}
  email: {{column: 电子邮箱, transforms: [lower]}}
  position: 职位
  department: {{path: 所属部门, root: 总部}}
  direct_leader: {{column: 直属上级工号, match: 工号}}
  leavers: {{when: [{{column: 员工状态, equals: 离职}}], action: delete}}
"""


def rows(n: int, changed: bool = False) -> list[list[Any]]:
    """``n`` employees in 20 事业部 × groups of 50; every 100th row changed when asked."""
    groups = max(1, n // 50)
    out = []
    for u in range(n):
        g = u % groups
        position = f"职位{u % 13}" + ("（新）" if changed and u % 100 == 7 else "")
        manager = "" if u < groups else f"{100000 + u % groups}"
        # 工号 without leading zeros: typed into Excel as a number, it reads back the same
        out.append([f"{100000 + u}", f"员工{u}", "男" if u % 2 else "女",
                    f"+86 139 {u // 10000:04d} {u % 10000:04d}", f"U{u:06d}@Example.com",
                    f"事业部{g // 20}/组{g}", position, manager, "在职",
                    f"20{10 + u % 15}-0{1 + u % 9}-1{u % 9}"])
    return out


def write_csv(path: Path, table: list[list[Any]]) -> None:
    lines = [",".join(HEADER), *(",".join(str(c) for c in row) for row in table)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def write_xlsx(path: Path, table: list[list[Any]], formats: bool = False) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(HEADER)
    for row in table:
        if not formats:
            sheet.append([int(row[0]), *row[1:]])  # 工号 as a number, as HR types it
            continue
        number = WriteOnlyCell(sheet, int(row[0]))
        number.number_format = "000000"
        joined = WriteOnlyCell(sheet, dt.date.fromisoformat(row[9]))
        joined.number_format = "yyyy-mm-dd"
        sheet.append([number, *row[1:9], joined])
    book.save(path)


def bare_csv(path: Path) -> list[list[str]]:
    """The CSV as the ``csv`` module reads it: decoded, split into rows (no mapping)."""
    return list(csv.reader(path.read_bytes().decode("gb18030").splitlines()))


def naive_csv(path: Path) -> list[DesiredUser]:
    """The least a reader of this file into the desired directory can do: the same members
    built by one hand-written loop with none of the mapping's checks (no field validation,
    no unique check, no tree, no leaders, no fingerprint), the cyclic collector off as the
    toolkit's reader runs. A floor, not a reader: it accepts any bad row."""
    gc.disable()
    try:
        rows = csv.reader(path.read_bytes().decode("gb18030").splitlines())
        next(rows)
        users = []
        for r in rows:
            user = DesiredUser("E" + r[0], {
                "name": r[1], "gender": "1" if r[2] == "男" else "2",
                "mobile": r[3].replace("+86", "").replace(" ", ""), "email": r[4].lower(),
                "position": r[6]}, origin="row")
            user.departments = [Membership("总部/" + r[5])]
            users.append(user)
        return users
    finally:
        gc.enable()


def bare_xlsx(path: Path) -> list[list[Any]]:
    """The sheet as python-calamine reads it: every cell a Python value (no formats)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows: list[list[Any]] = book.get_sheet_by_name("花名册").to_python()
        return rows
    finally:
        book.close()


def _rss_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # Linux: VmHWM := VmRSS
        return True
    except OSError:
        return False


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float | None, Any]:
    """(best CPU seconds, peak traced MiB, peak RSS growth MiB or None, the result)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        result = None  # the last result freed before the clock starts, not inside it
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    del result
    gc.collect()
    before = _rss_kib("VmRSS") if _reset_peak_rss() else None
    result = fn()
    peak = _rss_kib("VmHWM")
    rss = (peak - before) / 1024 if before is not None and peak is not None else None
    del result
    gc.collect()
    tracemalloc.start()
    result = fn()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, traced / 2**20, rss, result


def _rss(mib: float | None) -> str:
    return f"  RSS +{mib:6.1f} MiB" if mib is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "hr.csv", rows(args.rows))
        write_csv(folder / "hr-changed.csv", rows(args.rows, changed=True))
        (folder / "csv.yaml").write_text(MAPPING.format(kind="csv", path="hr-changed.csv"),
                                         encoding="utf-8")
        (folder / "base.yaml").write_text(MAPPING.format(kind="csv", path="hr.csv"),
                                          encoding="utf-8")
        base = read_source(folder / "base.yaml")
        assert not base.errors, base.errors[:3]
        live = live_copy(base.directory)
        for user in base.directory.users or ():  # plan_scaling's copy has no direct leaders
            live.users[user.userid.lower()].direct_leader = list(user.direct_leader or [])
        kinds = ["csv"]
        if not args.no_xlsx:
            for kind, formats in (("xlsx", False), ("xlsx-fmt", True)):
                write_xlsx(folder / f"{kind}.xlsx", rows(args.rows, changed=True), formats)
                (folder / f"{kind}.yaml").write_text(
                    MAPPING.format(kind="xlsx", path=f"{kind}.xlsx"), encoding="utf-8")
                kinds.append(kind)
        print(f"{args.rows:,} rows, 1% changed; best of {args.repeat}, peak traced memory")
        options = PlanOptions(allow_deletes=True)
        results: dict[str, tuple[float, float, float]] = {}
        desired: DesiredDirectory | None = None  # the CSV's, planned below
        naive: float | None = None
        for kind in kinds:
            # as sync plan / sync apply read it: no source fingerprint (sync run's needs one)
            seconds, mib, rss, result = measure(
                lambda k=kind: read_source(folder / f"{k}.yaml", fingerprint=False),
                args.repeat)
            assert not result.errors, result.errors[:3]
            if desired is None:
                desired = result.directory
            else:  # every source gives the same members
                assert [u.fields for u in result.directory.users or ()] == \
                    [u.fields for u in desired.users or ()]
            print(f"  source {kind:8} through the mapping: {seconds:7.2f} s  {mib:7.1f} MiB"
                  f"{_rss(rss)}  ({result.counts['members']:,} members)")
            del result
            with_fp, _, _, _ = measure(lambda k=kind: read_source(folder / f"{k}.yaml"),
                                       args.repeat)
            print(f"    with its fingerprint (sync run):     {with_fp:7.2f} s")
            file = folder / ("hr-changed.csv" if kind == "csv" else f"{kind}.xlsx")
            bare = bare_csv if kind == "csv" else bare_xlsx
            floor, floor_mib, _, table = measure(lambda f=file, read=bare: read(f), args.repeat)
            assert len(table) == args.rows + 1
            del table
            label = f"the bare parse ({'csv' if kind == 'csv' else 'python-calamine'}):"
            print(f"    {label:36} {floor:7.2f} s  {floor_mib:7.1f} MiB")
            results[kind] = (seconds, mib, floor)
            if kind == "csv":
                naive, naive_mib, _, users = measure(lambda f=file: naive_csv(f), args.repeat)
                assert len(users) == args.rows
                del users
                print(f"    {'a loop with no checks (the floor):':36} {naive:7.2f} s  "
                      f"{naive_mib:7.1f} MiB")
        assert desired is not None
        seconds, mib, rss, plan = measure(lambda: make_plan(desired, live, options),
                                          args.repeat)
        print(f"  plan alone (same desired state):       {seconds:7.2f} s  {mib:7.1f} MiB"
              f"{_rss(rss)}  ({len(plan.steps):,} steps)")
        for kind, (s, m, floor) in results.items():
            print(f"  ratio {kind:8} source / plan: time x{s / seconds:.2f}, memory "
                  f"x{m / mib:.2f}; the mapping (source - bare parse) / plan: time "
                  f"x{(s - floor) / seconds:.2f}")
        if naive is not None:
            print(f"  ratio the no-check loop / plan: time x{naive / seconds:.2f} (the least "
                  "any Python reader of the CSV pays)")


if __name__ == "__main__":
    main()
