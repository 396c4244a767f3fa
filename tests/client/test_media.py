"""Contract tests: media.upload, sync and async, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts.testing import EmulatorControl


def test_upload_returns_a_media_id_an_import_job_accepts(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    media_id = api.media.upload("姓名,帐号,邮箱,所在部门\nA,a,a@example.com,1\n".encode(),
                                "members.csv")
    assert isinstance(media_id, str) and media_id
    job = api.batch.sync_users(media_id)
    assert api.batch.wait(job, timeout=10).result[0].userid == "a"


def test_sizes_wecom_refuses_fail_before_any_call(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    with pytest.raises(ValueError, match="6 bytes"):
        api.media.upload(b"12345", "tiny.txt")
    with pytest.raises(ValueError, match="type must be one of"):
        api.media.upload(b"123456", "x.csv", type="csv")
    assert wecom_emulator.calls("/cgi-bin/media/upload") == 0


def test_image_uploads_use_their_type(api: Any) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert api.media.upload(png, "logo.png", type="image")
