"""WXBizMsgCrypt-compatible signing, encryption and decryption of WeCom callbacks (no I/O)."""

from __future__ import annotations

import binascii
import hashlib
import hmac
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import (
    InvalidKeyError,
    MalformedEnvelopeError,
    PaddingError,
    ReceiverMismatchError,
    SignatureError,
    StaleTimestampError,
)
from .safexml import root_child_text

__all__ = ["CallbackCrypto", "EncryptedMessage"]

# Unix seconds have 10 digits until the year 2286; 12 leave room and bound the arithmetic.
_MAX_TIMESTAMP_DIGITS = 12

# WXBizMsgCrypt pads to 32-byte blocks, not AES's 16 (see callbacks.md §3).
_BLOCK = 32
_RANDOM_PREFIX = 16
_HEADER = _RANDOM_PREFIX + 4
_KEY_CHARS = re.compile(r"[A-Za-z0-9+/]{43}")
# The POST body exactly as WeCom builds it: this head, then the Encrypt CDATA of Base64
# characters only, then _ENVELOPE_TAIL. Such a body is well-formed XML without a DTD, so
# reading the Encrypt CDATA from it gives what the expat path gives, in a third of the
# time (expat's Python callbacks cost more than the rest of decryption). Anything else,
# even equivalent XML, takes the expat path with all its checks. The regex covers only
# the head: scanning the ciphertext's kilobyte with it cost a microsecond a message.
_ENVELOPE_HEAD = re.compile(
    rb"<xml><ToUserName><!\[CDATA\[[\w.@-]*\]\]></ToUserName>"
    rb"<AgentID><!\[CDATA\[\w*\]\]></AgentID>"
)
_ENCRYPT_START = b"<Encrypt><![CDATA["
_ENVELOPE_TAIL = b"]]></Encrypt></xml>"


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside one CDATA section; split it across two.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass(frozen=True, slots=True)
class EncryptedMessage:
    """A signed ciphertext with the timestamp and nonce it was signed with."""

    encrypt: str
    msg_signature: str
    timestamp: str
    nonce: str

    def as_reply_xml(self) -> str:
        """The passive-reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce)."""
        return (
            f"<xml><Encrypt>{_cdata(self.encrypt)}</Encrypt>"
            f"<MsgSignature>{_cdata(self.msg_signature)}</MsgSignature>"
            f"<TimeStamp>{escape(self.timestamp)}</TimeStamp>"
            f"<Nonce>{_cdata(self.nonce)}</Nonce></xml>"
        )

    def as_post_body(self, to_user_name: str, agent_id: str = "") -> str:
        """The envelope WeCom POSTs to a callback URL."""
        return (
            f"<xml><ToUserName>{_cdata(to_user_name)}</ToUserName>"
            f"<AgentID>{_cdata(agent_id)}</AgentID>"
            f"<Encrypt>{_cdata(self.encrypt)}</Encrypt></xml>"
        )

    def as_query(self, *, echostr: bool = False) -> dict[str, str]:
        """Query parameters of the POST (or, with `echostr=True`, of the verification GET)."""
        query = {
            "msg_signature": self.msg_signature,
            "timestamp": self.timestamp,
            "nonce": self.nonce,
        }
        if echostr:
            query["echostr"] = self.encrypt
        return query


