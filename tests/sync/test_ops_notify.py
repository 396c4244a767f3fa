"""Notification channels against real receivers on loopback: SMTP (aiosmtpd, STARTTLS with a
throwaway CA, AUTH), and the failures a channel reports without raising."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.servers.slapd import _certificates
from wecom_contacts.ops.notify import (
    Delivery,
    EmailChannel,
    JsonWebhookChannel,
    Notice,
    deliver,
)
from wecom_contacts.ops.notify_config import NotifyConfigError, load_channels

NOTICE = Notice("applied", "wecom-contacts sync applied: org.yaml (run 3)",
                "**wecom-contacts sync: applied** (run 3)\n> 同步完成: 3 create", {"run": 3})


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, bytes]] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.content or b""
        assert isinstance(content, bytes)  # aiosmtpd decodes nothing unless told to
        self.messages.append((envelope, bytes(content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _auth(server: Any, session: Session, envelope: Envelope, mechanism: str,
          data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"pw-123")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Controller, _Inbox, Path]]:
    import ssl

    ca, cert, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(),
                            tls_context=context, require_starttls=True,
                            authenticator=_auth, auth_require_tls=True)
    controller.start()
    try:
        yield controller, inbox, ca
    finally:
        controller.stop()


def test_email_is_sent_over_starttls_with_login(smtp: tuple[Controller, _Inbox, Path]) -> None:
    controller, inbox, ca = smtp
    channel = EmailChannel("127.0.0.1", controller.port, "sync@example.com",
                           ["it@example.com", "hr@example.com"], "bot", "pw-123",
                           "starttls", str(ca))
    assert deliver([channel], NOTICE) == [Delivery("email", True)]
    ((envelope, raw),) = inbox.messages
    assert envelope.mail_from == "sync@example.com"
    assert envelope.rcpt_tos == ["it@example.com", "hr@example.com"]
    message = email.message_from_bytes(raw)
    assert message["Subject"] == NOTICE.title
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode(message.get_content_charset() or "utf-8")
    assert "同步完成: 3 create" in body and "**" not in body


def test_a_wrong_smtp_password_is_reported_without_the_password(
    smtp: tuple[Controller, _Inbox, Path]
) -> None:
    controller, inbox, ca = smtp
    channel = EmailChannel("127.0.0.1", controller.port, "sync@example.com", ["it@example.com"],
                           "bot", "wrong-pw-777", "starttls", str(ca))
    (result,) = deliver([channel], NOTICE)
    assert not result.ok and "535" in result.error
    assert "wrong-pw-777" not in result.error
    assert inbox.messages == []


def test_an_untrusted_certificate_fails_the_channel_not_the_caller(
    smtp: tuple[Controller, _Inbox, Path]
) -> None:
    controller, _, _ = smtp
    channel = EmailChannel("127.0.0.1", controller.port, "a@example.com", ["b@example.com"])
    (result,) = deliver([channel], NOTICE)
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.error


def test_each_channel_is_tried_even_when_one_fails() -> None:
    closed = _free_port()
    dead = JsonWebhookChannel(f"http://127.0.0.1:{closed}/x?sig=s3cr3t")
    results = deliver([dead, dead], NOTICE)
    assert [r.ok for r in results] == [False, False]
    assert all("s3cr3t" not in r.error and r.error for r in results)


def test_notification_file_errors_name_the_file_channel_and_field(tmp_path: Path) -> None:
    path = tmp_path / "notify.yaml"
    path.write_text("channels:\n- {type: email, host: h, to: [a@b], from: c@d, colour: red}\n")
    with pytest.raises(NotifyConfigError, match=r"notify.yaml: channels\[0\]: unknown field"):
        load_channels(path, app_client=lambda s: pytest.fail("no app channel"), environ={})
    path.write_text("channels:\n- {type: pager}\n")
    with pytest.raises(NotifyConfigError, match="type must be one of robot, app, email"):
        load_channels(path, app_client=lambda s: pytest.fail("no app channel"), environ={})
    path.write_text("notify_on: [failed]\nchannels:\n- {type: webhook, url_env: U}\n")
    channels, on = load_channels(path, app_client=lambda s: pytest.fail("no"),
                                 environ={"U": "http://127.0.0.1:9/h"})
    assert on == frozenset({"failed"}) and channels[0].name == "webhook"
