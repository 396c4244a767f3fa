"""The SQL source on a real SQLite file and a real PostgreSQL: rows, text values, fingerprint."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from wecom_contacts.sources import Record, open_source

from .conftest import HrDatabase


def _members(hr_db: HrDatabase, **overrides: object) -> dict[str, Record]:
    source = open_source(hr_db.spec(**overrides))
    return {str(r.get("emp_no")): r for r in source.records("members")}


def test_every_row_is_a_record_with_text_values(hr_db: HrDatabase) -> None:
    records = _members(hr_db)
    assert sorted(records) == sorted(str(e.emp_no) for e in hr_db.people)
    for person in hr_db.people:
        record = records[str(person.emp_no)]
        assert record.get("name") == person.name
        assert record.get("dept_path") == person.path
        assert record.get("mobile") == person.mobile
        assert record.get("status") == ("离职" if person.left else "在职")
        assert record.get("manager_no") == (str(person.manager_no) if person.manager_no
                                            else None)
        assert sorted((str(record.get("tags") or "")).split(";")) == \
            sorted(person.tags or [""])
    first = records["1001"]
    assert first.where.startswith("members query, row ")
    hired = str(first.get("hired_on"))
    assert len(hired) == 10 and hired[4] == "-"  # a date as ISO 8601, on both databases


def test_a_table_is_read_whole_and_its_columns_are_known(hr_db: HrDatabase) -> None:
    source = open_source(hr_db.spec(members={"table": "employees"}))
    assert list(source.fields("members") or []) == [
        "emp_no", "name", "dept_id", "mobile", "email", "title", "manager_no", "status",
        "hired_on", "salary"]
    records = list(source.records("members"))
    assert len(records) == len(hr_db.people)
    assert records[0].where == "members table employees, row 1"
    salaries = {r.get("salary") for r in records}
    assert "11001.00" in salaries or "11001" in salaries  # NUMERIC(10,2) as written


def test_a_query_names_its_columns_before_reading(hr_db: HrDatabase) -> None:
    source = open_source(hr_db.spec())
    assert "dept_path" in (source.fields("members") or [])


def test_departments_and_tags_blocks_give_their_own_records(hr_db: HrDatabase) -> None:
    source = open_source(hr_db.spec(departments={"table": "departments"},
                                    tags="SELECT DISTINCT tag FROM employee_tags"))
    assert source.entities == ("members", "departments", "tags")
    depts = list(source.records("departments"))
    assert {d.get("name") for d in depts} >= {"总部", "研发中心", "上海"}
    tags = {r.get("tag") for r in source.records("tags")}
    assert tags == {t for p in hr_db.people for t in p.tags}


def test_fingerprint_ignores_row_order_and_changes_with_the_data(hr_db: HrDatabase) -> None:
    plain = open_source(hr_db.spec())
    list(plain.records("members"))
    ordered = open_source(hr_db.spec(members={"query": hr_db.query +
                                              " ORDER BY e.emp_no DESC"}, fetch_size="7"))
    list(ordered.records("members"))
    assert plain.fingerprint() == ordered.fingerprint()
    assert plain.fingerprint().counts == {"members": len(hr_db.people)}
    with hr_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE employees SET mobile = '13700000000' WHERE emp_no = 1002"))
    changed = open_source(hr_db.spec())
    list(changed.records("members"))
    assert changed.fingerprint().sha256 != plain.fingerprint().sha256
    assert changed.fingerprint().counts == plain.fingerprint().counts


@pytest.mark.postgres
@pytest.mark.parametrize("hr_db", ["postgresql"], indirect=True)  # arrays: PostgreSQL's type
def test_postgresql_arrays_become_lists(hr_db: HrDatabase) -> None:
    query = ("SELECT e.emp_no, ARRAY(SELECT t.tag FROM employee_tags t WHERE t.emp_no = "
             "e.emp_no ORDER BY t.tag) AS tags FROM employees e")
    records = _members(hr_db, members={"query": query})
    for person in hr_db.people:
        value = records[str(person.emp_no)].get("tags")
        assert value == person.tags
