"""Application messages (message/send), sync and async, against the emulator's inbox."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts import InvalidArgument
from wecom_contacts.testing import EmulatorControl

SEED = {"departments": [{"id": 2, "name": "运维", "parentid": 1}],
        "users": [{"userid": "ops1", "name": "值班", "department": [2], "mobile": "13800000001"}]}


def test_send_markdown_reaches_valid_members_and_reports_the_others(
    api: Any, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.seed(SEED)
    result = api.messages.send(agentid=1000002, msgtype="markdown",
                               content={"content": "**同步完成**"},
                               touser=["ops1", "nobody"], toparty=[2, 99])
    assert result.invalid_users == ["nobody"] and result.invalid_departments == ["99"]
    assert result.msgid
    (received,) = wecom_emulator.messages()
    assert received["kind"] == "app" and received["agentid"] == 1000002
    assert received["touser"] == ["ops1"] and received["toparty"] == [2]
    assert received["markdown"] == {"content": "**同步完成**"}
    assert received["msgid"] == result.msgid


def test_send_with_no_valid_recipient_is_refused(api: Any, wecom_emulator: EmulatorControl
                                                 ) -> None:
    with pytest.raises(InvalidArgument) as err:
        api.messages.send(agentid=1000002, msgtype="text", content={"content": "x"},
                          touser=["nobody"])
    assert err.value.errcode == 82001
    assert wecom_emulator.messages() == []


def test_send_needs_a_recipient_before_calling() -> None:
    from wecom_contacts import Client

    with Client("ww-x", "s", base_url="http://127.0.0.1:9") as client, \
            pytest.raises(ValueError, match="touser, toparty, totag"):
        client.messages.send(agentid=1, msgtype="text", content={"content": "x"})


def test_send_without_agentid_is_errcode_40056(api: Any) -> None:
    with pytest.raises(InvalidArgument) as err:
        api.messages.send(agentid=0, msgtype="text", content={"content": "x"}, touser=["@all"])
    assert err.value.errcode == 40056
