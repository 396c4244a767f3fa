"""gettoken: per-secret tokens, reuse until expiry, expiry, revocation and errors."""

from __future__ import annotations

import time

import httpx
import pytest

from .support import CORP_ID, SYNC_SECRET, Api, Control, add_app


def gettoken(http: httpx.Client, **params: str) -> dict[str, object]:
    return http.get("/cgi-bin/gettoken", params=params).json()  # type: ignore[no-any-return]


def fetch(http: httpx.Client, secret: str = SYNC_SECRET) -> dict[str, object]:
    return gettoken(http, corpid=CORP_ID, corpsecret=secret)


def test_gettoken_returns_a_token_valid_7200_seconds(http: httpx.Client, control: Control) -> None:
    body = fetch(http)
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert isinstance(body["access_token"], str) and 32 <= len(body["access_token"]) <= 512
    assert body["expires_in"] == 7200


def test_the_same_token_is_returned_with_the_remaining_lifetime(
    http: httpx.Client, control: Control
) -> None:
    first = fetch(http)
    control.post("clock", {"advance": 1000})
    second = fetch(http)
    assert second["access_token"] == first["access_token"]
    assert second["expires_in"] == 6200


def test_expires_in_can_report_the_full_lifetime(http: httpx.Client, control: Control) -> None:
    control.config(token_expires_in="full")
    fetch(http)
    control.post("clock", {"advance": 1000})
    assert fetch(http)["expires_in"] == 7200


def test_each_secret_gets_its_own_token(http: httpx.Client, control: Control) -> None:
    add_app(control, http, "hr")
    assert fetch(http)["access_token"] != fetch(http, "hr-secret")["access_token"]


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"corpsecret": SYNC_SECRET}, 41002),
        ({"corpid": CORP_ID}, 41004),
        ({"corpid": "wwother", "corpsecret": SYNC_SECRET}, 40013),
        ({"corpid": CORP_ID, "corpsecret": "wrong"}, 40001),
    ],
)
def test_gettoken_errors(
    http: httpx.Client, control: Control, params: dict[str, str], errcode: int
) -> None:
    assert gettoken(http, **params)["errcode"] == errcode


def test_an_expired_token_is_42001_and_a_new_one_is_issued(api: Api, control: Control) -> None:
    old = api.token
    control.post("clock", {"advance": 7200})
    assert api.get("department/list")["errcode"] == 42001
    assert fetch(api.http)["access_token"] != old


def test_tokens_expire_early_on_request(api: Api, control: Control) -> None:
    api.token  # noqa: B018 - fetch it
    assert control.post("tokens/expire") == {"expired": 1}
    assert api.get("department/list")["errcode"] == 42001


def test_token_lifetime_is_configurable(api: Api, control: Control) -> None:
    control.config(token_lifetime=1)
    assert fetch(api.http)["expires_in"] == 1
    assert api.get("department/list")["errcode"] == 0
    time.sleep(1.05)
    assert api.get("department/list")["errcode"] == 42001


def test_revoked_and_unknown_tokens_are_40014(api: Api, control: Control) -> None:
    api.token  # noqa: B018
    assert control.post("tokens/revoke") == {"revoked": 1}
    assert api.get("department/list")["errcode"] == 40014
    r = api.http.get("/cgi-bin/department/list", params={"access_token": "garbage"})
    assert r.json()["errcode"] == 40014


def test_revoking_one_secret_keeps_the_others(http: httpx.Client, control: Control) -> None:
    app = add_app(control, http, "hr", visible_departments=[1])
    sync = Api(http)
    sync.token, app.token  # noqa: B018
    control.post("tokens/revoke", {"secret": "hr-secret"})
    assert app.get("department/simplelist")["errcode"] == 40014
    assert sync.get("department/simplelist")["errcode"] == 0


def test_reset_invalidates_tokens(api: Api, control: Control) -> None:
    api.token  # noqa: B018
    control.post("reset")
    assert api.get("department/list")["errcode"] == 40014


def test_repeated_wrong_secrets_block_the_ip_for_gettoken(
    http: httpx.Client, control: Control
) -> None:
    control.config(gettoken_failure_limit={"seconds": 3600, "limit": 2})
    for _ in range(3):  # the failure that exceeds the limit starts the block
        assert fetch(http, "wrong")["errcode"] == 40001
    assert fetch(http, "wrong")["errcode"] == 45009
    assert fetch(http)["errcode"] == 45009  # even the right secret, for an hour
    control.post("clock", {"advance": 3601})
    assert fetch(http)["errcode"] == 0
