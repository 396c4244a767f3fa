"""batch/syncuser and replaceuser: the documented semantics, per-row errcodes, job-level errors."""

from __future__ import annotations

import time

import pytest

from .jobs_support import MEMBER_HEADER, csv_file, finish, run, submit, upload
from .support import Api, Control, add_app, make_department, make_user


def members(api: Api) -> dict[str, dict[str, object]]:
    found = api.ok("GET", "user/list", department_id=1, fetch_child=1)["userlist"]
    return {u["userid"]: u for u in found}


def test_syncuser_creates_new_members_with_every_column(api: Api, control: Control) -> None:
    dept = make_department(api, "研发")
    data = csv_file(
        MEMBER_HEADER,
        f"张三,zhangsan,13800000000,zs@example.com,1;{dept},产品经理,男,1;0,10;20,jack,广州,"
        "020-123456,1",
    )
    result = run(api, control, "batch/syncuser", data)
    assert result["errcode"] == 0, result
    assert (result["status"], result["type"], result["total"], result["percentage"]) == (
        3, "sync_user", 1, 100)
    assert result["result"] == [{"userid": "zhangsan", "errcode": 0, "errmsg": "ok"}]
    user = api.ok("GET", "user/get", userid="zhangsan")
    assert {k: user[k] for k in ("name", "mobile", "email", "department", "position", "gender",
                                 "is_leader_in_dept", "order", "alias", "address", "telephone",
                                 "enable")} == {
        "name": "张三", "mobile": "13800000000", "email": "zs@example.com",
        "department": [1, dept], "position": "产品经理", "gender": "1",
        "is_leader_in_dept": [1, 0], "order": [10, 20], "alias": "jack", "address": "广州",
        "telephone": "020-123456", "enable": 0,
    }


def test_syncuser_updates_given_columns_adds_new_and_never_deletes(
    api: Api, control: Control
) -> None:
    make_user(api, "a", position="老职位", alias="keep")
    make_user(api, "untouched")
    result = run(api, control, "batch/syncuser", csv_file(
        "姓名,帐号,职位,邮箱,所在部门", "A 新,a,新职位,,", "B,b,,b@example.com,1"))
    assert [r["errcode"] for r in result["result"]] == [0, 0], result
    found = members(api)
    assert set(found) == {"a", "b", "untouched"}
    assert (found["a"]["name"], found["a"]["position"], found["a"]["alias"]) == (
        "A 新", "新职位", "keep")


def test_a_refused_row_gets_its_errcode_and_the_others_apply(api: Api, control: Control) -> None:
    make_user(api, "holder", mobile="13900000000")
    result = run(api, control, "batch/syncuser", csv_file(
        "姓名,帐号,手机号,所在部门",
        "Ok,ok1,13800000001,1",
        "Taken,taken,13900000000,1",
        "Bad,bad id,13800000002,1",
        "NoContact,nocontact,,1",
        "Ok2,ok2,13800000003,1",
    ))
    codes = {r["userid"]: r["errcode"] for r in result["result"]}
    assert codes == {"ok1": 0, "taken": 60104, "bad id": 40003, "nocontact": 60129, "ok2": 0}
    assert set(members(api)) == {"holder", "ok1", "ok2"}
    assert "mobile" in result["result"][1]["errmsg"]


def test_bom_newer_header_spellings_and_custom_columns_are_read(
    api: Api, control: Control
) -> None:
    data = ("\ufeff姓名,账号,邮箱,所在部门,职务,性别,禁用,爱好\n"
            "王五,wangwu,w@example.com,1,经理,女,0,旅游\n")
    result = run(api, control, "batch/syncuser", data.encode())
    assert result["result"][0]["errcode"] == 0, result
    user = api.ok("GET", "user/get", userid="wangwu")
    assert (user["position"], user["gender"], user["enable"]) == ("经理", "2", 1)
    assert user["extattr"]["attrs"] == [{"type": 0, "name": "爱好", "text": {"value": "旅游"}}]


def test_an_unknown_department_is_created_under_the_unsorted_department(
    api: Api, control: Control
) -> None:
    result = run(api, control, "batch/syncuser", csv_file("姓名,帐号,邮箱,所在部门",
                                                          "A,a,a@example.com,77"))
    assert result["result"][0]["errcode"] == 0
    holder = [d for d in api.ok("GET", "department/list")["department"]
              if d["name"] == "其他（待设置部门）"]
    assert len(holder) == 1 and holder[0]["parentid"] == 1
    assert api.ok("GET", "department/get", id=77)["department"]["parentid"] == holder[0]["id"]


def test_unknown_departments_can_be_refused_per_row(api: Api, control: Control) -> None:
    control.config(import_missing_department="reject")
    result = run(api, control, "batch/syncuser", csv_file("姓名,帐号,邮箱,所在部门",
                                                          "A,a,a@example.com,77"))
    assert result["result"][0]["errcode"] == 40066


@pytest.mark.parametrize(("data", "errcode"), [
    ("姓名,帐号\n张三,zs\n".encode("gbk"), 40092),           # not UTF-8
    ("姓名,邮箱\nA,a@example.com\n".encode(), 40092),          # no 帐号 column
    (f"{MEMBER_HEADER}\n".encode(), 40092),                    # no rows
    ("姓名,帐号,邮箱,所在部门\nA,a,a@x.com,1\nB,A,b@x.com,1\n".encode(), 302003),  # userid twice
])
def test_a_bad_file_fails_the_whole_job_and_changes_nothing(
    api: Api, control: Control, data: bytes, errcode: int
) -> None:
    result = run(api, control, "batch/syncuser", data)
    assert result["errcode"] == errcode
    assert members(api) == {}