class CallbackCrypto:
    """Signature, AES-256-CBC and envelope handling for one callback configuration.

    https://developer.work.weixin.qq.com/document/path/90968

    Args:
        token: the callback Token from the WeCom console.
        encoding_aes_key: the 43-character EncodingAESKey.
        receive_id: the corp id (suite id for third-party suites); every decrypted message
            must end with it.
        clock: seconds since the epoch; used for `max_age` checks and default timestamps.
        random_bytes: source of the 16-byte prefix and of nonces.
    """

    __slots__ = (
        "_aes", "_clock", "_decryptors", "_random", "_receive_id", "_receive_id_bytes", "_token"
    )

    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receive_id: str,
        *,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("token must be the non-empty Token from the WeCom console")
        self._token = token
        key = _decode_key(encoding_aes_key)
        # WXBizMsgCrypt uses the key's first 16 bytes as the IV.
        self._aes = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
        self._decryptors = _Decryptors(self._aes)
        self._receive_id = receive_id
        self._receive_id_bytes = receive_id.encode("utf-8", "surrogatepass")
        self._clock = clock
        self._random = random_bytes

    def __repr__(self) -> str:
        return f"CallbackCrypto(receive_id={self._receive_id!r})"

    @property
    def receive_id(self) -> str:
        """The corp id (or suite id) every message must be addressed to."""
        return self._receive_id

    def sign(self, timestamp: str, nonce: str, data: str) -> str:
        """SHA-1 over the sorted concatenation of Token, timestamp, nonce and data."""
        joined = "".join(sorted((self._token, timestamp, nonce, data)))
        return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()

    def verify_url(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        echostr: str,
        *,
        max_age: float | None = None,
    ) -> str:
        """Check a verification GET and return the plaintext to echo back.

        Args:
            max_age: when given, also refuse timestamps further than this many seconds from
                `clock()`; by default any timestamp is accepted.
        """
        self._authenticate(msg_signature, timestamp, nonce, echostr, max_age)
        return _utf8(self._open(echostr))

    def decrypt(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        body: str | bytes,
        *,
        max_age: float | None = None,
    ) -> str:
        """Check and decrypt a POSTed envelope; return the plaintext message XML.

        Args:
            body: the XML envelope as received (`<xml>…<Encrypt>…</Encrypt></xml>`).
            max_age: as for `verify_url`.
        """
        return _utf8(self.decrypt_bytes(msg_signature, timestamp, nonce, body, max_age=max_age))

    def decrypt_bytes(
        self,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        body: str | bytes,
        *,
        max_age: float | None = None,
    ) -> bytes:
        """As `decrypt`, but return the message as sent (UTF-8 bytes, not yet checked as
        such); `parse_event` takes them without a decode/encode round trip."""
        encrypted, ciphertext = _envelope_ciphertext(body)
        self._authenticate(msg_signature, timestamp, nonce, encrypted, max_age)
        return self._open(encrypted, ciphertext)

    def encrypt(
        self, plaintext: str, *, timestamp: str | int | None = None, nonce: str | None = None
    ) -> str:
        """Encrypt and sign `plaintext`; return the passive-reply envelope XML."""
        return self.encrypt_message(plaintext, timestamp=timestamp, nonce=nonce).as_reply_xml()

    def encrypt_message(
        self, plaintext: str, *, timestamp: str | int | None = None, nonce: str | None = None
    ) -> EncryptedMessage:
        """Encrypt and sign `plaintext` as WeCom does; also builds test requests."""
        message = plaintext.encode("utf-8")
        prefix = self._random(_RANDOM_PREFIX)
        if len(prefix) != _RANDOM_PREFIX:
            raise ValueError(f"random_bytes({_RANDOM_PREFIX}) returned {len(prefix)} bytes")
        buffer = prefix + len(message).to_bytes(4, "big") + message + self._receive_id_bytes
        pad = _BLOCK - len(buffer) % _BLOCK
        buffer += bytes((pad,)) * pad
        encryptor = self._aes.encryptor()
        ciphertext = encryptor.update(buffer) + encryptor.finalize()
        encrypted = binascii.b2a_base64(ciphertext, newline=False).decode("ascii")
        ts = str(int(self._clock())) if timestamp is None else str(timestamp)
        nonce = str(int.from_bytes(self._random(4), "big")) if nonce is None else nonce
        return EncryptedMessage(encrypted, self.sign(ts, nonce, encrypted), ts, nonce)

    def _authenticate(
        self, msg_signature: str, timestamp: str, nonce: str, data: str, max_age: float | None
    ) -> None:
        expected = self.sign(timestamp, nonce, data).encode("ascii")
        if not hmac.compare_digest(expected, msg_signature.encode("utf-8", "surrogatepass")):
            raise SignatureError(
                "msg_signature does not match the Token, timestamp, nonce and ciphertext; "
                "check that the Token equals the one configured for this callback URL in the "
                "WeCom console (otherwise the request was forged or altered)"
            )
        if max_age is not None:
            self._check_fresh(timestamp, max_age)

    def _check_fresh(self, timestamp: str, max_age: float) -> None:
        if not (timestamp.isascii() and timestamp.isdigit()):
            raise MalformedEnvelopeError(
                f"timestamp {timestamp[:20]!r} is not decimal Unix seconds"
            )
        if len(timestamp.lstrip("0")) > _MAX_TIMESTAMP_DIGITS:
            # int() of hundreds of digits overflows the float arithmetic below (and past
            # 4,300 digits int() refuses): no such time can be inside any window.
            raise StaleTimestampError(
                f"timestamp {timestamp[:20]}... ({len(timestamp)} digits) is not a time "
                "within any allowed window: a forged or garbled request"
            )
        skew = self._clock() - int(timestamp)
        if abs(skew) > max_age:
            raise StaleTimestampError(
                f"timestamp {timestamp} is {skew:+.0f} s from this server's clock "
                f"(allowed ±{max_age:g} s): a replayed request, or check this server's clock"
            )

    def _open(self, encrypted: str, ciphertext: bytes | None = None) -> bytes:
        """The message inside `encrypted` (whose Base64 decoding `ciphertext` is, if given)."""
        if ciphertext is None:
            try:
                ciphertext = binascii.a2b_base64(encrypted)
            except ValueError:  # binascii.Error, or text that is not ASCII
                raise MalformedEnvelopeError("the ciphertext is not valid Base64") from None
        if not ciphertext or len(ciphertext) % _BLOCK:
            raise MalformedEnvelopeError(
                f"the ciphertext is {len(ciphertext)} bytes; WeCom ciphertexts are a non-empty "
                f"multiple of {_BLOCK} bytes (truncated or not a WeCom message)"
            )
        # Whole blocks in, whole blocks out: the context keeps no bytes back (see _Decryptors).
        plain = self._decryptors.context.update(ciphertext)
        # Signature is checked first, so this cannot serve as a padding oracle.
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes((pad,)) * pad:
            raise PaddingError(
                "decrypted data has invalid PKCS#7 padding; check that the EncodingAESKey "
                "equals the one configured for this callback URL in the WeCom console"
            )
        end = len(plain) - pad
        length = int.from_bytes(plain[_RANDOM_PREFIX:_HEADER], "big")
        if end < _HEADER or _HEADER + length > end:
            raise MalformedEnvelopeError(
                "decrypted buffer is too short for its length field; check that the "
                "EncodingAESKey equals the one configured in the WeCom console"
            )
        receive_id = plain[_HEADER + length : end]
        if receive_id != self._receive_id_bytes:
            got = receive_id.decode("utf-8", "replace")[:64]
            raise ReceiverMismatchError(
                f"message is addressed to ReceiveId {got!r}, not {self.receive_id!r}; check "
                "the corp id (suite id for third-party suites) passed as receive_id"
            )
        return plain[_HEADER : _HEADER + length]


