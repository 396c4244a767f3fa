"""Export jobs: the caller's view of the directory in blocks, encrypted as export.md describes.

Files are the raw ciphertext of the bare JSON document (export.md leaves this open and
suggests it): AES-256-CBC, key = Base64_Decode(encoding_aeskey + "="), IV = the key's first 16
bytes, PKCS#7 padding to a multiple of 32 bytes. Written apart from the client's decryption.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..api.handlers import departments, tags
from ..api.render import leader_names, render_simple_user, render_user
from ..context import Ctx
from ..rules.common import Params
from ..store.jobs import Job

_PAD_TO = 32


def export_key(encoding_aeskey: str) -> bytes:
    return base64.b64decode(encoding_aeskey + "=")


def encrypt_file(plaintext: bytes, encoding_aeskey: str) -> bytes:
    key = export_key(encoding_aeskey)
    pad = _PAD_TO - len(plaintext) % _PAD_TO
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(plaintext + bytes([pad]) * pad) + encryptor.finalize()


def _blocks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _users(ctx: Ctx) -> list[Any]:
    scope = ctx.scope()
    return [u for u in ctx.store.users.all() if scope.sees_user(u.seq)]


def export_documents(ctx: Ctx, job: Job) -> list[dict[str, Any]]:
    """One JSON document per file, each with at most ``block_size`` entries."""
    size = int(job.request["block_size"])
    if job.type == "export_user":
        users = _users(ctx)
        leaders = leader_names(ctx, users)
        return [{"userlist": b} for b in _blocks([render_user(ctx, u, leaders) for u in users],
                                                 size)]
    if job.type == "export_simple_user":
        return [{"userlist": b} for b in _blocks([render_simple_user(ctx, u)
                                                  for u in _users(ctx)], size)]
    if job.type == "export_department":
        found = departments.list_(ctx, Params({}, query=True))["department"]
        return [{"department": b} for b in _blocks(found, size)]
    tag = tags.get(ctx, Params({"tagid": job.request["tagid"]}, strict=True))
    # block_size counts members and departments together (export.md)
    entries = [("userlist", u) for u in tag["userlist"]] + [("partylist", d)
                                                           for d in tag["partylist"]]
    return [{"userlist": [v for k, v in block if k == "userlist"],
             "partylist": [v for k, v in block if k == "partylist"]}
            for block in _blocks(entries, size)]


def export_files(ctx: Ctx, job: Job) -> list[bytes]:
    key = str(job.request["encoding_aeskey"])
    return [encrypt_file(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(),
                         key) for doc in export_documents(ctx, job)]
