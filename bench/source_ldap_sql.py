"""LDAP and SQL sources at scale: 100,000 entries / rows through the mapping into a plan.

For each source, side by side in one run:
  read only    every record read and dropped (what streaming costs: memory stays one page)
  source→plan  records → mapping → desired directory → plan against an empty WeCom
  plan alone   the plan on the same desired directory (the baseline); ratio = source→plan / plan
with wall time, peak Python memory (tracemalloc, in a second pass), and LDAP pages fetched.

The LDAP directory (tests/sources_db/ad_ldif.py: 7 OUs, 5 nested groups, Chinese names) is
loaded offline with slapadd into a slapd of the bench's own; the SQL rows
(tests/sources_db/hr_sql.py) into a PostgreSQL of its own and a SQLite file.

Run: .venv/bin/python bench/source_ldap_sql.py [--size 100000] [--only ldap|postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.postgres import postgres_bindir, start_postgres  # noqa: E402
from tests.servers.slapd import (  # noqa: E402
    SUFFIX,
    SlapdServer,
    _certificates,
    _config,
    _wait_ready,
    free_port,
    slapd_binary,
)
from tests.sources_db import ad_ldif  # noqa: E402
from tests.sources_db.hr_sql import create_hr, members_query  # noqa: E402
from wecom_contacts.sources import build_directory, load_mapping, open_source  # noqa: E402
from wecom_contacts.sources.ldap import LdapSource  # noqa: E402
from wecom_contacts.sync import LiveDepartment, LiveDirectory, make_plan  # noqa: E402

LDAP_MAPPING = """\
input:
  type: ldap
  url: {url}
  ca_file: {ca}
  bind_dn: {bind_dn}
  password_env: BENCH_LDAP_PASSWORD
  page_size: 1000
  members:
    base: {base}
    attributes: [sAMAccountName, displayName, mail, mobile, title, manager, employeeID]
  groups: {{base: "{groups}"}}
members:
  userid: sAMAccountName
  name: displayName
  email: {{column: mail, transforms: [{{python: "bench_steps.py:first"}}]}}
  mobile: mobile
  position: title
  department: {{path: ou_path}}
  direct_leader: {{column: manager, match: dn}}
  tags: {{column: groups}}
  extattr: {{工号: employeeID}}
  leavers: {{when: [{{column: disabled, equals: "true"}}], action: disable}}
"""
SQL_MAPPING = """\
input:
  type: sql
  url: {url}
  {password}
  fetch_size: 2000
  members:
    query: |
{query}
members:
  userid: {{template: "E{{emp_no}}"}}
  name: name
  mobile: mobile
  email: email
  position: title
  department: {{path: dept_path}}
  direct_leader: {{column: manager_no, match: emp_no}}
  tags: {{column: tags}}
  extattr: {{入职日期: hired_on}}
  leavers: {{when: [{{column: status, equals: 离职}}], action: disable}}
