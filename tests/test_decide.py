"""Pure pipeline rules: body encoding, envelope decoding, retry decisions."""

from __future__ import annotations

import pytest

from wecom_contacts import (
    ApiError,
    BadResponse,
    Busy,
    Conflict,
    ConnectError,
    ConnectionDropped,
    NotFound,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    TokenError,
)
from wecom_contacts._endpoints import endpoint
from wecom_contacts._http.decide import decode_envelope, encode_body, retry_delay
from wecom_contacts._http.transport import RawResponse
from wecom_contacts._types import NOT_GIVEN, drop_omitted
from wecom_contacts.errors import error_for

POLICY = RetryPolicy(max_attempts=4, total_timeout=30, base_delay=0.5, max_delay=8)
CREATE = endpoint("department/create")
GET = endpoint("department/get")


def _raw(body: bytes, status: int = 200) -> RawResponse:
    return RawResponse(status, body, "application/json")


def test_encode_body_sends_raw_utf8_never_unicode_escapes() -> None:
    assert encode_body({"name": "研发"}) == '{"name":"研发"}'.encode()


def test_drop_omitted_removes_not_given_and_none_only() -> None:
    assert drop_omitted(a=NOT_GIVEN, b=None, c=0, d="", e=False) == {"c": 0, "d": "", "e": False}


def test_decode_envelope_returns_payload_on_errcode_zero() -> None:
    assert decode_envelope(_raw(b'{"errcode":0,"errmsg":"ok","id":3}'), "x")["id"] == 3


@pytest.mark.parametrize(
    ("code", "cls"),
    [(60102, Conflict), (60003, NotFound), (45009, RateLimited), (-1, Busy), (42001, TokenError)],
)
def test_decode_envelope_raises_the_kind_of_the_errcode(code: int, cls: type[ApiError]) -> None:
    with pytest.raises(cls) as info:
        decode_envelope(_raw(b'{"errcode":%d,"errmsg":"boom"}' % code), "user/create")
    assert info.value.errcode == code and info.value.endpoint == "user/create"


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"<html>bad gateway</html>", 502), (b"<html>proxy</html>", 200), (b"[1,2]", 200)],
)
def test_non_envelopes_are_bad_responses(raw: bytes, status: int) -> None:
    with pytest.raises(BadResponse) as info:
        decode_envelope(_raw(raw, status), "x")
    assert info.value.status_code == status


def test_backoff_grows_with_jitter_and_stays_within_bounds() -> None:
    err = error_for(-1, "busy", endpoint="x")
    lows = [retry_delay(POLICY, err, GET, attempt=a, elapsed=0, rand=lambda: 0.0)
            for a in (1, 2, 3)]
    highs = [retry_delay(POLICY, err, GET, attempt=a, elapsed=0, rand=lambda: 1.0)
             for a in (1, 2, 3)]
    assert lows == [0.25, 0.5, 1.0] and highs == [0.5, 1.0, 2.0]


def test_no_retry_after_max_attempts_or_past_deadline() -> None:
    err = error_for(-1, "busy", endpoint="x")
    assert retry_delay(POLICY, err, GET, attempt=4, elapsed=0) is None
    assert retry_delay(POLICY, err, GET, attempt=1, elapsed=29.9) is None


@pytest.mark.parametrize("code", [-1, 45009, 45033])
def test_transient_errcodes_retry_even_for_creates(code: int) -> None:
    assert retry_delay(POLICY, error_for(code, "", endpoint="x"), CREATE, attempt=1,
                       elapsed=0) is not None


@pytest.mark.parametrize("code", [60003, 60102, 40058, 48002])
def test_other_errcodes_never_retry(code: int) -> None:
    assert retry_delay(POLICY, error_for(code, "", endpoint="x"), GET, attempt=1,
                       elapsed=0) is None


def test_ambiguous_transport_failures_resend_only_idempotent_calls() -> None:
    for err in (RequestTimeout("t"), ConnectionDropped("d")):
        assert retry_delay(POLICY, err, GET, attempt=1, elapsed=0) is not None
        assert retry_delay(POLICY, err, CREATE, attempt=1, elapsed=0) is None
    assert retry_delay(POLICY, ConnectError("c"), CREATE, attempt=1, elapsed=0) is not None


def test_server_errors_resend_creates_only_on_503() -> None:
    e500 = BadResponse("x", status_code=500, endpoint="x")
    e503 = BadResponse("x", status_code=503, endpoint="x")
    assert retry_delay(POLICY, e500, CREATE, attempt=1, elapsed=0) is None
    assert retry_delay(POLICY, e500, GET, attempt=1, elapsed=0) is not None
    assert retry_delay(POLICY, e503, CREATE, attempt=1, elapsed=0) is not None


def test_rate_limit_backs_off_longer_than_busy() -> None:
    busy = retry_delay(POLICY, error_for(-1, "", endpoint="x"), GET, attempt=1, elapsed=0,
                       rand=lambda: 1.0)
    limited = retry_delay(POLICY, error_for(45009, "", endpoint="x"), GET, attempt=1,
                          elapsed=0, rand=lambda: 1.0)
    assert busy is not None and limited is not None and limited > busy


def test_error_after_resend_says_the_first_attempt_may_have_applied() -> None:
    err = error_for(60102, "userid existed", endpoint="user/create", resent=True)
    assert isinstance(err, Conflict) and err.resent
    assert "may have been applied" in str(err)