class _Decryptors(threading.local):
    """One AES-CBC decryption context per thread, kept from message to message.

    Creating (and finalizing) a context per message cost ~2 µs, more than the AES work for
    a whole event. Keeping one is exact where it matters: CBC decrypts block i from
    ciphertext blocks i and i-1, so a context that went on from an earlier message differs
    from a fresh one only in the first block's "previous block" (the IV), i.e. only in the
    first 16 plaintext bytes, which are WXBizMsgCrypt's random prefix and are discarded.
    Every ciphertext fed is a whole number of 32-byte blocks (checked first), so the
    context never holds bytes back into the next message. Per thread, because a context
    is not safe to share between threads (WSGI servers call from several).
    """

    def __init__(self, aes: Cipher[modes.CBC]) -> None:
        self.context = aes.decryptor()


def _utf8(message: bytes) -> str:
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEnvelopeError("decrypted message is not UTF-8") from None


def _decode_key(encoding_aes_key: str) -> bytes:
    if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != 43:
        size = len(encoding_aes_key) if isinstance(encoding_aes_key, str) else "not a string"
        raise InvalidKeyError(
            f"EncodingAESKey must be exactly 43 characters (got {size}); copy it from the "
            "callback settings in the WeCom console, without a trailing '='"
        )
    if not _KEY_CHARS.fullmatch(encoding_aes_key):
        raise InvalidKeyError(
            "EncodingAESKey must contain only Base64 characters (A-Z, a-z, 0-9, '+', '/')"
        )
    # 43 chars + "=" carry 258 bits: the lenient decoder drops the last char's low 2 bits,
    # as the official libraries do, so all four equivalent spellings give the same key.
    return binascii.a2b_base64((encoding_aes_key + "=").encode("ascii"))


def _envelope_ciphertext(body: str | bytes) -> tuple[str, bytes | None]:
    """The Encrypt text of a POST body, and its Base64 decoding when that came for free."""
    if isinstance(body, bytes) and body.endswith(_ENVELOPE_TAIL):
        # The head cannot contain "<Encrypt>", so its end is the first one.
        start = body.find(_ENCRYPT_START)
        if start > 0 and _ENVELOPE_HEAD.fullmatch(body, 0, start):
            encrypted = body[start + len(_ENCRYPT_START) : len(body) - len(_ENVELOPE_TAIL)]
            # Strict decoding proves the text is Base64 (so no "]]>", nothing expat would
            # read differently) and gives what the lenient decoding in _open would; what it
            # refuses takes the expat path below, and _open decodes it as before.
            try:
                ciphertext = _strict_base64(encrypted)
            except binascii.Error:
                pass
            else:
                if encrypted:
                    return encrypted.decode("ascii"), ciphertext
    text = (root_child_text(body, "Encrypt", what="callback envelope") or "").strip()
    if not text:
        raise MalformedEnvelopeError(
            "callback envelope has no <Encrypt> element with a value; POST bodies must be "
            "WeCom's <xml><ToUserName/><AgentID/><Encrypt/></xml> envelope"
        )
    return text, None


if sys.version_info >= (3, 11):

    def _strict_base64(data: bytes) -> bytes:
        return binascii.a2b_base64(data, strict_mode=True)

else:  # no strict mode: prove the alphabet first (lenient decoding skips other bytes)
    _BASE64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

    def _strict_base64(data: bytes) -> bytes:
        if data.translate(None, _BASE64_CHARS):
            raise binascii.Error("not Base64")
        return binascii.a2b_base64(data)
