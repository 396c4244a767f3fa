"""Contract tests: import jobs (batch.*), sync and async, end to end against the emulator."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from wecom_contacts import ApiError, Conflict, JobCallback, JobTimeout, MemberRow, TemplateError
from wecom_contacts.callback import BatchJobResultEvent, CallbackCrypto, make_wsgi_app
from wecom_contacts.jobs import ESTIMATE_CAP, next_poll_delay, poll_delays
from wecom_contacts.models.batch import DepartmentAction, JobResult
from wecom_contacts.testing import EmulatorControl

DEPARTMENTS = [{"id": 10 + i, "name": f"部门{i}", "parentid": 1} for i in range(10)]


def _row(i: int) -> dict[str, Any]:
    depts = [10 + i % 10, 10 + (i + 1) % 10]
    return {
        "userid": f"user{i:05d}", "name": f"成员{i}", "department": depts,
        "mobile": f"+86 138{i:08d}", "email": f"user{i}@example.com", "position": f"职位{i % 7}",
        "gender": "1" if i % 2 else "2", "is_leader_in_dept": [i % 2, 0], "order": [i, i + 1],
        "alias": f"alias{i}", "address": f"地址{i}", "telephone": f"020-{i}",
        "enable": i % 5 != 0, "extattr": {"工号": f"E{i}"},
    }


def _same(row: dict[str, Any], user: dict[str, Any]) -> bool:
    attrs = {a["name"]: a["text"]["value"] for a in user["extattr"]["attrs"]}
    return (
        all(user[k] == row[k] for k in row if k not in ("enable", "extattr"))
        and user["enable"] == int(row["enable"]) and attrs == row["extattr"]
    )


def test_ten_thousand_users_from_rows_arrive_with_every_field(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed({"departments": DEPARTMENTS})
    rows = [_row(i) for i in range(10_000)]
    job = api.batch.sync_users(rows=rows, to_invite=False)
    result = api.batch.wait(job, timeout=60)
    assert (result.finished, result.type, result.total, result.percentage) == (
        True, "sync_user", 10_000, 100)
    assert not result.failed_rows
    users = {u["userid"]: u for u in wecom_emulator.directory()["users"]}
    assert len(users) == 10_000
    assert all(_same(row, users[row["userid"]]) for row in rows)
    assert wecom_emulator.calls("/cgi-bin/batch/syncuser") == 1


def test_sync_users_updates_and_never_deletes(api: Any, wecom_emulator: EmulatorControl) -> None:
    api.users.create("old", "Old", department=[1], email="old@example.com", position="旧")
    api.users.create("other", "Other", department=[1], email="other@example.com")
    job = api.batch.sync_users(rows=[MemberRow("old", "Old 2", [1], email="old@example.com"),
                                     MemberRow("new", "New", [1], mobile="13800000009")])
    assert [r.ok for r in api.batch.wait(job, timeout=10).result] == [True, True]
    assert {u.userid for u in api.users.simple_list(1)} == {"old", "other", "new"}
    old = api.users.get("old")
    assert (old.name, old.position) == ("Old 2", "旧")


def test_replace_departments_rebuilds_the_tree(api: Any, wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.seed({"departments": [
        {"id": 2, "name": "研发", "parentid": 1, "order": 3},
        {"id": 3, "name": "市场", "parentid": 1},
        {"id": 4, "name": "撤销", "parentid": 3},
    ]})
    rows = [
        {"name": "研发中心", "id": 2, "parent_id": 1},
        {"name": "市场", "id": 3, "parent_id": 2, "order": 7},
        {"name": "后端", "id": 5, "parent_id": 2, "order": 2},
        {"name": "前端", "id": 6, "parent_id": 5},
    ]
    job = api.batch.replace_departments(rows=rows)
    result = api.batch.wait(job, timeout=10)
    assert result.type == "replace_party"
    actions = {r.department_id: r.action for r in result.result}
    assert actions == {2: DepartmentAction.RENAMED,
                       3: DepartmentAction.MOVED | DepartmentAction.ORDER_CHANGED,
                       5: DepartmentAction.CREATED, 6: DepartmentAction.CREATED}
    tree = {d.id: (d.name, d.parent_id, d.order) for d in api.departments.list()}
    assert tree == {1: ("总部", 0, 0), 2: ("研发中心", 1, 3), 3: ("市场", 2, 7),
                    5: ("后端", 2, 2), 6: ("前端", 5, 0)}


def test_a_bad_row_is_named_before_anything_is_uploaded(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    rows = [_row(1), {**_row(2), "userid": "has space"}, {**_row(3), "department": []}]
    with pytest.raises(TemplateError) as info:
        api.batch.sync_users(rows=rows)
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "帐号"), (4, "所在部门")]
    assert "row 3 (has space), column 帐号" in str(info.value)
    assert wecom_emulator.calls("/cgi-bin/media/upload") == 0


def test_a_csv_file_is_checked_then_uploaded(
    api: Any, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,帐号,手机号,所在部门\nA,a,139x,1\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="row 2 \\(a\\), column 手机号"):
        api.batch.replace_users(file=bad)
    good = tmp_path / "good.csv"
    good.write_text("姓名,帐号,手机号,所在部门\nA,a,13900000000,1\n", encoding="utf-8")
    result = api.batch.wait(api.batch.sync_users(file=str(good)), timeout=10)
    assert result.result[0].userid == "a"
    result = api.batch.wait(api.batch.sync_users(file=good.read_bytes()), timeout=10)
    assert result.result[0].ok


def test_a_gbk_file_from_excel_is_uploaded_as_utf8(api: Any, tmp_path: Path) -> None:
    gbk = tmp_path / "excel.csv"
    gbk.write_bytes("姓名,帐号,手机号,所在部门\n张三,zs,13900000000,1\n".encode("gbk"))
    result = api.batch.wait(api.batch.sync_users(file=gbk), timeout=10)
    assert result.result[0].ok
    assert api.users.get("zs").name == "张三"  # the emulator, like WeCom, reads UTF-8 only


def test_a_row_the_server_refuses_carries_its_errcode(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    api.users.create("holder", "Holder", department=[1], mobile="13900000000")
    rows = [MemberRow("a", "A", [1], mobile="13800000001"),
            MemberRow("b", "B", [1], mobile="13900000000"),
            MemberRow("c", "C", [1], mobile="13800000003")]
    result = api.batch.wait(api.batch.sync_users(rows=rows), timeout=10)
    (failed,) = result.failed_rows
    assert (failed.userid, failed.errcode) == ("b", 60104)
    assert {u.userid for u in api.users.simple_list(1)} == {"holder", "a", "c"}


def test_replace_users_deletes_members_missing_from_the_file(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed({"users": [{"userid": f"u{i}", "name": f"U{i}", "department": [1],
                                    "email": f"u{i}@example.com"} for i in range(10)]})
    rows = [MemberRow(f"u{i}", f"U{i}", [1], email=f"u{i}@example.com") for i in range(8)]
    api.batch.wait(api.batch.replace_users(rows=rows), timeout=10)
    assert {u.userid for u in api.users.simple_list(1)} == {f"u{i}" for i in range(8)}


def test_replace_users_safety_stop_raises_45026_and_deletes_nobody(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed({"users": [{"userid": f"u{i}", "name": f"U{i}", "department": [1],
                                    "email": f"u{i}@example.com"} for i in range(10)]})
    job = api.batch.replace_users(rows=[MemberRow("u0", "U0", [1], email="u0@example.com")])
    with pytest.raises(ApiError) as info:
        api.batch.wait(job, timeout=10)
    assert info.value.errcode == 45026
    assert len(api.users.simple_list(1)) == 10


def test_wait_times_out_with_the_last_progress_and_one_job_runs_at_a_time(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.configure(job_auto_advance=False)
    job = api.batch.sync_users(rows=[MemberRow("a", "A", [1], email="a@example.com")])
    with pytest.raises(JobTimeout) as info:
        api.batch.wait(job, timeout=0.3, poll_interval=0.05)
    assert info.value.job_id == job and info.value.last.status == 1
    assert not api.batch.get_result(job).finished
    with pytest.raises(Conflict) as conflict:
        api.batch.replace_departments(rows=[{"name": "X", "id": 2, "parent_id": 1}])
    assert conflict.value.errcode == 302008
    assert wecom_emulator.advance_jobs() == [job]
    assert api.batch.wait(job, timeout=1).finished


def test_exactly_one_source_is_required(api: Any) -> None:
    with pytest.raises(TypeError):
        api.batch.sync_users()
    with pytest.raises(TypeError):
        api.batch.sync_users("media", rows=[])
    with pytest.raises(TypeError, match="bytes"):
        api.batch.sync_users(file="姓名,帐号\nA,a\n")


def test_a_job_callback_never_shows_its_token_or_key() -> None:
    callback = JobCallback(url="https://hr.example.com/wecom", token="tok-secret",
                           encoding_aes_key="k" * 43)
    assert "tok-secret" not in repr(callback) and "k" * 43 not in str(callback)
    assert callback.to_wire() == {"url": "https://hr.example.com/wecom", "token": "tok-secret",
                                  "encodingaeskey": "k" * 43}


@pytest.fixture
def receiver() -> Iterator[tuple[str, CallbackCrypto, list[Any]]]:
    """A real callback receiver (this library's WSGI app) on a free loopback port."""
    crypto = CallbackCrypto("job-token", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                            receive_id="ww0000000000emulator")
    events: list[Any] = []

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, make_wsgi_app(crypto, events.append),
                         handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/wecom", crypto, events
    finally:
        server.shutdown()
        server.server_close()


def test_the_job_callback_receives_batch_job_result(
    api: Any, wecom_emulator: EmulatorControl, receiver: tuple[str, CallbackCrypto, list[Any]]
) -> None:
    url, _, events = receiver
    callback = JobCallback(url=url, token="job-token",
                           encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
    job = api.batch.sync_users(rows=[MemberRow("a", "A", [1], email="a@example.com")],
                               callback=callback)
    api.batch.wait(job, timeout=10)
    deadline = time.monotonic() + 10
    while not events and time.monotonic() < deadline:
        time.sleep(0.05)
    (event,) = events
    assert isinstance(event, BatchJobResultEvent)
    assert (event.job_id, event.job_type, event.err_code) == (job, "sync_user", 0)


def test_job_result_model_reads_both_row_shapes() -> None:
    result = JobResult.from_wire({"status": 3, "type": "replace_party", "total": 2,
                                  "percentage": 100, "result": [
                                      {"action": 5, "partyid": 2, "errcode": 0, "errmsg": "ok"},
                                      {"userid": "x", "errcode": 60104, "errmsg": "taken"}]})
    assert result.result[0].action == DepartmentAction.CREATED | DepartmentAction.MOVED
    assert result.result[0].department_id == 2 and result.failed_rows[0].userid == "x"
    assert JobResult.from_wire({"status": 2, "result": None}).result == []


def test_poll_delays_back_off_to_a_cap() -> None:
    delays = poll_delays(0.2, factor=2, cap=1)
    assert [next(delays) for _ in range(5)] == [0.2, 0.4, 0.8, 1, 1]


def test_the_next_poll_waits_for_what_the_progress_rate_predicts() -> None:
    assert next_poll_delay(0.3, None, (0.2, 10)) == 0.3  # one observation: plain backoff
    assert next_poll_delay(0.3, (1.0, 10), (2.0, 30)) == pytest.approx(3.5)  # 70% at 20%/s
    assert next_poll_delay(5.0, (1.0, 10), (2.0, 90)) == 5.0  # never below the backoff
    assert next_poll_delay(0.3, (0.0, 1), (100.0, 2)) == ESTIMATE_CAP
    assert next_poll_delay(0.3, (1.0, 40), (2.0, 40)) == 0.3  # no progress: no estimate
