"""Department records of their own (``departments.records``) from the HR database's adjacency
list, on SQLite and PostgreSQL: the tree, members named by department key, and every bad
record named by its row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from wecom_contacts.sources import SourceError, SourceResult, read_source

from .conftest import HrDatabase

_MEMBERS_BY_KEY = ("SELECT emp_no, name, dept_id, email, status FROM employees "
                   "ORDER BY emp_no")


def _mapping(hr_db: HrDatabase, tmp_path: Path, *, records: dict[str, Any],
             department: dict[str, Any], departments_query: str | None = None,
             members_query: str = _MEMBERS_BY_KEY, row_key: str | None = "id") -> Path:
    spec = hr_db.spec()
    doc = {
        "input": {k: v for k, v in spec.options.items() if k in ("type", "url", "password_env")}
        | {"members": {"query": members_query, "key": "emp_no"},
           "departments": {"query": departments_query or
                           "SELECT id, parent_id, name FROM departments ORDER BY id"}
           | ({"key": row_key} if row_key else {})},
        "members": {"userid": {"template": "E{emp_no}"}, "name": "name", "email": "email",
                    "department": department},
        "departments": {"records": records},
    }
    path = tmp_path / "hr.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _by_key(hr_db: HrDatabase, tmp_path: Path, **kwargs: Any) -> SourceResult:
    return read_source(_mapping(hr_db, tmp_path, records={"key": "id", "parent": "parent_id",
                                                          "name": "name"},
                                department={"key": "dept_id"}, **kwargs))


def test_a_read_without_the_fingerprint_gives_the_same_tree_and_members(
        hr_db: HrDatabase, tmp_path: Path) -> None:
    mapping = _mapping(hr_db, tmp_path, records={"key": "id", "parent": "parent_id",
                                                 "name": "name"}, department={"key": "dept_id"})
    whole, bare = read_source(mapping), read_source(mapping, fingerprint=False)
    assert whole.fingerprint is not None and bare.fingerprint is None
    assert _paths(bare) == _paths(whole) and bare.counts == whole.counts
    assert [u.userid for u in bare.directory.users or ()] == \
        [u.userid for u in whole.directory.users or ()]


def _paths(result: SourceResult) -> list[str]:
    return ["/".join(d.path) for d in result.directory.departments or ()]


def test_keyed_records_give_the_tree_and_members_name_their_department_by_key(
        hr_db: HrDatabase, tmp_path: Path) -> None:
    with hr_db.engine.begin() as conn:  # a team before its first hire
        conn.execute(sa.text("INSERT INTO departments (id, parent_id, name) "
                             "VALUES (8, 5, '品牌部')"))
    result = _by_key(hr_db, tmp_path)
    assert result.errors == []
    assert sorted(_paths(result)) == sorted([
        "总部", "总部/研发中心", "总部/研发中心/平台研发部", "总部/研发中心/数据智能部",
        "总部/市场部", "总部/市场部/华东区", "总部/市场部/华东区/上海", "总部/市场部/品牌部"])
    assert [len(d.path) for d in result.directory.departments or ()] == \
        sorted(len(d.path) for d in result.directory.departments or ())  # parents first
    # each member in the department the recursive CTE of the path form gives them
    assert {u.userid: [str(m.department) for m in u.departments or ()]
            for u in result.directory.users or ()} == \
        {f"E{p.emp_no}": [p.path] for p in hr_db.people}
    assert result.counts["department records"] == 8
    assert result.fingerprint is not None and result.fingerprint.counts["departments"] == 8


def test_order_and_english_names_come_from_their_columns(hr_db: HrDatabase,
                                                         tmp_path: Path) -> None:
    path = _mapping(hr_db, tmp_path, department={"key": "dept_id"},
                    records={"key": "id", "parent": "parent_id", "name": "name",
                             "order": "sort_no", "name_en": "name_en"},
                    departments_query="SELECT id, parent_id, name, 100 - id AS sort_no, "
                    "CASE WHEN id = 2 THEN 'R&D Center' END AS name_en FROM departments")
    result = read_source(path)
    assert result.errors == []
    got = {"/".join(d.path): (d.order, d.name_en) for d in result.directory.departments or ()}
    assert got["总部/研发中心"] == (98, "R&D Center")
    assert got["总部/市场部/华东区/上海"] == (93, None)


def test_records_by_path_under_a_root_with_members_by_path(hr_db: HrDatabase,
                                                           tmp_path: Path) -> None:
    query = ("SELECT '研发/平台' AS p UNION ALL SELECT '研发/数据' UNION ALL SELECT '法务'")
    path = _mapping(hr_db, tmp_path, records={"path": "p", "root": "总部"},
                    department={"path": "dept_path"}, departments_query=query,
                    members_query=hr_db.query, row_key=None)
    result = read_source(path)
    assert result.errors == []
    paths = _paths(result)
    # the records' departments (研发 implied by its children), then what only members name
    assert {"总部/研发", "总部/研发/平台", "总部/研发/数据", "总部/法务"} <= set(paths)
    assert set(paths) >= {p.path for p in hr_db.people}
    assert len(paths) == len(set(paths))


def test_bad_records_are_named_by_row_and_column_and_so_are_their_members(
        hr_db: HrDatabase, tmp_path: Path) -> None:
    rows = [(1, None, "总部", "1"), (2, 1, "研发中心", "first"), (3, 9, "平台研发部", None),
            (4, 5, "数据智能部", None), (5, 4, "市场部", None), (6, 1, "研发中心", None),
            (7, 1, "  ", None), (8, 1, "a:b", None), (10, 1, "法务部", None),
            (10, 1, "行政部", None)]
    query = "SELECT id, parent_id, name, sort_no FROM (" + " UNION ALL ".join(
        f"SELECT {n} AS seq, {i} AS id, CAST({p or 'NULL'} AS INTEGER) AS parent_id, "
        f"'{name}' AS name, CAST({repr(order) if order else 'NULL'} AS VARCHAR(8)) AS sort_no"
        for n, (i, p, name, order) in enumerate(rows)) + ") t ORDER BY seq"
    path = _mapping(hr_db, tmp_path, department={"key": "dept_id"}, departments_query=query,
                    records={"key": "id", "parent": "parent_id", "name": "name",
                             "order": "sort_no"})
    result = read_source(path)
    record_problems = [str(p) for p in result.errors if p.where.startswith("departments query")]
    assert record_problems == [
        "departments query, row 2 (id 2), column sort_no: order 'first' is not a whole number "
        "from 0 to 4294967295",
        "departments query, row 7 (id 7), column name: the department's name is empty",
        "departments query, row 10 (id 10), column id: the key '10' is given twice (first at "
        "departments query, row 9 (id 10))",
        "departments query, row 3 (id 3), column parent_id: no department record has the "
        "parent key '9'",
        "departments query, row 4 (id 4), column parent_id: the parents loop back to this "
        "department (4 → 5 → 4)",
        "departments query, row 5 (id 5), column parent_id: the parents loop back to this "
        "department (4 → 5 → 4)",
        "departments query, row 6 (id 6), column name: department '总部/研发中心' is given "
        "twice (first at departments query, row 2 (id 2))",
        "departments query, row 8 (id 8), column name: department name 'a:b' contains one of "
        '\\ : * ? " < > |']
    assert "总部/研发中心" in _paths(result) and "总部/法务部" in _paths(result)
    # a member of a department that could not be placed says so, at its own row
    people = {p.emp_no: p for p in hr_db.people}
    member = next(e for e in people.values() if e.path == "总部/研发中心/平台研发部")
    assert any(p.where.startswith("members query, row ") and f"(emp_no {member.emp_no})"
               in p.where and "the department record with the key '3' has a problem" in
               p.message for p in result.errors)
    with pytest.raises(SourceError):
        result.raise_for_problems()


def test_a_member_naming_a_key_no_record_has_is_a_row_problem(hr_db: HrDatabase,
                                                              tmp_path: Path) -> None:
    result = _by_key(hr_db, tmp_path, members_query=_MEMBERS_BY_KEY.replace(
        "dept_id", "CASE WHEN emp_no = 1002 THEN 99 ELSE dept_id END AS dept_id"))
    assert [str(p) for p in result.errors] == [
        "members query, row 2 (emp_no 1002), column dept_id: no department record has the "
        "key '99'"]


def test_mapping_mistakes_about_records_name_the_mapping_line(hr_db: HrDatabase,
                                                              tmp_path: Path) -> None:
    path = _mapping(hr_db, tmp_path, records={"path": "name"}, department={"key": "dept_id"})
    with pytest.raises(SourceError, match=r"members\.department\.key names department "
                       "records by their key") as err:
        read_source(path)
    assert err.value.where.startswith("hr.yaml, line ")
    path = _mapping(hr_db, tmp_path, records={"key": "id", "parent": "parent", "name": "name"},
                    department={"key": "dept_id"})
    with pytest.raises(SourceError, match=r"column 'parent' is not in .*department records "
                       r"\(did you mean 'parent_id'\?") as err:
        read_source(path)
    assert err.value.where == "hr.yaml, line " + str(_line_of(path, "parent: parent"))
    path = _mapping(hr_db, tmp_path, records={"key": "id"}, department={"key": "dept_id"})
    with pytest.raises(SourceError, match="a department named by key needs name"):
        read_source(path)


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text in line)
