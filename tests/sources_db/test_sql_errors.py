"""Bad SQL input on real databases: each a SourceError naming the option, entity or row, and
no read that stops early passes for a complete one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.servers._common import free_port
from tests.servers.postgres import PostgresServer
from wecom_contacts.sources import InputSpec, SourceError, open_source, read_source

from .conftest import DB_PASSWORD_ENV, HrDatabase


def _fail(hr_db: HrDatabase, **overrides: object) -> SourceError:
    source = open_source(hr_db.spec(**overrides))
    with pytest.raises(SourceError) as err:
        list(source.records("members"))
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()
    return err.value


def _spec(tmp_path: Path, **options: object) -> InputSpec:
    return InputSpec("sql", {"type": "sql", **options}, base_dir=tmp_path,
                     locate=lambda key: f"mapping.yaml, input.{key}" if key
                     else "mapping.yaml, input")


def test_a_query_error_names_the_entity_and_the_database_message(hr_db: HrDatabase) -> None:
    err = _fail(hr_db, members={"query": "SELECT emp_no, nickname FROM employees"})
    assert "the members query failed" in str(err) and "nickname" in str(err)
    assert err.where == "mapping.yaml, input.members" and err.field == "query"


def test_an_unknown_table_is_named(hr_db: HrDatabase) -> None:
    err = _fail(hr_db, members={"table": "staff"})
    assert "the table 'staff' does not exist" in str(err)


def test_an_unknown_column_in_the_mapping_is_named_before_reading(
        hr_db: HrDatabase, tmp_path: Path) -> None:
    spec = hr_db.spec()
    (tmp_path / "hr.yaml").write_text(
        "input:\n  type: sql\n"
        + "".join(f"  {k}: {v}\n" for k, v in spec.options.items()
                  if k in ("url", "password_env"))
        + "  members: {table: employees}\n"
        "members:\n  userid: emp_no\n  name: name\n  email: e_mail\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"column 'e_mail' is not in .*did you mean 'email'"):
        read_source(tmp_path / "hr.yaml")


def test_a_value_failing_a_transform_names_the_row_and_column(hr_db: HrDatabase,
                                                               tmp_path: Path) -> None:
    with hr_db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE employees SET title = '实习生' WHERE emp_no = 1003"))
    spec = hr_db.spec()
    (tmp_path / "hr.yaml").write_text(
        "input:\n  type: sql\n"
        + "".join(f"  {k}: {v}\n" for k, v in spec.options.items()
                  if k in ("url", "password_env"))
        + "  members: {table: employees, key: emp_no}\n"
        "members:\n  userid: emp_no\n  name: name\n  email: email\n"
        "  position: {column: title, transforms: [{map: {工程师: Engineer}}]}\n",
        encoding="utf-8")
    result = read_source(tmp_path / "hr.yaml")
    assert len(result.errors) == 1
    # (the row number is the database's order: PostgreSQL moves an updated row to the end)
    assert re.fullmatch(r"members table employees, row \d+ \(emp_no 1003\), column title: "
                        r"'实习生' is not in the map \(known: '工程师'\)", str(result.errors[0]))
    with pytest.raises(SourceError):
        result.raise_for_problems()


def test_a_value_without_a_text_form_names_the_row_and_column(hr_db: HrDatabase) -> None:
    query = "SELECT emp_no, CAST('abc' AS BLOB) AS photo FROM employees" \
        if hr_db.dialect == "sqlite" else \
        "SELECT emp_no, CAST('abc' AS BYTEA) AS photo FROM employees"
    err = _fail(hr_db, members={"query": query})
    assert err.where == "members query, row 1" and err.field == "photo"
    assert "cannot be read as text" in str(err)


def test_a_key_that_is_not_a_column_is_named(hr_db: HrDatabase) -> None:
    err = _fail(hr_db, members={"table": "employees", "key": "empno"})
    assert "key 'empno' is not a column of the members table employees" in str(err)


def test_a_password_in_the_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="password does not go in the URL") as err:
        open_source(_spec(tmp_path, url="postgresql+psycopg://hr:secret@127.0.0.1/hr",
                          members={"table": "employees"}))
    assert err.value.field == "url" and "secret" not in str(err.value)


def test_an_unset_password_variable_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_PASSWORD_ENV, raising=False)
    with pytest.raises(SourceError, match=f"{DB_PASSWORD_ENV} .*is not set"):
        open_source(_spec(tmp_path, url="postgresql+psycopg://hr@127.0.0.1/hr",
                          password_env=DB_PASSWORD_ENV, members={"table": "employees"}))


def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        open_source(_spec(tmp_path, url="sqlite:///gone.db", members={"table": "employees"}))
    assert not (tmp_path / "gone.db").exists()


def test_a_missing_driver_is_named(tmp_path: Path) -> None:
    source = open_source(_spec(tmp_path, url="nosuchdb+nodriver://127.0.0.1/hr",
                               members={"table": "employees"}))
    with pytest.raises(SourceError, match="no SQLAlchemy dialect or driver for "
                                          "'nosuchdb\\+nodriver'"):
        list(source.records("members"))


def test_an_unreachable_database_names_the_url(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://hr@127.0.0.1:{free_port()}/hr"
    source = open_source(_spec(tmp_path, url=url, members={"table": "employees"}))
    with pytest.raises(SourceError, match=re.escape(f"cannot connect to {url}")) as err:
        list(source.records("members"))
    assert err.value.where == "mapping.yaml, input.url"


@pytest.mark.postgres
@pytest.mark.parametrize("hr_db", ["postgresql"], indirect=True)
def test_a_wrong_password_fails_naming_the_database(hr_db: HrDatabase,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_PASSWORD_ENV, "not-the-password")
    err = _fail(hr_db)
    assert "cannot connect to" in str(err) and "password authentication failed" in str(err)
    assert "not-the-password" not in str(err)


@pytest.mark.postgres
@pytest.mark.parametrize("hr_db", ["postgresql"], indirect=True)
def test_a_connection_lost_half_way_fails_the_whole_read(
        hr_db: HrDatabase, postgres_server: PostgresServer) -> None:
    source = open_source(hr_db.spec(fetch_size="10"))
    records = source.records("members")
    first = [next(records) for _ in range(10)]
    assert len(first) == 10
    database = hr_db.url.rsplit("/", 1)[1]
    with postgres_server.connect() as admin:
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()",
                               (database,)).fetchall()
    assert killed
    with pytest.raises(SourceError, match=r"the members query stopped after row 1[0-9]"):
        list(records)
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()
