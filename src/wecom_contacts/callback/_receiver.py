"""Request handling shared by the ASGI and WSGI receivers: checks and answers, no I/O."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .crypto import CallbackCrypto
from .errors import (
    CallbackError,
    ReceiverMismatchError,
    SignatureError,
    StaleTimestampError,
)
from .events import CallbackEvent
from .parsing import parse_event
from .replay import DedupStore, MemoryDedupStore, dedup_key

logger = logging.getLogger("wecom_contacts.callback")

DEFAULT_MAX_BODY_SIZE = 1 << 20
_POST_PARAMS = ("msg_signature", "timestamp", "nonce")
_GET_PARAMS = (*_POST_PARAMS, "echostr")


@dataclass(frozen=True, slots=True)
class Reply:
    """Status, body and extra headers of one answer."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    """An authenticated, decrypted, parsed event and its de-duplication key."""

    event: CallbackEvent
    key: str


ACK = Reply(200)


def _status(exc: CallbackError) -> int:
    if isinstance(exc, (SignatureError, StaleTimestampError, ReceiverMismatchError)):
        return 403
    return 400


class ReceiverCore:
    """Verification, decryption, parsing and the answers for each outcome."""

    def __init__(
        self,
        crypto: CallbackCrypto,
        *,
        max_age: float | None,
        dedup: DedupStore | Literal[False] | None,
        dedup_ttl: float | None,
        max_body_size: int,
        ack_first: bool,
        retry_on_error: bool,
    ) -> None:
        if max_age is not None and max_age <= 0:
            raise ValueError("max_age must be positive seconds, or None to accept any age")
        if max_body_size <= 0:
            raise ValueError("max_body_size must be a positive number of bytes")
        if ack_first and retry_on_error:
            raise ValueError(
                "retry_on_error needs the handler to finish before the answer; "
                "it cannot be combined with ack_first"
            )
        self.crypto = crypto
        self.max_age = max_age
        self.dedup: DedupStore | None = MemoryDedupStore() if dedup is None else dedup or None
        # Keys must outlive every accepted replay of a message: its signed timestamp is
        # accepted for max_age either side of the clock.
        self.dedup_ttl = dedup_ttl or max(2 * (max_age or 0), 600.0)
        self.max_body_size = max_body_size
        self.ack_first = ack_first
        self.retry_on_error = retry_on_error

    def verify(self, query: Mapping[str, str], client: str) -> Reply:
        """Answer a URL-verification GET with the decrypted echostr."""
        missing = [name for name in _GET_PARAMS if name not in query]
        if missing:
            return self._reject_params(missing, "GET", client)
        # Base64 never contains spaces: a space here is a '+' that was not percent-encoded.
        echostr = query["echostr"].replace(" ", "+")
        try:
            plain = self.crypto.verify_url(
                query["msg_signature"], query["timestamp"], query["nonce"], echostr,
                max_age=self.max_age,
            )
        except CallbackError as exc:
            return self.reject(exc, "URL verification", client)
        logger.info("callback URL verified (client %s)", client)
        return Reply(200, plain.encode("utf-8"))

    def open(self, query: Mapping[str, str], body: bytes, client: str) -> Delivery | Reply:
        """Authenticate, decrypt and parse a POSTed event, or answer why not."""
        missing = [name for name in _POST_PARAMS if name not in query]
        if missing:
            return self._reject_params(missing, "POST", client)
        try:
            plain = self.crypto.decrypt_bytes(
                query["msg_signature"], query["timestamp"], query["nonce"], body,
                max_age=self.max_age,
            )
            event = parse_event(plain)
        except CallbackError as exc:
            return self.reject(exc, "event", client)
        return Delivery(event, dedup_key(event))

    def reject(self, exc: CallbackError, what: str, client: str) -> Reply:
        """Log a refused request and answer 4xx."""
        status = _status(exc)
        name = type(exc).__name__
        logger.warning("callback %s rejected with %d, %s: %s (client %s)",
                       what, status, name, exc, client)
        return Reply(status, name.encode("ascii"))

    def _reject_params(self, missing: list[str], method: str, client: str) -> Reply:
        logger.warning("callback %s rejected with 400: missing query parameter(s) %s "
                       "(client %s)", method, ", ".join(missing), client)
        return Reply(400, b"missing query parameter: " + ", ".join(missing).encode())

    def too_large(self, client: str) -> Reply:
        """Answer a body over `max_body_size`."""
        logger.warning("callback rejected with 413: body over %d bytes (client %s)",
                       self.max_body_size, client)
        return Reply(413, b"request body too large")

    def bad_request(self, reason: str, client: str) -> Reply:
        """Answer a request the server could not read."""
        logger.warning("callback rejected with 400: %s (client %s)", reason, client)
        return Reply(400, reason.encode("utf-8"))

    def method_not_allowed(self, method: str, client: str) -> Reply:
        """Answer anything but GET and POST."""
        logger.warning("callback rejected with 405: method %s (client %s)", method[:16], client)
        return Reply(405, b"GET or POST only", (("Allow", "GET, POST"),))

    def duplicate(self, delivery: Delivery, client: str) -> Reply:
        """Acknowledge a retry of a message already handed to the handler."""
        logger.info("callback duplicate %s acknowledged without calling the handler "
                    "(key %s, client %s)", _describe(delivery.event), delivery.key, client)
        return ACK

    def dedup_failed(self, delivery: Delivery, *, forgetting: bool = False) -> None:
        """Log a store failure (call from `except`); the event is still handled, since a
        duplicate beats a loss."""
        consequence = ("WeCom's retry of it will be ignored" if forgetting
                       else "handling the event without de-duplication")
        logger.exception("callback de-duplication store failed for key %s; %s",
                         delivery.key, consequence)

    def handler_failed(self, delivery: Delivery) -> Reply:
        """Log the handler's exception (call from `except`); 503 asks WeCom to retry."""
        logger.exception("callback handler raised on %s (key %s)",
                         _describe(delivery.event), delivery.key)
        if self.retry_on_error:
            return Reply(503, b"handler failed; retry later")
        return ACK


def _describe(event: CallbackEvent) -> str:
    kind = getattr(event, "change_type", None) or event.event or "message"
    return f"{type(event).__name__}({kind})"
