"""Raw helpers for the job tests: upload a file, submit a job, finish it, decrypt an export.

The CSV files are written out by hand here, never with the client's templates, so that the
emulator's reading of the format is checked against the documentation, not against itself.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .support import Api, Control

MEMBER_HEADER = "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用"
DEPARTMENT_HEADER = "部门名称,部门ID,父部门ID,排序"
EXPORT_KEY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"


def csv_file(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def upload(api: Api, data: bytes, *, filename: str = "import.csv", kind: str = "file",
           part: str = "media") -> dict[str, Any]:
    r = api.http.post("/cgi-bin/media/upload",
                      params={"access_token": api.token, "type": kind},
                      files={part: (filename, data, "application/octet-stream")})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def submit(api: Api, path: str, data: bytes, **body: Any) -> str:
    media = upload(api, data)
    assert media["errcode"] == 0, media
    answer = api.post(path, {"media_id": media["media_id"], **body})
    assert answer["errcode"] == 0, answer
    return str(answer["jobid"])


def finish(api: Api, control: Control, jobid: str) -> dict[str, Any]:
    """Advance every job, then read this one's result (the raw envelope)."""
    control.post("jobs/advance")
    return api.get("batch/getresult", jobid=jobid)


def run(api: Api, control: Control, path: str, data: bytes, **body: Any) -> dict[str, Any]:
    return finish(api, control, submit(api, path, data, **body))


def decrypt(data: bytes, key: str = EXPORT_KEY) -> Any:
    """export.md's scheme, written out independently of both client and emulator."""
    aes = base64.b64decode(key + "=")
    decryptor = Cipher(algorithms.AES(aes), modes.CBC(aes[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    assert 1 <= pad <= 32 and plain.endswith(bytes([pad]) * pad)
    return json.loads(plain[:-pad])
