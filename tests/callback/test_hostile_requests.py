"""Requests a hostile or odd sender makes: chunked bodies, absurd timestamps and CreateTimes.

Each gets a 2xx with the right event or a 4xx, from both receivers, never a 500.
"""

from __future__ import annotations

import contextlib
import io
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from wecom_contacts.callback import (
    CallbackCrypto,
    CreateUserEvent,
    StaleTimestampError,
    UnknownEvent,
    event_from_raw,
    make_asgi_app,
    make_wsgi_app,
)

from .support import (
    CORP_ID,
    KEY,
    SAMPLES,
    TOKEN,
    Recorder,
    sample,
    serve_asgi,
    serve_wsgi,
    signed_get,
    signed_post,
)

Serve = Callable[..., contextlib.AbstractContextManager[str]]


@pytest.fixture(params=["asgi", "wsgi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    @contextlib.contextmanager
    def run(handler: Callable[[Any], object], **options: Any) -> Iterator[str]:
        crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
        if request.param == "asgi":
            with serve_asgi(make_asgi_app(crypto, handler, **options)) as url:
                yield url
            return
        app = make_wsgi_app(crypto, handler, **options)
        try:
            with serve_wsgi(app) as url:
                yield url
        finally:
            app.close()

    return run


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def _chunks(body: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


# ---- chunked bodies (no Content-Length, as some proxies forward them)


def test_a_chunked_event_reaches_the_handler(serve: Serve, client: httpx.Client) -> None:
    recorder = Recorder()
    signed = signed_post(sample("create_user")[0])
    with serve(recorder) as url:
        response = client.post(f"{url}/cb", params=signed.params, content=_chunks(signed.body))
    assert response.status_code == 200
    assert response.request.headers["transfer-encoding"] == "chunked"
    (event,) = recorder.wait_for(1)
    assert isinstance(event, CreateUserEvent) and event.user_id == "zhangsan"


def test_a_chunked_body_over_the_limit_gets_413(serve: Serve, client: httpx.Client) -> None:
    recorder = Recorder()
    signed = signed_post(sample("delete_user")[0])
    padded = signed.body.replace(b"<AgentID>", b"<AgentID>" + b" " * 3000)
    with serve(recorder, max_body_size=2048) as url:
        response = client.post(f"{url}/cb", params=signed.params, content=_chunks(padded))
    assert response.status_code == 413
    assert recorder.events == []


def _raw_post(url: str, query: dict[str, str], framed: bytes) -> int:
    """POST `framed` as a chunked body over a plain socket; return the status code."""
    parts = urlsplit(url)
    head = (f"POST /cb?{urlencode(query)} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + framed)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("framed", [
    b"zz\r\nabc\r\n0\r\n\r\n",          # not hex
    b"ffffffffffff\r\nabc\r\n",         # a size past any limit, and too many digits
    b"10\r\nabc",                      # shorter than announced
])
def test_broken_chunked_framing_gets_4xx_from_the_wsgi_receiver(framed: bytes) -> None:
    app = make_wsgi_app(CallbackCrypto(TOKEN, KEY, CORP_ID), Recorder())
    signed = signed_post(sample("delete_user")[0])
    with serve_wsgi(app) as url:
        status = _raw_post(url, signed.params, framed)
    assert 400 <= status < 500


def test_a_server_that_decodes_chunked_bodies_is_read_to_the_end() -> None:
    # gunicorn, waitress and werkzeug decode the framing and set wsgi.input_terminated.
    recorder = Recorder()
    app = make_wsgi_app(CallbackCrypto(TOKEN, KEY, CORP_ID), recorder, max_body_size=4096)
    signed = signed_post(sample("delete_user")[0])
    statuses: list[str] = []
    for body in (signed.body, signed.body + b" " * 4096):
        environ = {
            "REQUEST_METHOD": "POST", "QUERY_STRING": urlencode(signed.params),
            "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True,
        }
        app(environ, lambda status, headers, *_: statuses.append(status))  # type: ignore[arg-type]
    assert [s.split()[0] for s in statuses] == ["200", "413"]
    assert len(recorder.events) == 1


# ---- timestamps of hundreds of digits (validly signed)


@pytest.mark.parametrize("digits", [13, 309, 400, 5000])
def test_a_signed_timestamp_of_absurd_length_gets_403_not_500(
    serve: Serve, client: httpx.Client, digits: int
) -> None:
    recorder = Recorder()
    stamp = "9" * digits
    post = signed_post(sample("delete_user")[0], timestamp=stamp)
    with serve(recorder) as url:
        posted = client.post(f"{url}/cb", params=post.params, content=post.body)
        verified = client.get(f"{url}/cb", params=signed_get("echo", timestamp=stamp))
    assert (posted.status_code, verified.status_code) == (403, 403)
    assert posted.text == "StaleTimestampError"
    assert recorder.events == []


def test_crypto_refuses_a_huge_timestamp_with_its_own_error() -> None:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
    post = signed_post(sample("delete_user")[0], timestamp="1" * 400)
    p = post.params
    with pytest.raises(StaleTimestampError, match="400 digits"):
        crypto.decrypt(p["msg_signature"], p["timestamp"], p["nonce"], post.body, max_age=300)


def test_a_timestamp_with_leading_zeros_is_still_read_as_seconds() -> None:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
    post = signed_post(sample("delete_user")[0], timestamp="0" * 20 + str(int(time.time())))
    p = post.params
    assert crypto.decrypt(p["msg_signature"], p["timestamp"], p["nonce"], post.body, max_age=300)


# ---- CreateTime outside the datetime range


@pytest.mark.parametrize("create_time", ["99999999999999999999", "9" * 5000, "-5", "253402300800"])
def test_a_known_event_with_an_impossible_create_time_gets_400(
    serve: Serve, client: httpx.Client, create_time: str
) -> None:
    recorder = Recorder()
    post = signed_post(SAMPLES["create_user"].format(corp=CORP_ID, ts=create_time))
    with serve(recorder) as url:
        response = client.post(f"{url}/cb", params=post.params, content=post.body)
    assert response.status_code == 400
    assert response.text == "EventParseError"
    assert recorder.events == []


def test_an_unknown_event_with_a_5000_digit_create_time_is_handed_over_without_it(
    serve: Serve, client: httpx.Client
) -> None:
    recorder = Recorder()
    xml = (f"<xml><ToUserName>{CORP_ID}</ToUserName><CreateTime>{'7' * 5000}</CreateTime>"
           "<MsgType>event</MsgType><Event>something_new</Event></xml>")
    post = signed_post(xml)
    with serve(recorder) as url:
        response = client.post(f"{url}/cb", params=post.params, content=post.body)
    assert response.status_code == 200
    (event,) = recorder.wait_for(1)
    assert isinstance(event, UnknownEvent) and event.create_time is None


def test_the_last_second_of_year_9999_is_accepted_and_created_at_works() -> None:
    event = event_from_raw({"Event": "change_contact", "ChangeType": "delete_user",
                            "CreateTime": "253402300799", "UserID": "u"})
    assert not isinstance(event, UnknownEvent)
    assert event.created_at == datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("create_time", [10**30, -(10**30), 253402300800])
def test_created_at_never_raises_on_a_hand_built_event(create_time: int) -> None:
    from wecom_contacts.callback import DeleteUserEvent

    event = DeleteUserEvent(create_time=create_time, raw={}, change_type="delete_user",
                            user_id="u")
    assert event.created_at.tzinfo is timezone.utc
    assert event.created_at.year in (1, 9999)