"""
STEPS = "def first(value, record):\n    return value[0] if isinstance(value, list) else value\n"


def empty_wecom() -> LiveDirectory:
    return LiveDirectory.from_records([LiveDepartment(1, "总部", 0)])


def measure(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(seconds, peak MiB, result): the time from a plain run, the peak from a traced one."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    del result
    tracemalloc.start()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return seconds, peak, result


def run_source(label: str, mapping: Path) -> None:
    lm = load_mapping(mapping)
    pages: list[int] = []

    def read_only() -> int:
        source = open_source(lm.input_spec())
        count = sum(1 for _ in source.records("members"))
        if isinstance(source, LdapSource):
            pages.append(source.pages_fetched)
        return count

    def source_to_plan() -> Any:
        result = build_directory(lm, open_source(lm.input_spec()))
        result.raise_for_problems()
        return result.directory, make_plan(result.directory, empty_wecom())

    t_read, m_read, count = measure(read_only)
    t_full, m_full, (directory, plan) = measure(source_to_plan)
    t_plan, m_plan, _ = measure(lambda: make_plan(directory, empty_wecom()))
    print(f"\n{label}: {count} records, {len(directory.users or ())} members, "
          f"{len(directory.departments or ())} departments, {len(directory.tags or ())} tags, "
          f"{len(plan.steps)} plan steps" + (f", {pages[0]} LDAP pages" if pages else ""))
    print(f"  {'':14}{'seconds':>9}{'peak MiB':>10}")
    for name, t, m in (("read only", t_read, m_read), ("source→plan", t_full, m_full),
                       ("plan alone", t_plan, m_plan)):
        print(f"  {name:14}{t:9.2f}{m:10.1f}")
    print(f"  ratio source→plan / plan alone: time {t_full / t_plan:.1f}x, "
          f"memory {m_full / m_plan:.1f}x")


def write_ldif(path: Path, size: int) -> None:
    """The AD-shaped directory, with memberOf written out (slapadd runs no overlay)."""
    users = list(ad_ldif.users_for(size, seed=13))
    groups = {name: f"cn={name},{ad_ldif.GROUPS}" for name in ad_ldif._NESTING}
    parents = {child: parent for parent, kids in ad_ldif._NESTING.items() for child in kids}
    members: dict[str, list[str]] = {name: [] for name in groups}
    with path.open("w", encoding="utf-8") as out:
        out.write(f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
                  "dc: example\no: Example\n\n")
        out.write(f"dn: {ad_ldif.CORP}\nobjectClass: organizationalUnit\nou: Corp\n\n")
        out.write(f"dn: {ad_ldif.GROUPS}\nobjectClass: organizationalUnit\nou: Groups\n\n")
        for tree_path in ad_ldif.TREE:
            out.write(f"dn: {ad_ldif._ou_dn(tree_path)}\nobjectClass: organizationalUnit\n"
                      f"ou: {tree_path.rsplit('/', 1)[-1]}\n\n")
        for user in users:
            direct = ad_ldif._group_of(user)
            members[direct].append(user.dn)
            out.write(ad_ldif._user_ldif(user) + f"\nmemberOf: {groups[direct]}\n\n")
        for name, dn in groups.items():
            lines = [f"dn: {dn}", "objectClass: group", f"cn: {name}"]
            lines += [f"member: {m}" for m in members[name]]
            lines += [f"member: {groups[c]}" for c in ad_ldif._NESTING[name]]
            if name in parents:
                lines.append(f"memberOf: {groups[parents[name]]}")
            out.write("\n".join(lines) + "\n\n")


def start_loaded_slapd(workdir: Path, ldif: Path) -> SlapdServer:
    binary = slapd_binary()
    if binary is None:
        raise SystemExit("slapd is not installed")
    ca, cert, key = _certificates(workdir)
    conf = _config(workdir, ca, cert, key)
    slapadd = str(Path(binary).with_name("slapadd"))
    subprocess.run([slapadd, "-q", "-f", str(conf), "-l", str(ldif)], check=True,
                   capture_output=True)
    port, tls_port = free_port(), free_port()
    with (workdir / "slapd.log").open("ab") as log:
        proc = subprocess.Popen([binary, "-f", str(conf), "-h",
                                 f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/",
                                 "-d", "0"], stdout=log, stderr=log)
    server = SlapdServer(port, tls_port, workdir, ca, proc)
    if not _wait_ready(server):
        server.stop()
        raise SystemExit("slapd did not start")
    return server


def bench_ldap(size: int, work: Path) -> None:
    ldif = work / "ad.ldif"
    start = time.perf_counter()
    write_ldif(ldif, size)
    slapd_dir = Path(tempfile.mkdtemp(prefix="wecom-bench-slapd-"))
    server = start_loaded_slapd(slapd_dir, ldif)
    print(f"LDAP: {size} users written and slapadd-ed in {time.perf_counter() - start:.1f} s")
    try:
        os.environ["BENCH_LDAP_PASSWORD"] = server.password
        (work / "bench_steps.py").write_text(STEPS, encoding="utf-8")
        mapping = work / "ldap.yaml"
        mapping.write_text(LDAP_MAPPING.format(url=server.url, ca=server.ca_file,
                                               bind_dn=server.bind_dn, base=ad_ldif.CORP,
                                               groups=ad_ldif.GROUPS), encoding="utf-8")
        run_source(f"LDAP ({server.url}, StartTLS, page_size 1000)", mapping)
    finally:
        server.stop()


def _sql_mapping(work: Path, name: str, url: str, dialect: str, password: bool) -> Path:
    query = "\n".join("      " + line for line in members_query(dialect).splitlines())
    path = work / f"{name}.yaml"
    path.write_text(SQL_MAPPING.format(
        url=url, query=query,
        password="password_env: BENCH_DB_PASSWORD" if password else ""), encoding="utf-8")
    return path


def bench_sql(size: int, work: Path, dialect: str) -> None:
    start = time.perf_counter()
    if dialect == "sqlite":
        engine = sa.create_engine(f"sqlite:///{work / 'hr.db'}", poolclass=sa.NullPool)
        create_hr(engine, count=size)
        engine.dispose()
        print(f"\nSQLite: {size} rows written in {time.perf_counter() - start:.1f} s")
        run_source("SQLite (hr.db)", _sql_mapping(work, "sqlite", "sqlite:///hr.db", dialect,
                                                  False))
        return
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed")
    server = start_postgres(bindir)
    try:
        url = server.new_database("bench")
        engine = sa.create_engine(make_url(url).set(password=server.password),
                                  poolclass=sa.NullPool)
        create_hr(engine, count=size)
        engine.dispose()
        print(f"\nPostgreSQL: {size} rows written in {time.perf_counter() - start:.1f} s")
        os.environ["BENCH_DB_PASSWORD"] = server.password
        run_source("PostgreSQL (server-side cursor, fetch_size 2000)",
                   _sql_mapping(work, "pg", url, dialect, True))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--only", choices=("ldap", "postgresql", "sqlite"))
    args = parser.parse_args()
    # Stopped by a signal, still stop the servers started here (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with tempfile.TemporaryDirectory(prefix="wecom-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "ldap"):
            bench_ldap(args.size, work)
        for dialect in ("postgresql", "sqlite"):
            if args.only in (None, dialect):
                bench_sql(args.size, work, dialect)


if __name__ == "__main__":
    main()
