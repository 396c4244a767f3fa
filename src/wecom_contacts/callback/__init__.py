"""Receive WeCom contact-change callbacks: crypto, typed events, ASGI and WSGI receivers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .crypto import CallbackCrypto, EncryptedMessage
from .errors import (
    CallbackError,
    EventParseError,
    InvalidKeyError,
    MalformedEnvelopeError,
    MalformedXMLError,
    PaddingError,
    ReceiverMismatchError,
    SignatureError,
    StaleTimestampError,
    UnsafeXMLError,
)
from .events import (
    BaseEvent,
    BatchJobResultEvent,
    CallbackEvent,
    ChangeContactEvent,
    CreatePartyEvent,
    CreateUserEvent,
    DeletePartyEvent,
    DeleteUserEvent,
    ExtAttrItem,
    UnknownEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
)
from .parsing import event_from_raw, parse_event
from .replay import DedupStore, MemoryDedupStore, dedup_key
from .wsgi import CallbackWSGIApp, make_wsgi_app

if TYPE_CHECKING:
    from .asgi import make_asgi_app

__all__ = [
    "BaseEvent",
    "BatchJobResultEvent",
    "CallbackCrypto",
    "CallbackError",
    "CallbackEvent",
    "CallbackWSGIApp",
    "ChangeContactEvent",
    "CreatePartyEvent",
    "CreateUserEvent",
    "DedupStore",
    "DeletePartyEvent",
    "DeleteUserEvent",
    "EncryptedMessage",
    "EventParseError",
    "ExtAttrItem",
    "InvalidKeyError",
    "MalformedEnvelopeError",
    "MalformedXMLError",
    "MemoryDedupStore",
    "PaddingError",
    "ReceiverMismatchError",
    "SignatureError",
    "StaleTimestampError",
    "UnknownEvent",
    "UnsafeXMLError",
    "UpdatePartyEvent",
    "UpdateTagEvent",
    "UpdateUserEvent",
    "dedup_key",
    "event_from_raw",
    "make_asgi_app",
    "make_wsgi_app",
    "parse_event",
]


def __getattr__(name: str) -> Any:
    # Starlette is the optional [server] extra: import it only when the ASGI app is wanted.
    if name == "make_asgi_app":
        from .asgi import make_asgi_app

        return make_asgi_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "make_asgi_app"])
