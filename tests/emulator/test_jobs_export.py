"""export/*: jobs, encrypted files at the links get_result gives, size, MD5, Range, expiry."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from .jobs_support import EXPORT_KEY, decrypt
from .support import Api, Control, add_app, make_department, make_user


def export(api: Api, control: Control, path: str, **body: Any) -> dict[str, Any]:
    answer = api.post(path, {"encoding_aeskey": EXPORT_KEY, **body})
    assert answer["errcode"] == 0, answer
    control.post("jobs/advance")
    result = api.ok("GET", "export/get_result", jobid=answer["jobid"])
    return result


def documents(api: Api, result: dict[str, Any]) -> list[Any]:
    out = []
    for item in result["data_list"]:
        data = api.http.get(item["url"]).content
        assert (len(data), hashlib.md5(data).hexdigest()) == (item["size"], item["md5"])
        out.append(decrypt(data))
    return out


def test_user_export_decrypts_to_what_user_list_returns(api: Api, control: Control) -> None:
    dept = make_department(api, "研发")
    make_user(api, "a", [1, dept], mobile="13800000000", position="工程师")
    make_user(api, "b", [dept])
    result = export(api, control, "export/user")
    assert result["status"] == 2
    (doc,) = documents(api, result)
    listed = api.ok("GET", "user/list", department_id=1, fetch_child=1)["userlist"]
    assert sorted(doc["userlist"], key=lambda u: u["userid"]) == sorted(
        listed, key=lambda u: u["userid"])


def test_simple_user_and_department_exports(api: Api, control: Control) -> None:
    dept = make_department(api, "研发")
    make_user(api, "a", [dept], name="阿")
    (users,) = documents(api, export(api, control, "export/simple_user"))
    assert users == {"userlist": [{"userid": "a", "name": "阿", "department": [dept]}]}
    (depts,) = documents(api, export(api, control, "export/department"))
    assert depts == {"department": api.ok("GET", "department/list")["department"]}


def test_taguser_export_holds_members_and_departments(api: Api, control: Control) -> None:
    make_user(api, "a")
    api.ok("POST", "tag/create", {"tagname": "T", "tagid": 7})
    api.ok("POST", "tag/addtagusers", {"tagid": 7, "userlist": ["a"], "partylist": [1]})
    (doc,) = documents(api, export(api, control, "export/taguser", tagid=7))
    assert doc == {"userlist": [{"userid": "a", "name": "A"}], "partylist": [1]}
    assert api.post("export/taguser", {"encoding_aeskey": EXPORT_KEY, "tagid": 8})[
        "errcode"] == 40068


def test_files_hold_at_most_block_size_entries(api: Api, control: Control) -> None:
    control.config(export_min_block_size=1)
    for i in range(5):
        make_user(api, f"u{i}")
    docs = documents(api, export(api, control, "export/simple_user", block_size=2))
    assert [len(d["userlist"]) for d in docs] == [2, 2, 1]
    assert [u["userid"] for d in docs for u in d["userlist"]] == [f"u{i}" for i in range(5)]


def test_pending_until_advanced_when_auto_advance_is_off(api: Api, control: Control) -> None:
    control.config(job_auto_advance=False)
    jobid = api.ok("POST", "export/department", {"encoding_aeskey": EXPORT_KEY})["jobid"]
    assert api.ok("GET", "export/get_result", jobid=jobid) == {
        "errcode": 0, "errmsg": "ok", "status": 0, "data_list": []}
    assert control.post("jobs/advance")["finished"] == [jobid]
    assert api.ok("GET", "export/get_result", jobid=jobid)["status"] == 2


@pytest.mark.parametrize("body", [
    {"encoding_aeskey": EXPORT_KEY[:42]},
    {"encoding_aeskey": EXPORT_KEY[:42] + "+"},
    {"encoding_aeskey": EXPORT_KEY, "block_size": 9999},
    {"encoding_aeskey": EXPORT_KEY, "block_size": 1000001},
])
def test_bad_key_or_block_size_is_40058(api: Api, body: dict[str, Any]) -> None:
    assert api.post("export/user", body)["errcode"] == 40058


def test_only_the_submitting_secret_reads_the_result(api: Api, control: Control) -> None:
    jobid = api.ok("POST", "export/user", {"encoding_aeskey": EXPORT_KEY})["jobid"]
    app = add_app(control, api.http, visible_departments=[1])
    assert app.get("export/get_result", jobid=jobid)["errcode"] == 60011
    assert api.get("export/get_result", jobid="jobid_nope")["errcode"] == 40088


def test_an_app_exports_only_what_it_sees(api: Api, control: Control) -> None:
    seen, hidden = make_department(api, "可见"), make_department(api, "不可见")
    make_user(api, "in", [seen])
    make_user(api, "out", [hidden])
    app = add_app(control, api.http, visible_departments=[seen])
    (doc,) = documents(app, export(app, control, "export/simple_user"))
    assert [u["userid"] for u in doc["userlist"]] == ["in"]


def test_file_links_serve_ranges_and_expire_after_two_hours(api: Api, control: Control) -> None:
    make_user(api, "a")
    (item,) = export(api, control, "export/user")["data_list"]
    whole = api.http.get(item["url"]).content
    part = api.http.get(item["url"], headers={"Range": "bytes=16-47"})
    assert part.status_code == 206 and part.content == whole[16:48]
    assert part.headers["content-range"] == f"bytes 16-47/{len(whole)}"
    assert api.http.get(item["url"], headers={"Range": "bytes=-16"}).content == whole[-16:]
    control.post("clock", {"advance": 7201})
    assert api.http.get(item["url"]).status_code == 404


def test_a_job_whose_tag_vanished_fails_with_status_3(api: Api, control: Control) -> None:
    control.config(job_auto_advance=False)
    api.ok("POST", "tag/create", {"tagname": "T", "tagid": 3})
    jobid = api.ok("POST", "export/taguser", {"encoding_aeskey": EXPORT_KEY, "tagid": 3})["jobid"]
    api.ok("GET", "tag/delete", tagid=3)
    control.post("jobs/advance")
    assert api.ok("GET", "export/get_result", jobid=jobid)["status"] == 3
    (event,) = [c for c in control.get("changes")["changes"] if c["kind"] == "batch_job_result"]
    assert (event["fields"]["jobtype"], event["fields"]["errcode"]) == ("export_taguser", 40068)
