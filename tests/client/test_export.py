"""Contract tests: export jobs, download and decryption, sync and async; the file crypto itself."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wecom_contacts import (
    AsyncClient,
    Client,
    ExportFailed,
    ExportFileError,
    JobTimeout,
    generate_encoding_aes_key,
)
from wecom_contacts.export_files import decrypt_export_file, export_records, verify_export_file
from wecom_contacts.models.export import ExportResult
from wecom_contacts.testing import EmulatorControl

KEY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
DIRECTORY = {
    "departments": [{"id": 2, "name": "研发", "parentid": 1, "order": 5},
                    {"id": 3, "name": "后端", "parentid": 2}],
    "users": [
        {"userid": "zhangsan", "name": "张三", "department": [1, 3], "mobile": "13800000000",
         "position": "工程师", "gender": "1", "is_leader_in_dept": [0, 1], "status": 1},
        {"userid": "lisi", "name": "李四", "department": [2], "email": "lisi@example.com"},
    ],
    "tags": [{"tagid": 9, "tagname": "骨干", "userlist": ["lisi"], "partylist": [3]}],
}


def _by(key: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def test_user_export_decrypts_to_exactly_the_emulators_members(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed(DIRECTORY)
    records = api.export.download(api.export.users(KEY), KEY, timeout=10)
    directory = wecom_emulator.directory()["users"]
    expected = [{k: v for k, v in u.items() if k != "system_userid"} for u in directory]
    assert _by("userid", records) == _by("userid", expected)


def test_simple_user_export_matches_simple_list(api: Any, wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.seed(DIRECTORY)
    records = api.export.download(api.export.simple_users(KEY), KEY, timeout=10)
    listed = [u.raw for u in api.users.simple_list(1, fetch_child=True)]
    assert _by("userid", records) == _by("userid", listed)
    assert {r["userid"] for r in records} == {"zhangsan", "lisi"}


def test_department_export_is_exactly_the_emulators_tree(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed(DIRECTORY)
    records = api.export.download(api.export.departments(KEY), KEY, timeout=10)
    assert _by("id", records) == _by("id", wecom_emulator.directory()["departments"])


def test_tag_export_lists_its_members_and_departments(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed(DIRECTORY)
    records = api.export.download(api.export.tag_users(9, KEY), KEY, timeout=10)
    tag = api.tags.get(9)
    assert records == [*({"userid": u.userid, "name": u.name} for u in tag.users),
                       *({"partyid": d} for d in tag.department_ids)]
    assert records == [{"userid": "lisi", "name": "李四"}, {"partyid": 3}]


def test_a_large_export_spans_files_and_streams_in_order(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.configure(export_min_block_size=1)
    wecom_emulator.seed({"users": [{"userid": f"u{i:02d}", "name": f"U{i}", "department": [1],
                                    "email": f"u{i}@example.com"} for i in range(25)]})
    job = api.export.simple_users(KEY, block_size=10)
    result = api.export.wait(job, timeout=10)
    assert result.finished and [f.size > 0 for f in result.files] == [True] * 3
    assert [r["userid"] for r in api.export.download(job, KEY)] == [f"u{i:02d}" for i in range(25)]


def test_iter_download_yields_file_by_file(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.configure(export_min_block_size=1)
    wecom_emulator.seed({"departments": [{"id": i, "name": f"D{i}", "parentid": 1}
                                         for i in range(2, 8)]})
    job = wecom_client.export.departments(KEY, block_size=2)
    stream = wecom_client.export.iter_download(job, KEY)
    assert next(stream)["id"] == 1
    assert [d["id"] for d in stream] == [2, 3, 4, 5, 6, 7]


async def test_aiter_download_streams_the_same_records(
    wecom_async_client: AsyncClient, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed(DIRECTORY)
    job = await wecom_async_client.export.users(KEY)
    userids = [r["userid"] async for r in wecom_async_client.export.aiter_download(job, KEY)]
    assert sorted(userids) == ["lisi", "zhangsan"]


def test_a_wrong_key_is_reported_per_file(api: Any, wecom_emulator: EmulatorControl) -> None:
    job = api.export.departments(KEY)
    other = generate_encoding_aes_key()
    with pytest.raises(ExportFileError, match="file 1"):
        api.export.download(job, other, timeout=10)


def test_a_malformed_key_fails_before_any_call(api: Any, wecom_emulator: EmulatorControl) -> None:
    with pytest.raises(ValueError, match="43 characters"):
        api.export.users("too-short")
    assert wecom_emulator.calls("/cgi-bin/export/user") == 0


def test_a_corrupted_download_fails_the_md5_check(wecom_emulator: EmulatorControl) -> None:
    real = httpx.HTTPTransport()

    def corrupt(request: httpx.Request) -> httpx.Response:
        response = real.handle_request(request)
        if "/_emulator/files/" not in request.url.path:
            return response
        body = bytearray(response.read())
        response.close()
        body[0] ^= 0xFF  # a CDN or proxy flipped a byte on the way
        return httpx.Response(200, content=bytes(body))

    http = httpx.Client(transport=httpx.MockTransport(corrupt))
    with Client(wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url,
                http_client=http) as client:
        job = client.export.departments(KEY)
        with pytest.raises(ExportFileError, match="MD5"):
            client.export.download(job, KEY, timeout=10)
    http.close()
    real.close()


def test_a_failed_export_raises_export_failed(api: Any, wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.configure(job_auto_advance=False)
    api.tags.create("T", id=4)
    job = api.export.tag_users(4, KEY)
    with pytest.raises(JobTimeout):
        api.export.wait(job, timeout=0.2, poll_interval=0.05)
    api.tags.delete(4)
    wecom_emulator.advance_jobs()
    assert api.export.get_result(job).failed
    with pytest.raises(ExportFailed):
        api.export.download(job, KEY, timeout=5)


# -- the file crypto, against an independent encryption written here ---------------------


def _encrypt(plain: bytes, key: str) -> bytes:
    aes = base64.b64decode(key + "=")
    pad = 32 - len(plain) % 32
    enc = Cipher(algorithms.AES(aes), modes.CBC(aes[:16])).encryptor()
    return enc.update(plain + bytes([pad]) * pad) + enc.finalize()


@pytest.mark.parametrize("length", [1, 15, 16, 17, 31, 32, 33])
def test_padding_to_32_bytes_is_removed_whatever_its_length(length: int) -> None:
    plain = json.dumps({"department": [{"id": 1, "name": "x" * length}]}).encode()
    assert json.loads(decrypt_export_file(_encrypt(plain, KEY), KEY)) == json.loads(plain)


def test_a_base64_text_body_and_a_callback_style_plaintext_are_understood() -> None:
    doc = b'{"userlist":[{"userid":"a"}]}'
    assert decrypt_export_file(base64.b64encode(_encrypt(doc, KEY)), KEY) == doc
    wrapped = os.urandom(16) + struct.pack(">I", len(doc)) + doc + b"ww0000000000emulator"
    assert decrypt_export_file(_encrypt(wrapped, KEY), KEY) == doc


def test_records_and_integrity_checks() -> None:
    assert list(export_records(b'{"userlist":[{"userid":"a"}],"partylist":[2]}')) == [
        {"userid": "a"}, {"partyid": 2}]
    data = b"0123456789abcdef"
    assert verify_export_file(data, size=16, md5=hashlib.md5(data).hexdigest().upper()) is None
    assert "bytes received" in str(verify_export_file(data, size=17, md5=""))


def test_generated_keys_have_the_documented_shape() -> None:
    key = generate_encoding_aes_key()
    assert len(key) == 43 and key.isalnum() and key.isascii()
    assert len(base64.b64decode(key + "=")) == 32


def test_export_result_model_reads_data_list() -> None:
    result = ExportResult.from_wire({"status": 2, "data_list": [
        {"url": "https://x/1", "size": 1024, "md5": "ab"}]})
    assert result.finished and result.files[0].size == 1024
    assert ExportResult.from_wire({"status": 3, "data_list": None}).failed
