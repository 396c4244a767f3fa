"""Injected faults: errcode, HTTP status, delay, dropped connection; counts and timing."""

from __future__ import annotations

import time

import httpx
import pytest

from .support import Api, Control

CREATE = "/cgi-bin/department/create"


def names(api: Api) -> list[str]:
    return [d["name"] for d in api.ok("GET", "department/list")["department"]]


def test_errcode_fault_answers_the_code_for_count_calls_then_stops(
    api: Api, control: Control
) -> None:
    control.fault(path=CREATE, errcode=-1, count=2)
    assert api.post("department/create", {"name": "A", "parentid": 1})["errcode"] == -1
    assert api.post("department/create", {"name": "A", "parentid": 1})["errcode"] == -1
    assert api.post("department/create", {"name": "A", "parentid": 1})["errcode"] == 0
    assert names(api) == ["总部", "A"]  # the faulted calls changed nothing


def test_errcode_fault_uses_the_real_envelope_or_a_given_errmsg(api: Api, control: Control) -> None:
    control.fault(path=CREATE, errcode=45009)
    r = api.http.post(CREATE, params={"access_token": api.token}, json={})
    assert r.status_code == 200 and r.headers["Error-Code"] == "45009"
    assert r.json()["errmsg"].startswith("api freq out of limit")
    control.fault(path=CREATE, errcode=-1, errmsg="system busy")
    assert api.post("department/create", {})["errmsg"] == "system busy"


def test_injected_codes_outside_the_api_get_their_meaning_as_errmsg(
    api: Api, control: Control
) -> None:
    control.fault(path=CREATE, errcode=6000)
    assert api.post("department/create", {})["errmsg"].startswith("data version conflict")


def test_http_status_fault_returns_that_status(api: Api, control: Control) -> None:
    control.fault(path=CREATE, http_status=502, body="<html>Bad Gateway</html>")
    r = api.http.post(CREATE, params={"access_token": api.token}, json={"name": "A", "parentid": 1})
    assert (r.status_code, r.text) == (502, "<html>Bad Gateway</html>")
    assert names(api) == ["总部"]


def test_delay_fault_holds_the_answer(api: Api, control: Control) -> None:
    control.fault(path="/cgi-bin/department/list", delay=0.3)
    started = time.monotonic()
    assert api.get("department/list")["errcode"] == 0
    assert time.monotonic() - started >= 0.3


def test_delay_after_handler_times_out_the_client_but_applies_the_write(
    api: Api, control: Control
) -> None:
    control.fault(path=CREATE, delay=1.0, after="after_handler")
    with pytest.raises(httpx.ReadTimeout):
        api.http.post(
            CREATE,
            params={"access_token": api.token},
            json={"name": "A", "parentid": 1},
            timeout=0.2,
        )
    assert names(api) == ["总部", "A"]


def test_drop_fault_closes_the_connection_without_a_response(api: Api, control: Control) -> None:
    control.fault(path=CREATE, drop=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.http.post(CREATE, params={"access_token": api.token}, json={"name": "A", "parentid": 1})
    assert names(api) == ["总部"]  # dropped before the handler: not applied


def test_drop_after_handler_applies_the_write_so_a_resend_says_it_exists(
    api: Api, control: Control
) -> None:
    control.fault(path=CREATE, drop=True, after="after_handler")
    body = {"name": "A", "parentid": 1, "id": 5}
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.http.post(CREATE, params={"access_token": api.token}, json=body)
    assert names(api) == ["总部", "A"]
    assert api.post("department/create", body)["errcode"] == 60008
    stats = control.get("stats")
    assert stats["writes"][CREATE] == 1
    assert stats["faults"] == {"drop": 1}


def test_errcode_after_handler_reports_failure_of_an_applied_write(
    api: Api, control: Control
) -> None:
    control.fault(path=CREATE, errcode=-1, after="after_handler")
    assert api.post("department/create", {"name": "A", "parentid": 1})["errcode"] == -1
    assert names(api) == ["总部", "A"]


def test_glob_paths_match_several_apis_and_other_paths_are_untouched(
    api: Api, control: Control
) -> None:
    control.fault(path="/cgi-bin/department/*", errcode=-1, count=2)
    assert api.token  # gettoken does not match the glob
    assert api.get("department/list")["errcode"] == -1
    assert api.get("department/simplelist")["errcode"] == -1
    assert api.get("department/list")["errcode"] == 0


def test_faults_are_listed_consumed_in_order_and_cleared(api: Api, control: Control) -> None:
    control.fault(path=CREATE, errcode=-1)
    control.fault(path=CREATE, errcode=45033)
    listed = control.get("faults")["faults"]
    assert [f["errcode"] for f in listed] == [-1, 45033]
    assert api.post("department/create", {})["errcode"] == -1
    assert [f["errcode"] for f in control.get("faults")["faults"]] == [45033]
    r = api.http.delete("/_emulator/faults")
    assert r.json() == {"cleared": 1}
    assert api.post("department/create", {"name": "A", "parentid": 1})["errcode"] == 0


@pytest.mark.parametrize(
    "spec",
    [
        {"errcode": -1},
        {"path": CREATE},
        {"path": CREATE, "errcode": -1, "drop": True},
        {"path": CREATE, "drop": False},
        {"path": CREATE, "delay": -1},
        {"path": CREATE, "http_status": 99},
        {"path": CREATE, "errcode": 0},
        {"path": CREATE, "errcode": -1, "count": 0},
        {"path": CREATE, "errcode": -1, "after": "later"},
        {"path": CREATE, "errcode": -1, "colour": "red"},
    ],
)
def test_bad_fault_specs_are_refused_with_400(
    http: httpx.Client, control: Control, spec: dict[str, object]
) -> None:
    r = http.post("/_emulator/faults", json=spec)
    assert r.status_code == 400 and "error" in r.json()
    assert control.get("faults")["faults"] == []


def test_reset_clears_faults(api: Api, control: Control) -> None:
    control.fault(path=CREATE, errcode=-1)
    control.post("reset")
    assert control.get("faults")["faults"] == []
