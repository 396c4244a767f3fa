"""load_channels: the notification channels of a YAML file; secrets come from environment
variables the file names, never from the file itself.

    notify_on: [applied, capped, partial, failed, source-shrank]   # optional
    channels:
      - {type: robot, key_env: WECOM_ROBOT_KEY}
      - {type: app, agentid: 1000002, touser: [zhangsan], secret_env: WECOM_APP_SECRET}
      - {type: email, host: smtp.example.com, port: 587, security: starttls,
         from: sync@example.com, to: [it@example.com], user_env: SMTP_USER,
         password_env: SMTP_PASSWORD}
      - {type: webhook, url_env: NOTIFY_URL, token_env: NOTIFY_TOKEN}
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .notify import (
    ROBOT_URL,
    AppMessageChannel,
    Channel,
    EmailChannel,
    JsonWebhookChannel,
    RobotChannel,
)

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["NotifyConfigError", "load_channels"]

_KEYS = {
    "robot": {"type", "key_env", "url"},
    "app": {"type", "agentid", "touser", "toparty", "totag", "secret_env"},
    "email": {"type", "host", "port", "security", "cafile", "from", "to", "user_env",
              "password_env"},
    "webhook": {"type", "url", "url_env", "token_env"},
}


class NotifyConfigError(ValueError):
    """A notification file that cannot be used: says the file, the channel and the field."""


def load_channels(
    path: Path, *, app_client: Callable[[str | None], Client],
    environ: Mapping[str, str] | None = None,
) -> tuple[list[Channel], frozenset[str] | None]:
    """The channels and ``notify_on`` (None: the default outcomes). ``app_client(secret)``
    gives the client an application channel sends through (its own secret, or None for the
    sync's client)."""
    env = os.environ if environ is None else environ
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise NotifyConfigError(f"{path}: cannot read the notification file: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("channels", []), list):
        raise NotifyConfigError(f"{path}: expected a mapping with a list of channels")
    channels = [_channel(path, n, c, env, app_client)
                for n, c in enumerate(document.get("channels", []))]
    on = document.get("notify_on")
    if on is not None and (not isinstance(on, list) or not all(isinstance(o, str) for o in on)):
        raise NotifyConfigError(f"{path}: notify_on must be a list of outcomes")
    return channels, frozenset(on) if on is not None else None


def _channel(path: Path, n: int, raw: Any, env: Mapping[str, str],
             app_client: Callable[[str | None], Client]) -> Channel:
    where = f"{path}: channels[{n}]"
    if not isinstance(raw, dict) or raw.get("type") not in _KEYS:
        raise NotifyConfigError(f"{where}: type must be one of {', '.join(_KEYS)}")
    kind = str(raw["type"])
    unknown = set(raw) - _KEYS[kind]
    if unknown:
        raise NotifyConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for "
                                f"a {kind} channel")

    def secret(name: str, *, required: bool = True) -> str | None:
        var = raw.get(name)
        if var is None:
            if required:
                raise NotifyConfigError(f"{where}: {name} (the environment variable that "
                                        "holds the secret) is required")
            return None
        value = env.get(str(var))
        if not value and required:
            raise NotifyConfigError(f"{where}: the environment variable {var} ({name}) is "
                                    "not set")
        return value or None

    def need(name: str) -> Any:
        if raw.get(name) in (None, "", []):
            raise NotifyConfigError(f"{where}: {name} is required for a {kind} channel")
        return raw[name]

    if kind == "robot":
        return RobotChannel(str(secret("key_env")), str(raw.get("url") or ROBOT_URL))
    if kind == "app":
        if not any(raw.get(k) for k in ("touser", "toparty", "totag")):
            raise NotifyConfigError(f"{where}: an app channel needs touser, toparty or totag")
        return AppMessageChannel(
            app_client(secret("secret_env", required=False)), int(need("agentid")),
            [str(u) for u in raw.get("touser") or ()], [int(p) for p in raw.get("toparty") or ()],
            [int(t) for t in raw.get("totag") or ()])
    if kind == "email":
        security = str(raw.get("security", "starttls"))
        if security not in ("starttls", "ssl", "none"):
            raise NotifyConfigError(f"{where}: security must be starttls, ssl or none")
        to = need("to")
        return EmailChannel(
            str(need("host")), int(raw.get("port", 465 if security == "ssl" else 587)),
            str(need("from")), [to] if isinstance(to, str) else [str(t) for t in to],
            secret("user_env", required=False), secret("password_env", required=False),
            security, str(raw["cafile"]) if raw.get("cafile") else None)
    url = secret("url_env") if "url_env" in raw else str(need("url"))
    return JsonWebhookChannel(str(url), secret("token_env", required=False))
