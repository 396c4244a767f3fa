"""Pure request/response logic: body encoding, envelope decoding, the retry decision.

Nothing here does I/O, so each rule has a unit test of its own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._endpoints import Endpoint
from ..errors import (
    ApiError,
    BadResponse,
    Busy,
    ConnectError,
    RateLimited,
    TransportError,
    WeComError,
    error_for,
)
from .answers import Answer
from .transport import RawResponse

__all__ = ["RetryPolicy", "decode_envelope", "encode_body", "plain_success", "retry_delay"]

T = TypeVar("T")


def encode_body(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON without ``\\uXXXX`` escapes: WeCom refuses them (40033)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_envelope(raw: RawResponse, endpoint: str, *, resent: bool = False) -> dict[str, Any]:
    """Return the payload of a successful envelope, or raise the typed error it carries."""
    if raw.status_code != 200:
        raise BadResponse("WeCom answered with an HTTP error", status_code=raw.status_code,
                          endpoint=endpoint)
    try:
        data = json.loads(raw.content)
    except ValueError:
        raise BadResponse("the body is not JSON (a proxy page?)", status_code=raw.status_code,
                          endpoint=endpoint) from None
    if not isinstance(data, dict) or not isinstance(data.get("errcode", 0), int):
        raise BadResponse("the body is not a WeCom envelope", status_code=raw.status_code,
                          endpoint=endpoint)
    errcode = data.get("errcode", 0)
    if errcode != 0:
        raise error_for(errcode, str(data.get("errmsg", "")), endpoint=endpoint, resent=resent)
    return data


def plain_success(raw: RawResponse, answer: Answer[T]) -> T | None:
    """The endpoint's result when the answer is a plain success, read in one pass; else None.

    Plain: HTTP 200, errcode 0 (or none), a body the model accepts. For anything else the
    caller hands the answer to `decode_envelope`, which decides the error, and builds the
    result with `answer.slow`: errors and refusals are exactly those of that general path.
    """
    return answer.fast(raw.content) if raw.status_code == 200 else None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts and a total deadline bound every call."""

    max_attempts: int = 4
    total_timeout: float = 60.0
    base_delay: float = 0.2
    max_delay: float = 8.0
    # How long to back off after a rate-limit answer; WeCom blocks for the window exceeded.
    rate_limit_delay: float = 1.0


# 503 means the server did not take the request; other 5xx after a non-idempotent POST may
# mean it was applied, so those are resent only for idempotent calls.
_SAFE_STATUS = frozenset({429, 503})


def _retryable(error: WeComError, endpoint: Endpoint) -> bool:
    if isinstance(error, (Busy, RateLimited)):
        # -1 / 45009 / 45033 are answers to a request WeCom did not carry out.
        return error.errcode in (-1, 45009, 45033) or endpoint.idempotent
    if isinstance(error, ApiError):
        return False
    if isinstance(error, BadResponse):
        if error.status_code in _SAFE_STATUS:
            return True
        return error.status_code >= 500 and endpoint.idempotent
    if isinstance(error, ConnectError):
        return True
    if isinstance(error, TransportError):
        return endpoint.idempotent
    return False


def retry_delay(
    policy: RetryPolicy,
    error: WeComError,
    endpoint: Endpoint,
    *,
    attempt: int,
    elapsed: float,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None to give up and raise ``error``.

    Full jitter on an exponential backoff; never past the policy's total deadline.
    """
    if attempt >= policy.max_attempts or not _retryable(error, endpoint):
        return None
    if isinstance(error, RateLimited):
        base = policy.rate_limit_delay * float(2 ** (attempt - 1))
    else:
        base = policy.base_delay * float(2 ** (attempt - 1))
    delay = min(policy.max_delay, base) * (0.5 + rand() / 2)
    if elapsed + delay >= policy.total_timeout:
        return None
    return delay
