"""Export data files: the caller's AES key, integrity checks, decryption and the records.

The files are AES-256-CBC with the key from ``encoding_aeskey``, IV = its first 16 bytes, and
PKCS#7 padding to a multiple of 32 bytes (export.md). What the documentation leaves open is
handled leniently: a body that is Base64 text is decoded first, and a plaintext wrapped like
a callback message (16 random bytes, 4-byte length, JSON, receive id) is unwrapped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import struct
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "aes_key",
    "decrypt_export_file",
    "export_records",
    "generate_encoding_aes_key",
    "verify_export_file",
]

_KEY = re.compile(r"[A-Za-z0-9]{43}")
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/\s]+=*\s*")
_PAD_BLOCK = 32


def generate_encoding_aes_key() -> str:
    """A fresh random ``encoding_aeskey``: 43 characters from ``A-Z a-z 0-9``."""
    while True:
        key = base64.b64encode(os.urandom(32)).decode("ascii")[:43]
        if _KEY.fullmatch(key):
            return key


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key: Base64_Decode(encoding_aeskey + "=")."""
    if not isinstance(encoding_aes_key, str) or not _KEY.fullmatch(encoding_aes_key):
        raise ValueError("encoding_aes_key must be 43 characters from A-Z a-z 0-9")
    # the 43rd character carries 2 unused bits: decode leniently, as WeCom does
    return base64.b64decode(encoding_aes_key + "=")


def verify_export_file(data: bytes, *, size: int, md5: str) -> str | None:
    """What is wrong with downloaded bytes against get_result's size and MD5, or None."""
    if len(data) != size:
        return f"{len(data)} bytes received, {size} announced"
    digest = hashlib.md5(data).hexdigest()
    if digest != md5.strip().lower():
        return f"MD5 {digest} does not match the announced {md5}"
    return None


def _ciphertext(data: bytes) -> bytes:
    """Raw ciphertext as is; Base64 text of it decoded (binary is never all Base64 letters)."""
    if _BASE64_TEXT.fullmatch(data):
        try:
            decoded = base64.b64decode(b"".join(data.split()), validate=True)
        except binascii.Error:
            return data
        if decoded and len(decoded) % 16 == 0:
            return decoded
    return data


def _unwrap(plain: bytes) -> bytes:
    if plain.lstrip()[:1] in (b"{", b"["):
        return plain
    if len(plain) >= 20:
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length <= len(plain):
            return plain[20:20 + length]
    raise ValueError("the decrypted data is neither JSON nor a length-prefixed message")


def decrypt_export_file(data: bytes, encoding_aes_key: str) -> bytes:
    """The plaintext JSON of one file; ValueError when it does not decrypt with this key."""
    key = aes_key(encoding_aes_key)
    cipher = _ciphertext(data)
    if not cipher or len(cipher) % 16:
        raise ValueError(f"{len(cipher)} bytes is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = decryptor.update(cipher) + decryptor.finalize()
    pad = padded[-1]
    # PKCS#7 to 32-byte blocks: pad values run 1..32, so a 16-byte unpadder would refuse 17-32
    if not 1 <= pad <= _PAD_BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding: wrong key, or not an export file")
    return _unwrap(padded[:-pad])


def export_records(plaintext: bytes) -> Iterator[dict[str, Any]]:
    """The records of one decrypted file: the items of its list(s).

    ``userlist`` (members) and ``department`` items are yielded as they are; a list of bare
    department ids (``partylist`` of a tag export) yields ``{"partyid": id}`` records.
    """
    try:
        document = json.loads(plaintext)
    except ValueError:
        raise ValueError("the decrypted file is not JSON") from None
    if isinstance(document, list):
        document = {"items": document}
    if not isinstance(document, dict):
        raise ValueError("the decrypted file is not a JSON object")
    for items in document.values():
        if not isinstance(items, list):
            continue
        for item in items:
            yield item if isinstance(item, dict) else {"partyid": item}
