"""An HR database for tests and the benchmark (SQLite or PostgreSQL, created with SQLAlchemy
Core): departments as an adjacency list, employees with a manager and a status, tags in a
link table, and the members query that turns it into one row per employee."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import sqlalchemy as sa

DEPARTMENTS = [(1, None, "总部"), (2, 1, "研发中心"), (3, 2, "平台研发部"), (4, 2, "数据智能部"),
               (5, 1, "市场部"), (6, 5, "华东区"), (7, 6, "上海")]
_PATHS = {1: "总部", 2: "总部/研发中心", 3: "总部/研发中心/平台研发部",
          4: "总部/研发中心/数据智能部", 5: "总部/市场部", 6: "总部/市场部/华东区",
          7: "总部/市场部/华东区/上海"}
_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_TAGS = ("技术委员会", "党员", "新员工")

metadata = sa.MetaData()
departments = sa.Table("departments", metadata,
                       sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("parent_id", sa.Integer, nullable=True),
                       sa.Column("name", sa.String(64), nullable=False))
employees = sa.Table("employees", metadata,
                     sa.Column("emp_no", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String(64), nullable=False),
                     sa.Column("dept_id", sa.Integer, nullable=False),
                     sa.Column("mobile", sa.String(20)),
                     sa.Column("email", sa.String(128)),
                     sa.Column("title", sa.String(64)),
                     sa.Column("manager_no", sa.Integer),
                     sa.Column("status", sa.String(8), nullable=False),  # 在职 / 离职
                     sa.Column("hired_on", sa.Date, nullable=False),
                     sa.Column("salary", sa.Numeric(10, 2)))
employee_tags = sa.Table("employee_tags", metadata,
                         sa.Column("emp_no", sa.Integer, nullable=False),
                         sa.Column("tag", sa.String(32), nullable=False),
                         # the members query looks tags up per employee
                         sa.Index("employee_tags_emp_no", "emp_no"))

# The department path by a recursive CTE (the same SQL on SQLite and PostgreSQL); the tags as
# one text per employee (string_agg / group_concat differ between the two).
_QUERY = """\
WITH RECURSIVE tree(id, path) AS (
  SELECT id, CAST(name AS VARCHAR(512)) FROM departments WHERE parent_id IS NULL
  UNION ALL
  SELECT d.id, CAST(tree.path || '/' || d.name AS VARCHAR(512))
  FROM departments d JOIN tree ON d.parent_id = tree.id
)
SELECT e.emp_no, e.name, e.mobile, e.email, e.title, e.manager_no, e.status, e.hired_on,
       tree.path AS dept_path,
       (SELECT {agg} FROM employee_tags t WHERE t.emp_no = e.emp_no) AS tags
FROM employees e JOIN tree ON tree.id = e.dept_id
"""


def members_query(dialect: str) -> str:
    agg = "string_agg(t.tag, ';' ORDER BY t.tag)" if dialect == "postgresql" \
        else "group_concat(t.tag, ';')"
    return _QUERY.format(agg=agg)


@dataclass
class Employee:
    emp_no: int
    name: str
    path: str
    mobile: str | None
    email: str
    manager_no: int | None
    left: bool
    tags: list[str]


def rows_for(count: int, seed: int) -> list[Employee]:
    rng = random.Random(seed)
    heads: dict[int, int] = {}
    out = []
    for i in range(count):
        emp_no = 1001 + i
        dept = 1 if i == 0 else rng.randrange(1, 8)
        parent = next((p for d, p, _ in DEPARTMENTS if d == dept), None)
        boss = heads.get(dept) or (heads.get(parent) if parent else None) or heads.get(1)
        heads.setdefault(dept, emp_no)
        out.append(Employee(emp_no, rng.choice(_NAMES) + rng.choice(_NAMES) + str(i % 97),
                            _PATHS[dept], f"139{i:08d}" if i % 4 else None,
                            f"e{emp_no}@example.com", boss, i % 11 == 10,
                            sorted(rng.sample(_TAGS, i % 3))))
    return out


def create_hr(engine: sa.Engine, count: int = 200, seed: int = 5) -> list[Employee]:
    """Create the tables and fill them with ``count`` employees; returns what was written."""
    people = rows_for(count, seed)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(departments.insert(), [{"id": d, "parent_id": p, "name": n}
                                            for d, p, n in DEPARTMENTS])
        dept_of = {path: d for d, path in _PATHS.items()}
        conn.execute(employees.insert(), [
            {"emp_no": e.emp_no, "name": e.name, "dept_id": dept_of[e.path],
             "mobile": e.mobile, "email": e.email, "title": "工程师",
             "manager_no": e.manager_no, "status": "离职" if e.left else "在职",
             "hired_on": datetime.date(2020, 1, 1) + datetime.timedelta(days=e.emp_no % 900),
             "salary": 10000 + e.emp_no} for e in people])
        links = [{"emp_no": e.emp_no, "tag": t} for e in people for t in e.tags]
        if links:
            conn.execute(employee_tags.insert(), links)
    return people
