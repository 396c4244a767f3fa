"""Exceptions raised while verifying, decrypting and parsing WeCom callbacks."""

# WeComError (wecom_contacts.errors)
# └── CallbackError                  every failure below; .code = WXBizMsgCrypt error code or None
# ├── InvalidKeyError (ValueError)   EncodingAESKey is not 43 Base64 characters       -40004
# ├── SignatureError                 msg_signature does not match (forged / wrong Token) -40001
# ├── StaleTimestampError            timestamp outside the allowed window (replay)
# ├── PaddingError                   PKCS#7 (32-byte blocks) check failed (wrong key)   -40007
# ├── ReceiverMismatchError          ReceiveId in the message is not our corp id        -40005
# └── MalformedEnvelopeError         not shaped as documented (Base64, lengths, fields) -40002
#     ├── MalformedXMLError          not well-formed XML (envelope or decrypted message)
#     │   └── UnsafeXMLError         carries a DTD or entity declarations: refused
#     └── EventParseError            a known event has a field with an invalid value

from __future__ import annotations

from ..errors import WeComError

__all__ = [
    "CallbackError",
    "EventParseError",
    "InvalidKeyError",
    "MalformedEnvelopeError",
    "MalformedXMLError",
    "PaddingError",
    "ReceiverMismatchError",
    "SignatureError",
    "StaleTimestampError",
    "UnsafeXMLError",
]


class CallbackError(WeComError):
    """Base of every callback failure; texts never contain the Token or EncodingAESKey."""

    code: int | None = None


class InvalidKeyError(CallbackError, ValueError):
    """The EncodingAESKey cannot be a WeCom key."""

    code = -40004


class SignatureError(CallbackError):
    """msg_signature does not match the Token, timestamp, nonce and ciphertext."""

    code = -40001


class StaleTimestampError(CallbackError):
    """The signed timestamp lies outside the accepted window."""


class PaddingError(CallbackError):
    """The decrypted buffer does not end in valid PKCS#7 padding (32-byte blocks)."""

    code = -40007


class ReceiverMismatchError(CallbackError):
    """The ReceiveId inside the ciphertext is not the configured corp id."""

    code = -40005


class MalformedEnvelopeError(CallbackError):
    """What was received is not shaped like a WeCom callback."""

    code = -40002


class MalformedXMLError(MalformedEnvelopeError):
    """The envelope or the decrypted message is not well-formed XML."""


class UnsafeXMLError(MalformedXMLError):
    """The XML carries a DTD or entity declarations, which are refused."""


class EventParseError(MalformedEnvelopeError):
    """A known event carries a field whose value cannot be converted."""
