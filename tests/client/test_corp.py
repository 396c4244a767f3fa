"""Corp: the join QR code link, sync and async, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts import AsyncClient, Client, PermissionDenied
from wecom_contacts.testing import EmulatorControl


def test_join_qrcode_is_a_link_not_image_bytes(api: Any) -> None:
    link = api.corp.join_qrcode()
    assert isinstance(link, str) and link.startswith("https://")


def test_join_qrcode_sends_the_size_asked_for(api: Any) -> None:
    link = api.corp.join_qrcode(size_type=4)
    assert isinstance(link, str) and "qr_size=4" in link


def test_join_qrcode_needs_the_contacts_sync_secret(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.add_secret("qr-app-secret", name="qr-app", visible_departments=[1])
    with Client(wecom_emulator.corp_id, "qr-app-secret", base_url=wecom_emulator.base_url) as app:
        with pytest.raises(PermissionDenied):
            app.corp.join_qrcode()


async def test_join_qrcode_needs_the_contacts_sync_secret_async(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.add_secret("qr-app-secret", name="qr-app", visible_departments=[1])
    async with AsyncClient(wecom_emulator.corp_id, "qr-app-secret",
                           base_url=wecom_emulator.base_url) as app:
        with pytest.raises(PermissionDenied):
            await app.corp.join_qrcode()
