"""ASGI (uvicorn) and WSGI (wsgiref) receivers, tested over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wecom_contacts.callback import CallbackCrypto, make_asgi_app, make_wsgi_app

from .support import (
    ASGI_SERVER_THREAD,
    CORP_ID,
    EXPECTED,
    KEY,
    SAMPLES,
    TOKEN,
    Recorder,
    SignedPost,
    sample,
    serve_asgi,
    serve_wsgi,
    signed_get,
    signed_post,
)

LOGGER = "wecom_contacts.callback"
Serve = Callable[..., contextlib.AbstractContextManager[str]]


class Dispatch:
    """The handler of a shared server: forwards to whichever handler the current test set."""

    def __init__(self) -> None:
        self.target: Callable[[Any], object] = lambda event: None

    def __call__(self, event: Any) -> object:
        return self.target(event)


@contextlib.contextmanager
def _server(kind: str, handler: Callable[[Any], object], **options: Any) -> Iterator[str]:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID, clock=options.pop("clock", time.time))
    if kind == "asgi":
        with serve_asgi(make_asgi_app(crypto, handler, **options)) as url:
            yield url
    else:
        app = make_wsgi_app(crypto, handler, **options)
        try:
            with serve_wsgi(app) as url:
                yield url
        finally:
            app.close()


@pytest.fixture(scope="module")
def shared() -> Iterator[dict[str, tuple[str, Dispatch]]]:
    """One default-configured server per kind for the module, started on first use."""
    with contextlib.ExitStack() as stack:

        class Lazy(dict[str, tuple[str, Dispatch]]):
            def __missing__(self, kind: str) -> tuple[str, Dispatch]:
                dispatch = Dispatch()
                self[kind] = (stack.enter_context(_server(kind, dispatch)), dispatch)
                return self[kind]

        yield Lazy()


@pytest.fixture(params=["asgi", "wsgi"])
def serve(
    request: pytest.FixtureRequest, shared: dict[str, tuple[str, Dispatch]]
) -> Serve:
    """serve(handler, **options) runs a receiver of the parametrised kind; yields its URL.

    Without options the module's shared server is reused (its de-duplication memory too,
    so every test sends messages of its own); with options a new server is started.
    """
    kind = request.param

    @contextlib.contextmanager
    def run(handler: Callable[[Any], object], **options: Any) -> Iterator[str]:
        if options:
            with _server(kind, handler, **options) as url:
                yield url
            return
        url, dispatch = shared[kind]
        dispatch.target = handler
        try:
            yield url
        finally:
            dispatch.target = lambda event: None

    return run


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def post(client: httpx.Client, url: str, signed: SignedPost) -> httpx.Response:
    return client.post(f"{url}/wecom/callback", params=signed.params, content=signed.body)


def rejections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and "rejected" in r.msg]


def test_url_verification_answers_exactly_the_plaintext(serve: Serve, client: httpx.Client) -> None:
    with serve(Recorder()) as url:
        response = client.get(f"{url}/wecom/callback", params=signed_get("1616140317555161061"))
    assert response.status_code == 200
    assert response.content == b"1616140317555161061"
    assert response.headers["content-type"].startswith("text/plain")


def test_url_verification_survives_a_plus_that_was_not_percent_encoded(
    serve: Serve, client: httpx.Client
) -> None:
    prefix = next(p for i in range(256) if "+" in signed_get("42", prefix=(p := bytes([i]) * 16))
                  ["echostr"])
    params = signed_get("42", prefix=prefix)
    query = "&".join(f"{name}={value}" for name, value in params.items())  # raw '+'
    with serve(Recorder()) as url:
        response = client.get(f"{url}/?{query}")
    assert (response.status_code, response.content) == (200, b"42")


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_event_type_reaches_the_handler_typed(
    serve: Serve, client: httpx.Client, kind: str
) -> None:
    recorder = Recorder()
    xml, create_time = sample(kind)
    with serve(recorder) as url:
        response = post(client, url, signed_post(xml))
        (event,) = recorder.wait_for(1)
    assert (response.status_code, response.content) == (200, b"")
    class_name, fields = EXPECTED[kind]
    assert type(event).__name__ == class_name
    assert (event.create_time, event.to_user_name) == (create_time, CORP_ID)
    for name, value in fields.items():
        assert getattr(event, name) == value, name


def test_a_forged_signature_gets_403_and_a_log_line(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    recorder = Recorder()
    with serve(recorder) as url:
        response = post(client, url, signed_post(sample("delete_user")[0], token="guess"))
    assert response.status_code == 403
    assert recorder.events == []
    assert any("SignatureError" in line and "403" in line for line in rejections(caplog))


def test_an_old_timestamp_gets_403(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    recorder = Recorder()
    old = str(int(time.time()) - 301)
    with serve(recorder) as url:
        stale_post = post(client, url, signed_post(sample("delete_user")[0], timestamp=old))
        stale_get = client.get(url, params=signed_get("1", timestamp=old))
    assert (stale_post.status_code, stale_get.status_code) == (403, 403)
    assert recorder.events == []
    assert any("StaleTimestampError" in line for line in rejections(caplog))


def test_max_age_none_accepts_old_timestamps(serve: Serve, client: httpx.Client) -> None:
    recorder = Recorder()
    with serve(recorder, max_age=None) as url:
        response = post(client, url, signed_post(sample("delete_user")[0], timestamp="1"))
    assert response.status_code == 200 and len(recorder.events) == 1


def test_a_retried_message_is_handled_once_and_both_deliveries_get_200(
    serve: Serve, client: httpx.Client
) -> None:
    recorder = Recorder()
    xml, _ = sample("update_user")
    # WeCom's retry: same message, new random prefix, nonce and signature.
    first = signed_post(xml, prefix=b"a" * 16, nonce="1")
    retry = signed_post(xml, prefix=b"b" * 16, nonce="2")
    assert first.body != retry.body
    with serve(recorder) as url:
        responses = [post(client, url, first), post(client, url, retry), post(client, url, first)]
        time.sleep(0.1)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len(recorder.events) == 1


def test_different_events_in_the_same_second_are_all_handled(
    serve: Serve, client: httpx.Client
) -> None:
    recorder = Recorder()
    head = (f"<xml><ToUserName>{CORP_ID}</ToUserName><FromUserName>sys</FromUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
            "<Event>change_contact</Event><ChangeType>update_user</ChangeType>"
            "<UserID>zhangsan</UserID>")
    with serve(recorder) as url:
        for change in ("<Name>a</Name>", "<Mobile>1</Mobile>", "<Status>2</Status>"):
            assert post(client, url, signed_post(head + change + "</xml>")).status_code == 200
        events = recorder.wait_for(3)
    assert [(e.name, e.mobile, e.status) for e in events] == [
        ("a", None, None), (None, "1", None), (None, None, 2)
    ]


def test_dedup_false_hands_every_delivery_to_the_handler(
    serve: Serve, client: httpx.Client
) -> None:
    recorder = Recorder()
    signed = signed_post(sample("delete_party")[0])
    with serve(recorder, dedup=False) as url:
        post(client, url, signed)
        post(client, url, signed)
        recorder.wait_for(2)


def test_an_oversized_body_gets_413(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    signed = signed_post(sample("delete_user")[0])
    signed.body = signed.body.replace(b"<AgentID>", b"<AgentID>" + b" " * 3000)
    with serve(Recorder(), max_body_size=2048) as url:
        response = post(client, url, signed)
    assert response.status_code == 413
    assert any("413" in line for line in rejections(caplog))


def test_the_default_body_limit_is_one_mebibyte(serve: Serve, client: httpx.Client) -> None:
    recorder = Recorder()
    small = signed_post(sample("delete_user")[0])
    padded = SignedPost(small.params, small.body.replace(
        b"<AgentID>", b"<AgentID>" + b" " * (1024 * 1024 - len(small.body))))
    assert len(padded.body) == 1024 * 1024
    too_big = SignedPost(small.params, padded.body + b" ")
    with serve(recorder) as url:
        assert post(client, url, padded).status_code == 200
        assert post(client, url, too_big).status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>',
        b'<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<xml><Encrypt>&b;</Encrypt></xml>",
    ],
)
def test_dtd_bearing_envelopes_get_400(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    signed = signed_post(sample("delete_user")[0])
    with serve(Recorder()) as url:
        response = post(client, url, SignedPost(signed.params, body))
    assert response.status_code == 400
    assert any("UnsafeXMLError" in line for line in rejections(caplog))


def test_a_dtd_inside_the_encrypted_message_gets_400(serve: Serve, client: httpx.Client) -> None:
    recorder = Recorder()
    inner = ('<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Event>'
             "change_contact</Event><ChangeType>delete_user</ChangeType><UserID>&x;</UserID></xml>")
    with serve(recorder) as url:
        response = post(client, url, signed_post(inner))
    assert response.status_code == 400 and recorder.events == []


@pytest.mark.parametrize(
    ("method", "query", "body", "status"),
    [
        ("POST", {"timestamp": "1", "nonce": "1"}, b"<xml/>", 400),
        ("POST", None, b"garbage", 400),
        ("POST", None, b"<xml><Encrypt>AAAA</Encrypt>", 400),
        ("GET", {"msg_signature": "x", "timestamp": "1", "nonce": "1"}, b"", 400),
        ("PUT", None, b"<xml/>", 405),
        ("DELETE", None, b"", 405),
    ],
)
def test_malformed_requests_get_4xx(
    serve: Serve, client: httpx.Client, method: str, query: dict[str, str] | None,
    body: bytes, status: int,
) -> None:
    params = query if query is not None else signed_post("<xml/>").params
    with serve(Recorder()) as url:
        response = client.request(method, url, params=params, content=body)
    assert response.status_code == status


def test_a_failing_handler_is_logged_and_acknowledged(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    def fail(event: Any) -> None:
        raise RuntimeError("database down")

    with serve(fail) as url:
        response = post(client, url, signed_post(sample("delete_user")[0]))
    assert response.status_code == 200
    (record,) = [r for r in caplog.records if r.name == LOGGER and r.exc_info]
    assert "handler raised" in record.getMessage() and "DeleteUserEvent" in record.getMessage()
    assert "database down" in str(record.exc_info[1])  # type: ignore[index]


def test_retry_on_error_answers_503_and_handles_wecoms_retry(
    serve: Serve, client: httpx.Client
) -> None:
    attempts: list[str] = []

    def flaky(event: Any) -> None:
        attempts.append(event.user_id)
        if len(attempts) == 1:
            raise RuntimeError("try again")

    xml, _ = sample("delete_user")
    with serve(flaky, retry_on_error=True) as url:
        first = post(client, url, signed_post(xml, nonce="1"))
        retry = post(client, url, signed_post(xml, nonce="2"))
        again = post(client, url, signed_post(xml, nonce="3"))
    assert [first.status_code, retry.status_code, again.status_code] == [503, 200, 200]
    assert attempts == ["zhangsan", "zhangsan"]


def test_ack_first_answers_before_the_handler_finishes(serve: Serve, client: httpx.Client) -> None:
    release = threading.Event()
    recorder = Recorder(lambda event: release.wait(5))
    with serve(recorder, ack_first=True) as url:
        started = time.monotonic()
        response = post(client, url, signed_post(sample("create_party")[0]))
        answered_in = time.monotonic() - started
        assert recorder.events == []
        release.set()
        recorder.wait_for(1)
    assert response.status_code == 200 and answered_in < 4


def test_ack_first_handler_failures_are_logged(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    failed = threading.Event()

    def fail(event: Any) -> None:
        failed.set()
        raise RuntimeError("late failure")

    with serve(fail, ack_first=True) as url:
        assert post(client, url, signed_post(sample("delete_user")[0])).status_code == 200
        assert failed.wait(5)
        deadline = time.monotonic() + 5
        while not any(r.exc_info for r in caplog.records) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert any(r.exc_info and r.name == LOGGER for r in caplog.records)


def test_retry_on_error_cannot_be_combined_with_ack_first() -> None:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
    for make in (make_asgi_app, make_wsgi_app):
        with pytest.raises(ValueError, match="ack_first"):
            make(crypto, print, ack_first=True, retry_on_error=True)


class BrokenStore:
    def seen(self, key: str, ttl: float) -> bool:
        raise ConnectionError("redis unreachable")

    async def aseen(self, key: str, ttl: float) -> bool:
        raise ConnectionError("redis unreachable")

    def forget(self, key: str) -> None:
        raise ConnectionError("redis unreachable")

    async def aforget(self, key: str) -> None:
        raise ConnectionError("redis unreachable")


def test_a_failing_dedup_store_is_logged_and_the_event_still_handled(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    recorder = Recorder()
    with serve(recorder, dedup=BrokenStore()) as url:
        response = post(client, url, signed_post(sample("delete_user")[0]))
        recorder.wait_for(1)
    assert response.status_code == 200
    assert any("de-duplication store failed" in r.getMessage() for r in caplog.records)


def test_a_store_that_cannot_forget_is_logged_and_503_still_asks_for_a_retry(
    serve: Serve, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    def fail(event: Any) -> None:
        raise RuntimeError("down")

    with serve(fail, dedup=BrokenStore(), retry_on_error=True) as url:
        response = post(client, url, signed_post(sample("delete_user")[0]))
    assert response.status_code == 503
    assert any("retry of it will be ignored" in r.getMessage() for r in caplog.records)


# ---- ASGI only


def test_asgi_accepts_an_async_handler(client: httpx.Client) -> None:
    seen: list[Any] = []

    async def handler(event: Any) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    app = make_asgi_app(CallbackCrypto(TOKEN, KEY, CORP_ID), handler)
    with serve_asgi(app) as url:
        assert post(client, url, signed_post(sample("delete_party")[0])).status_code == 200
    assert [type(e).__name__ for e in seen] == ["DeletePartyEvent"]


def test_asgi_runs_a_sync_handler_off_the_event_loop(client: httpx.Client) -> None:
    recorder = Recorder()
    app = make_asgi_app(CallbackCrypto(TOKEN, KEY, CORP_ID), recorder)
    with serve_asgi(app) as url:
        post(client, url, signed_post(sample("delete_party")[0]))
        recorder.wait_for(1)
    assert recorder.threads[0] != ASGI_SERVER_THREAD


def test_asgi_app_can_be_mounted_under_any_path(client: httpx.Client) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    recorder = Recorder()
    inner = make_asgi_app(CallbackCrypto(TOKEN, KEY, CORP_ID), recorder)
    outer = Starlette(routes=[Mount("/hooks/wecom", app=inner)])
    with serve_asgi(outer) as url:
        response = client.post(f"{url}/hooks/wecom/contacts",
                               params=(s := signed_post(sample("delete_user")[0])).params,
                               content=s.body)
    assert response.status_code == 200 and len(recorder.events) == 1
