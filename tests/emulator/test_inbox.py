"""The emulator as the far end of notices: group-robot webhooks and the control API."""

from __future__ import annotations

import httpx

from wecom_contacts.testing import EmulatorControl


def _post(emulator: EmulatorControl, key: str, body: object) -> dict[str, object]:
    answer = httpx.post(f"{emulator.base_url}/cgi-bin/webhook/send", params={"key": key},
                        json=body, timeout=30)
    assert answer.status_code == 200
    data: dict[str, object] = answer.json()
    return data


def test_a_registered_robot_records_markdown_posts(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.add_robot("k-123", "ops-group")
    answer = _post(wecom_emulator, "k-123",
                   {"msgtype": "markdown", "markdown": {"content": "**完成**"}})
    assert answer["errcode"] == 0
    (received,) = wecom_emulator.messages()
    assert received["kind"] == "robot" and received["robot"] == "ops-group"
    assert received["markdown"] == {"content": "**完成**"}
    assert wecom_emulator.calls("/cgi-bin/webhook/send") == 1


def test_an_unknown_key_is_93000_and_nothing_is_recorded(wecom_emulator: EmulatorControl
                                                        ) -> None:
    answer = _post(wecom_emulator, "nope", {"msgtype": "text", "text": {"content": "x"}})
    assert answer["errcode"] == 93000
    assert "invalid webhook url" in str(answer["errmsg"])
    assert wecom_emulator.messages() == []


def test_robot_posts_are_checked_like_wecom_does(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.add_robot("k")
    too_long = {"msgtype": "markdown", "markdown": {"content": "长" * 1400}}  # 4200 bytes
    assert _post(wecom_emulator, "k", too_long)["errcode"] == 40058
    assert _post(wecom_emulator, "k", {"msgtype": "voice"})["errcode"] == 40008
    assert _post(wecom_emulator, "k", {"msgtype": "text", "text": {}})["errcode"] == 40058
    assert wecom_emulator.messages() == []


def test_faults_apply_to_the_webhook_and_reset_forgets_robots(
    wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.add_robot("k")
    wecom_emulator.fault("/cgi-bin/webhook/send", http_status=502)
    answer = httpx.post(f"{wecom_emulator.base_url}/cgi-bin/webhook/send?key=k",
                        json={"msgtype": "text", "text": {"content": "x"}}, timeout=30)
    assert answer.status_code == 502
    wecom_emulator.reset()
    assert _post(wecom_emulator, "k", {"msgtype": "text", "text": {"content": "x"}})[
        "errcode"] == 93000


def test_messages_can_be_cleared(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.add_robot("k")
    _post(wecom_emulator, "k", {"msgtype": "text", "text": {"content": "x"}})
    httpx.delete(f"{wecom_emulator.base_url}/_emulator/messages", timeout=30).raise_for_status()
    assert wecom_emulator.messages() == []
