"""WeCom's failures as a provider meets them: ambiguous writes reconciled, never sent twice;
errcodes mapped to the status a provider retries (429, 503) or reports (4xx)."""

from __future__ import annotations

import httpx

from wecom_contacts.testing import EmulatorControl

from .conftest import PATCH, member, user_doc


def test_create_whose_answer_is_lost_after_it_was_applied_is_201_and_sent_once(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    scim.get("/ServiceProviderConfig")
    wecom_emulator.fault("/cgi-bin/user/create", drop=True, after="after_handler")
    response = scim.post("/Users", json=user_doc("alice"))
    assert response.status_code == 201, response.text
    assert response.json()["userName"] == "alice"
    assert member(wecom_emulator, "alice") is not None
    assert wecom_emulator.calls("/cgi-bin/user/create") == 1


def test_create_whose_request_was_lost_before_it_was_applied_is_503_not_resent(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.fault("/cgi-bin/user/create", drop=True)
    response = scim.post("/Users", json=user_doc("alice"))
    assert response.status_code == 503, response.text
    assert "retry" in response.json()["detail"]
    assert member(wecom_emulator, "alice") is None
    assert wecom_emulator.calls("/cgi-bin/user/create") == 1
    assert scim.post("/Users", json=user_doc("alice")).status_code == 201  # the provider retries


def test_update_and_delete_answers_lost_after_applying_are_reconciled(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    scim.post("/Users", json=user_doc("alice"))
    wecom_emulator.fault("/cgi-bin/user/update", drop=True, after="after_handler")
    patched = scim.patch("/Users/alice", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "title", "value": "CTO"}]})
    assert patched.status_code == 200, patched.text
    assert member(wecom_emulator, "alice")["position"] == "CTO"  # type: ignore[index]
    wecom_emulator.fault("/cgi-bin/user/delete", drop=True, after="after_handler")
    deleted = scim.delete("/Users/alice")
    assert deleted.status_code == 204, deleted.text
    assert member(wecom_emulator, "alice") is None


def test_wecom_busy_is_503_and_rate_limit_is_429_with_retry_after(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    scim.post("/Users", json=user_doc("alice"))
    wecom_emulator.fault("/cgi-bin/user/get", errcode=-1, count=50)
    busy = scim.get("/Users/alice")
    assert busy.status_code == 503, busy.text
    assert "-1" in busy.json()["detail"]
    wecom_emulator.clear_faults()
    wecom_emulator.fault("/cgi-bin/user/get", errcode=45009, count=50)
    limited = scim.get("/Users/alice")
    assert limited.status_code == 429, limited.text
    assert limited.headers["retry-after"] == "1"
    wecom_emulator.clear_faults()
    assert scim.get("/Users/alice").status_code == 200


def test_a_patch_that_changes_nothing_sends_no_write(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    scim.post("/Users", json=user_doc("alice", title="PM"))
    before = wecom_emulator.calls("/cgi-bin/user/update")
    same = scim.patch("/Users/alice", json={"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "title", "value": "PM"},
        {"op": "Replace", "path": "active", "value": "True"}]})
    assert same.status_code == 200
    assert wecom_emulator.calls("/cgi-bin/user/update") == before


def test_group_create_whose_answer_is_lost_finds_the_tag_it_made(
    scim: httpx.Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.fault("/cgi-bin/tag/create", drop=True, after="after_handler")
    response = scim.post("/Groups", json={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"})
    assert response.status_code == 201, response.text
    tags = wecom_emulator.directory()["tags"]
    assert [(str(t["tagid"]), t["tagname"]) for t in tags] == [(response.json()["id"], "Ops")]
    assert wecom_emulator.calls("/cgi-bin/tag/create") == 1
