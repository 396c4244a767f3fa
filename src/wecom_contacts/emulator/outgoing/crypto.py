"""WeCom callback encryption as the server side does it: AES-256-CBC envelope and signature."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Written apart from wecom_contacts.callback on purpose (callbacks.md §2-§3): a mistake
# shared by the sender and the receiver would otherwise pass every end-to-end test.

_KEY_CHARS = re.compile(r"[A-Za-z0-9]{43}")
_BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16 (callbacks.md §3)


class CallbackKeyError(ValueError):
    """An EncodingAESKey that is not 43 base64 letters and digits."""


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key: base64(EncodingAESKey + "="), decoded leniently as WeCom does."""
    if not isinstance(encoding_aes_key, str) or not _KEY_CHARS.fullmatch(encoding_aes_key):
        raise CallbackKeyError("encoding_aes_key must be 43 characters from a-z, A-Z, 0-9")
    try:
        # the last character carries 2 unused bits; b64decode ignores them like the
        # official libraries, so the four equivalent spellings give one key
        key = base64.b64decode(encoding_aes_key + "=")
    except binascii.Error as error:  # pragma: no cover - excluded by the pattern
        raise CallbackKeyError(str(error)) from None
    assert len(key) == 32
    return key


def signature(token: str, timestamp: str, nonce: str, data: str) -> str:
    """msg_signature: sha1 hex of the four strings sorted and joined."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, data))).encode()).hexdigest()


def encrypt(plaintext: str, key: bytes, receive_id: str, *, prefix: bytes | None = None) -> str:
    """Base64 of AES-256-CBC(random16 ‖ len ‖ msg ‖ receive_id ‖ PKCS#7-32 padding)."""
    msg = plaintext.encode("utf-8")
    random16 = prefix if prefix is not None else os.urandom(16)
    buf = random16 + struct.pack(">I", len(msg)) + msg + receive_id.encode("utf-8")
    pad = _BLOCK - len(buf) % _BLOCK
    buf += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(buf) + encryptor.finalize()).decode("ascii")


def cdata(text: str) -> str:
    """A CDATA section; "]]>" inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass(frozen=True)
class SealedPost:
    """One POST as WeCom sends it: query parameters and the XML body."""

    params: dict[str, str]
    body: bytes


def seal(
    plaintext: str,
    *,
    token: str,
    key: bytes,
    corp_id: str,
    agent_id: str,
    timestamp: int,
    nonce: str | None = None,
) -> SealedPost:
    """Encrypt `plaintext` and sign it: the envelope of callbacks.md §5."""
    encrypted = encrypt(plaintext, key, corp_id)
    ts = str(timestamp)
    nonce = nonce if nonce is not None else str(secrets.randbelow(9_000_000_000) + 10**9)
    params = {
        "msg_signature": signature(token, ts, nonce, encrypted),
        "timestamp": ts,
        "nonce": nonce,
    }
    body = (
        f"<xml><ToUserName>{cdata(corp_id)}</ToUserName>"
        f"<Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<AgentID>{cdata(agent_id)}</AgentID></xml>"
    )
    return SealedPost(params, body.encode("utf-8"))


def verification_query(
    echo: str, *, token: str, key: bytes, corp_id: str, timestamp: int
) -> dict[str, str]:
    """The GET parameters of a URL check whose answer must be exactly `echo` (§4)."""
    encrypted = encrypt(echo, key, corp_id)
    ts = str(timestamp)
    nonce = str(secrets.randbelow(9_000_000_000) + 10**9)
    return {
        "msg_signature": signature(token, ts, nonce, encrypted),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": encrypted,
    }
