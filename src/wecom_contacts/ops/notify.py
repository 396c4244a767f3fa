"""Notification channels for a run's outcome: a WeCom group robot (markdown), a WeCom
application message (through the client), SMTP e-mail and a generic JSON webhook.

``deliver`` never raises: a channel that fails is reported in its Delivery, and the sync's
outcome stays what it was. Secrets (robot key, passwords, tokens) never appear in a
Delivery's error text.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Protocol

import httpx

if TYPE_CHECKING:
    from ..client import Client

__all__ = [
    "AppMessageChannel",
    "Channel",
    "Delivery",
    "EmailChannel",
    "JsonWebhookChannel",
    "Notice",
    "RobotChannel",
    "deliver",
]

ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
# markdown content of a robot or application message: at most 4096 bytes (UTF-8)
_MARKDOWN_LIMIT = 4096


@dataclass(frozen=True)
class Notice:
    """What is told: ``outcome`` (a word), a title, a markdown body, and the run as data."""

    outcome: str
    title: str
    markdown: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.markdown.replace("**", "").replace("`", "")


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "ok": self.ok, "error": self.error}


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...

    def secrets(self) -> Sequence[str]: ...


def _fit(markdown: str) -> str:
    data = markdown.encode()
    if len(data) <= _MARKDOWN_LIMIT:
        return markdown
    return data[: _MARKDOWN_LIMIT - 16].decode("utf-8", "ignore") + "\n…(truncated)"


def _check_envelope(response: httpx.Response) -> None:
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict) or body.get("errcode", 0) != 0:
        raise RuntimeError(f"errcode {body.get('errcode') if isinstance(body, dict) else '?'}: "
                           f"{body.get('errmsg') if isinstance(body, dict) else body}")


@dataclass
class RobotChannel:
    """A group robot (群机器人): POST ``url?key=KEY`` with a markdown message."""

    key: str
    url: str = ROBOT_URL
    timeout: float = 10.0
    name: str = "robot"

    def send(self, notice: Notice) -> None:
        body = {"msgtype": "markdown", "markdown": {"content": _fit(notice.markdown)}}
        response = httpx.post(self.url, params={"key": self.key}, json=body,
                              timeout=self.timeout)
        _check_envelope(response)

    def secrets(self) -> Sequence[str]:
        return [self.key]


@dataclass
class AppMessageChannel:
    """An application message (应用消息) to members, departments or tags, sent by a client
    whose secret is the application's (``message/send``)."""

    client: Client
    agentid: int
    touser: Sequence[str] = ()
    toparty: Sequence[int] = ()
    totag: Sequence[int] = ()
    name: str = "app"

    def send(self, notice: Notice) -> None:
        result = self.client.messages.send(
            agentid=self.agentid, msgtype="markdown", content={"content": _fit(notice.markdown)},
            touser=list(self.touser), toparty=list(self.toparty), totag=list(self.totag))
        missed = [*result.invalid_users, *result.invalid_departments, *result.invalid_tags]
        if missed and len(missed) >= len(self.touser) + len(self.toparty) + len(self.totag):
            raise RuntimeError(f"no recipient could be reached: {', '.join(missed)}")

    def secrets(self) -> Sequence[str]:
        return []  # the client keeps its own secret out of every text


@dataclass
class EmailChannel:
    """SMTP e-mail (plain text). ``security``: "starttls", "ssl" or "none"."""

    host: str
    port: int
    sender: str
    to: Sequence[str]
    username: str | None = None
    password: str | None = None
    security: str = "starttls"
    cafile: str | None = None  # a private CA for the server's certificate
    timeout: float = 10.0
    name: str = "email"

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Subject"] = notice.title
        message.set_content(notice.text)
        context = ssl.create_default_context(cafile=self.cafile)
        smtp: smtplib.SMTP
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)

    def secrets(self) -> Sequence[str]:
        return [s for s in (self.password,) if s]


@dataclass
class JsonWebhookChannel:
    """Any HTTP endpoint: POST the run as JSON (``{"outcome", "title", "text", "run"}``),
    with ``Authorization: Bearer TOKEN`` when a token is given."""

    url: str
    token: str | None = None
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, notice: Notice) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"outcome": notice.outcome, "title": notice.title, "text": notice.text,
                "run": notice.data}
        response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        response.raise_for_status()

    def secrets(self) -> Sequence[str]:
        # the URL itself may carry a token in its query (many services work so)
        return [s for s in (self.token, self.url.partition("?")[2]) if s]


def deliver(channels: Sequence[Channel], notice: Notice) -> list[Delivery]:
    """Send ``notice`` through every channel; failures are reported, never raised."""
    results = []
    for channel in channels:
        try:
            channel.send(notice)
        except Exception as exc:  # any failure of a channel is only reported
            text = f"{type(exc).__name__}: {exc}"
            for secret in channel.secrets():
                text = text.replace(secret, "***")
            results.append(Delivery(channel.name, False, text))
        else:
            results.append(Delivery(channel.name, True))
    return results
