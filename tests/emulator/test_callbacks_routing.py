"""Which callback gets which change: own writes, console, apps, jobs, minimal fields; control."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from wecom_contacts.callback import (
    BatchJobResultEvent,
    CreatePartyEvent,
    CreateUserEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
)

from .callbacks_support import FAST, KEY, TOKEN, Receiver, serving
from .support import CORP_ID, Api, Control, add_app, make_department, make_user


@pytest.fixture(scope="module")
def live_receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with serving(Receiver(CORP_ID)) as one, serving(Receiver(CORP_ID)) as two:
        yield one, two


@pytest.fixture
def receiver(live_receivers: tuple[Receiver, Receiver], control: Control) -> Receiver:
    live_receivers[0].clear()
    return live_receivers[0]


@pytest.fixture
def other(live_receivers: tuple[Receiver, Receiver], control: Control) -> Receiver:
    live_receivers[1].clear()
    return live_receivers[1]


def configure(control: Control, receiver: Receiver, **options: Any) -> dict[str, Any]:
    body = {"url": receiver.url, "token": TOKEN, "encoding_aes_key": KEY, **FAST, **options}
    answer: dict[str, Any] = control.post("callback", body)["callback"]
    return answer


def flushed(control: Control, receiver: Receiver) -> list[Any]:
    assert control.post("callbacks/flush", {"timeout": 10})["flushed"]
    return list(receiver.events)


def test_own_api_writes_are_not_echoed_but_console_writes_are(
    api: Api, control: Control, receiver: Receiver
) -> None:
    configure(control, receiver)
    make_department(api, "自己")
    control.seed(departments=[{"id": 40, "name": "控制台", "parentid": 1}])
    assert [(type(e), e.id) for e in flushed(control, receiver)] == [(CreatePartyEvent, 40)]


@pytest.mark.parametrize("how", ["option", "setting"])
def test_own_writes_are_echoed_when_configured(
    api: Api, control: Control, receiver: Receiver, how: str
) -> None:
    if how == "setting":
        control.config(callback_echo_own_changes=True)
        configure(control, receiver)
    else:
        configure(control, receiver, echo_own_changes=True)
    dept = make_department(api, "自己")
    assert [(type(e), e.id) for e in flushed(control, receiver)] == [(CreatePartyEvent, dept)]


def test_an_apps_callback_gets_other_secrets_changes_without_sensitive_fields(
    api: Api, control: Control, http: httpx.Client, receiver: Receiver, other: Receiver
) -> None:
    app = add_app(control, http, "crm", visible_departments=[1])
    configure(control, receiver)
    configure(control, other, secret="crm")
    make_user(api, "zs", mobile="13800000001", position="PM")
    app.ok("POST", "tag/create", {"tagname": "crm-tag", "tagid": 7})
    app.ok("POST", "tag/addtagusers", {"tagid": 7, "userlist": ["zs"]})
    (created,) = [e for e in flushed(control, other) if isinstance(e, CreateUserEvent)]
    assert (created.user_id, created.position, created.mobile) == ("zs", "PM", None)
    assert not [e for e in other.events if isinstance(e, UpdateTagEvent)]  # the app's own
    (tagged,) = receiver.events  # the contacts-sync callback: only the app's tag change
    assert isinstance(tagged, UpdateTagEvent) and tagged.add_user_items == ["zs"]
    listed = {c["secret"]: c for c in control.get("callbacks")["callbacks"]}
    assert set(listed) == {"contacts-sync", "crm"}
    assert "token" not in listed["crm"] and "encoding_aes_key" not in listed["crm"]


def test_a_callback_may_name_its_secret_by_value(
    control: Control, http: httpx.Client, receiver: Receiver
) -> None:
    add_app(control, http, "oa")
    assert configure(control, receiver, secret="oa-secret")["secret"] == "oa"
    assert configure(control, receiver, secret="emulator-sync-secret")["secret"] == (
        "contacts-sync")


@pytest.mark.parametrize("how", ["option", "setting"])
def test_minimal_fields_send_ids_and_departments_only(
    api: Api, control: Control, receiver: Receiver, how: str
) -> None:
    if how == "setting":
        control.config(callback_minimal_fields=True)
        configure(control, receiver, echo_own_changes=True)
    else:
        configure(control, receiver, echo_own_changes=True, minimal_fields=True)
    a, b = make_department(api, "甲"), make_department(api, "乙")
    make_user(api, "zs", [a], position="PM")
    api.ok("POST", "user/update", {"userid": "zs", "name": "新名字"})
    api.ok("POST", "department/update", {"id": b, "name": "丙"})  # no event: ParentId unchanged
    api.ok("POST", "department/update", {"id": b, "parentid": a})
    events = flushed(control, receiver)
    assert [type(e) for e in events] == [CreatePartyEvent, CreatePartyEvent, CreateUserEvent,
                                         UpdateUserEvent, UpdatePartyEvent]
    created, updated, moved = events[2:]
    assert (created.user_id, created.department, created.name, created.position) == (
        "zs", [a], None, None)
    assert (updated.user_id, updated.name) == ("zs", None)
    assert (moved.id, moved.parent_id, moved.name) == (b, a, None)
    assert events[0].name is None and events[0].parent_id == 1


def test_a_seeded_activation_flag_is_an_update_user_status_event(
    control: Control, receiver: Receiver
) -> None:
    configure(control, receiver)
    control.seed(users=[{"userid": "act", "name": "A", "department": [1],
                         "email": "a@example.com", "status": 1}])
    created, activated = flushed(control, receiver)
    assert (created.status, activated.status, activated.user_id) == (4, 1, "act")


def upload(api: Api, csv: str) -> str:
    r = api.http.post("/cgi-bin/media/upload", params={"access_token": api.token, "type": "file"},
                      files={"media": ("members.csv", csv.encode("utf-8"), "text/csv")})
    body = r.json()
    assert body["errcode"] == 0, body
    return str(body["media_id"])


def wait_job(api: Api, jobid: str) -> None:
    deadline = time.monotonic() + 10
    while api.ok("GET", "batch/getresult", jobid=jobid)["status"] != 3:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_jobs_changes_and_its_result_reach_the_submitters_callback(
    api: Api, control: Control, receiver: Receiver
) -> None:
    configure(control, receiver)  # echo off: the job, not the secret, writes the members
    media = upload(api, "姓名,帐号,邮箱,所在部门\n张三,zs,zs@example.com,1\n")
    jobid = api.ok("POST", "batch/syncuser", {"media_id": media})["jobid"]
    wait_job(api, jobid)
    created, result = flushed(control, receiver)
    assert isinstance(created, CreateUserEvent) and created.user_id == "zs"
    assert isinstance(result, BatchJobResultEvent)
    assert (result.job_id, result.job_type, result.err_code) == (jobid, "sync_user", 0)


def test_a_job_with_its_own_callback_reports_there_only(
    api: Api, control: Control, receiver: Receiver, other: Receiver
) -> None:
    configure(control, receiver)
    media = upload(api, "姓名,帐号,邮箱,所在部门\n李四,ls,ls@example.com,1\n")
    own = {"url": other.url, "token": TOKEN, "encodingaeskey": KEY}
    jobid = api.ok("POST", "batch/syncuser", {"media_id": media, "callback": own})["jobid"]
    wait_job(api, jobid)
    assert [type(e) for e in flushed(control, receiver)] == [CreateUserEvent]
    (result,) = other.wait_for(1)
    assert isinstance(result, BatchJobResultEvent) and result.job_id == jobid
    job_log = [d for d in control.get("callbacks")["deliveries"] if d["secret"] == f"job:{jobid}"]
    assert [(d["event"], d["outcome"]) for d in job_log] == [("batch_job_result", "delivered")]


def test_url_verification_on_configure_needs_the_echo(
    control: Control, http: httpx.Client, receiver: Receiver
) -> None:
    assert configure(control, receiver, verify=True)["url"] == receiver.url
    wrong = {"url": receiver.url, "token": "anotherToken", "encoding_aes_key": KEY,
             "verify": True}
    r = http.post("/_emulator/callback", json=wrong)
    assert r.status_code == 400 and "URL verification failed" in r.json()["error"]


@pytest.mark.parametrize(("change", "message"), [
    ({"url": "ftp://x"}, '"url"'),
    ({"token": ""}, '"token"'),
    ({"encoding_aes_key": "short"}, "encoding_aes_key"),
    ({"secret": "nobody"}, "no secret"),
    ({"retries": -1}, '"retries"'),
    ({"timeout": 0}, '"timeout"'),
    ({"minimal_fields": "yes"}, '"minimal_fields"'),
    ({"colour": "red"}, "unknown fields"),
])
def test_bad_callback_settings_are_refused(
    control: Control, http: httpx.Client, change: dict[str, Any], message: str
) -> None:
    body = {"url": "http://127.0.0.1:9/", "token": TOKEN, "encoding_aes_key": KEY, **change}
    r = http.post("/_emulator/callback", json=body)
    assert r.status_code == 400 and message in r.json()["error"]
    assert control.get("callbacks")["callbacks"] == []
