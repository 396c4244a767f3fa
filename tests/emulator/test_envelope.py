"""The response envelope and request parsing, as the real server does them."""

from __future__ import annotations

import re

import httpx

from .support import Api

ERRMSG_SHAPE = re.compile(
    r"^(?P<text>.+), hint: \[(?P<hint>[0-9]+)\], from ip: 127\.0\.0\.1, "
    r"more info at https://open\.work\.weixin\.qq\.com/devtool/query\?e=(?P<code>-?[0-9]+)"
)


def test_errors_are_http_200_with_errcode_errmsg_and_headers(api: Api) -> None:
    r = api.http.get("/cgi-bin/department/get", params={"access_token": api.token, "id": 99})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    body = r.json()
    assert body["errcode"] == 60003
    match = ERRMSG_SHAPE.match(body["errmsg"])
    assert match and match["code"] == "60003"
    assert match["text"].startswith("department not found")
    assert r.headers["Error-Code"] == "60003"
    assert r.headers["Error-Msg"] == body["errmsg"]


def test_success_carries_ok_errmsg_and_zero_error_code_header(api: Api) -> None:
    r = api.http.get("/cgi-bin/department/list", params={"access_token": api.token})
    assert r.json()["errmsg"] == "ok"
    assert (r.headers["Error-Code"], r.headers["Error-Msg"]) == ("0", "ok")


def test_responses_hold_raw_utf8_not_unicode_escapes(api: Api) -> None:
    r = api.http.get("/cgi-bin/department/get", params={"access_token": api.token, "id": 1})
    assert "总部".encode() in r.content
    assert b"\\u" not in r.content


def test_unicode_escapes_in_a_body_are_40033(api: Api) -> None:
    r = api.http.post(
        "/cgi-bin/department/create",
        params={"access_token": api.token},
        content=b'{"name": "\\u7814\\u53d1", "parentid": 1}',
    )
    assert r.json()["errcode"] == 40033


def test_an_escaped_backslash_before_u_is_not_a_unicode_escape(api: Api) -> None:
    r = api.http.post(
        "/cgi-bin/department/create",
        params={"access_token": api.token},
        content=b'{"name": "a\\\\u", "parentid": 1}',
    )
    assert r.json()["errcode"] == 60009  # the name holds a real backslash: forbidden character


def test_invalid_json_is_40058_with_the_wrong_json_warning(api: Api) -> None:
    for content in (b"{not json", b"[1, 2]", b"", b'{"name": NaN}'):
        r = api.http.post(
            "/cgi-bin/department/create", params={"access_token": api.token}, content=content
        )
        body = r.json()
        assert body["errcode"] == 40058, content
        assert body["errmsg"].endswith("Warning: wrong json format.")


def test_a_post_api_called_with_get_is_40058(api: Api) -> None:
    r = api.http.get("/cgi-bin/department/create", params={"access_token": api.token})
    assert r.json()["errcode"] == 40058


def test_a_get_api_also_answers_post_with_query_parameters(api: Api) -> None:
    r = api.http.post("/cgi-bin/department/get", params={"access_token": api.token, "id": 1})
    assert r.json()["department"]["id"] == 1


def test_access_token_is_read_from_the_query_string_only(api: Api) -> None:
    r = api.http.post(
        "/cgi-bin/department/create", json={"access_token": api.token, "name": "x", "parentid": 1}
    )
    assert r.json()["errcode"] == 41001
    assert api.http.get("/cgi-bin/department/list").json()["errcode"] == 41001


def test_unknown_cgi_paths_are_404(http: httpx.Client, api: Api) -> None:
    assert http.get("/cgi-bin/nope", params={"access_token": api.token}).status_code == 404