def test_one_import_job_at_a_time_302008(api: Api, control: Control) -> None:
    control.config(job_auto_advance=False)
    data = csv_file("姓名,帐号,邮箱,所在部门", "A,a,a@example.com,1")
    first = submit(api, "batch/syncuser", data)
    media_id = upload(api, data)["media_id"]
    assert api.post("batch/replaceuser", {"media_id": media_id})["errcode"] == 302008
    pending = api.ok("GET", "batch/getresult", jobid=first)
    assert (pending["status"], pending["percentage"], pending["result"]) == (1, 0, [])
    assert finish(api, control, first)["status"] == 3
    assert api.post("batch/replaceuser", {"media_id": media_id})["errcode"] == 0


def test_a_paced_job_runs_in_the_background_with_progress(api: Api, control: Control) -> None:
    control.config(job_rows_per_second=40)
    rows = [f"U{i},u{i},u{i}@example.com,1" for i in range(40)]
    jobid = submit(api, "batch/syncuser", csv_file("姓名,帐号,邮箱,所在部门", *rows))
    seen: set[int] = set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = api.ok("GET", "batch/getresult", jobid=jobid)
        seen.add(answer["status"])
        if answer["status"] == 3:
            break
        assert answer["result"] == []
        time.sleep(0.1)
    assert 2 in seen and answer["status"] == 3 and len(answer["result"]) == 40


def test_only_the_last_five_results_are_kept(api: Api, control: Control) -> None:
    data = csv_file("姓名,帐号,邮箱,所在部门", "A,a,a@example.com,1")
    jobs = []
    for _ in range(6):
        jobs.append(submit(api, "batch/syncuser", data))
        control.post("jobs/advance")
    assert api.get("batch/getresult", jobid=jobs[0])["errcode"] == 40089
    assert api.get("batch/getresult", jobid=jobs[1])["errcode"] == 0
    assert api.get("batch/getresult", jobid="jobid_unknown")["errcode"] == 40088


def test_app_secrets_cannot_start_imports(api: Api, control: Control) -> None:
    app = add_app(control, api.http, visible_departments=[1])
    media_id = upload(app, b"abcdefgh")["media_id"]
    assert app.post("batch/syncuser", {"media_id": media_id})["errcode"] == 60011


def test_replaceuser_makes_the_members_exactly_the_file(api: Api, control: Control) -> None:
    for userid in ("keep", "gone"):
        make_user(api, userid, position="x")
    for i in range(8):
        make_user(api, f"other{i}")
    rows = ["Keep,keep,keep@example.com,1"] + [f"O{i},other{i},,1" for i in range(8)]
    result = run(api, control, "batch/replaceuser",
                 csv_file("姓名,帐号,邮箱,所在部门", *rows, "New,new,new@example.com,1"))
    assert result["type"] == "replace_user" and result["total"] == 10
    assert set(members(api)) == {"keep", "new", *(f"other{i}" for i in range(8))}
    assert members(api)["keep"]["position"] == "x"  # an absent column is not touched


@pytest.mark.parametrize(("existing", "kept", "blocked"), [
    (10, 1, True),     # 9 of 10 (< 50 deletions, > 80%)
    (10, 2, False),    # 8 of 10 is exactly 80%: allowed
    (300, 200, True),  # 100 of 300 (> 50 deletions, > 20%)
    (300, 240, False),  # 60 of 300 is exactly 20%: allowed
])
def test_replaceuser_safety_stop_45026(
    api: Api, control: Control, existing: int, kept: int, blocked: bool
) -> None:
    control.seed(users=[{"userid": f"u{i}", "name": f"U{i}", "department": [1],
                         "email": f"u{i}@example.com"} for i in range(existing)])
    data = csv_file("姓名,帐号,所在部门", *(f"U{i},u{i},1" for i in range(kept)))
    result = run(api, control, "batch/replaceuser", data)
    assert (result["errcode"] == 45026) is blocked, result
    left = len(api.ok("GET", "user/simplelist", department_id=1)["userlist"])
    assert left == (existing if blocked else kept)


def test_job_changes_and_the_result_event_are_recorded(api: Api, control: Control) -> None:
    callback = {"url": "http://127.0.0.1:9/cb", "token": "t", "encodingaeskey": "k" * 43}
    jobid = submit(api, "batch/syncuser", csv_file("姓名,帐号,邮箱,所在部门", "A,a,a@x.com,1"),
                   callback=callback, to_invite=False)
    control.post("jobs/advance")
    changes = control.get("changes")["changes"]
    created = [c for c in changes if c["kind"] == "create_user"]
    assert created[0]["key"] == "a" and created[0]["actor"] == f"batch_job:{jobid}"
    (event,) = [c for c in changes if c["kind"] == "batch_job_result"]
    assert event["fields"] == {"jobid": jobid, "jobtype": "sync_user", "errcode": 0,
                               "errmsg": "ok", "caller": "contacts-sync", "callback": callback}


def test_a_failed_job_records_its_errcode_in_the_event(api: Api, control: Control) -> None:
    run(api, control, "batch/syncuser", "姓名,邮箱\nA,a@example.com\n".encode())
    (event,) = [c for c in control.get("changes")["changes"] if c["kind"] == "batch_job_result"]
    assert event["fields"]["errcode"] == 40092
