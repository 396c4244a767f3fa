"""Secrets that may fetch tokens, and the tokens issued to them."""

from __future__ import annotations

import json
import secrets as _random

from .database import Database
from .records import Secret

# expired tokens are kept this long so that they answer 42001 (expired), not 40014 (unknown)
_KEEP_EXPIRED = 86400.0


class Secrets:
    """Access to the secrets table."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def put(self, secret: Secret) -> None:
        self._s.execute(
            "DELETE FROM secrets WHERE secret = ? OR name = ?", (secret.secret, secret.name)
        )
        self._s.execute(
            "INSERT INTO secrets VALUES (?, ?, ?, ?, ?, ?)",
            (
                secret.secret,
                secret.name,
                secret.kind,
                json.dumps(list(secret.visible_departments)),
                json.dumps(list(secret.visible_users), ensure_ascii=False),
                None if secret.hide_sensitive is None else int(secret.hide_sensitive),
            ),
        )

    def get(self, secret: str) -> Secret | None:
        rows = self._s.query("SELECT * FROM secrets WHERE secret = ?", (secret,))
        if not rows:
            return None
        r = rows[0]
        return Secret(
            r["secret"],
            r["name"],
            r["kind"],
            tuple(json.loads(r["visible_departments"])),
            tuple(json.loads(r["visible_users"])),
            None if r["hide_sensitive"] is None else bool(r["hide_sensitive"]),
        )

    def remove_kind(self, kind: str) -> None:
        self._s.execute("DELETE FROM secrets WHERE kind = ?", (kind,))

    def name_taken(self, name: str) -> bool:
        return self._s.scalar("SELECT 1 FROM secrets WHERE name = ?", (name,)) is not None

    def all(self) -> list[Secret]:
        rows = self._s.query("SELECT secret FROM secrets ORDER BY name")
        found = [self.get(r["secret"]) for r in rows]
        return [s for s in found if s is not None]


class Tokens:
    """Access tokens: one live token per secret, reused until it expires."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def current(self, secret: str, now: float) -> tuple[str, float] | None:
        rows = self._s.query(
            "SELECT token, expires_at FROM tokens WHERE secret = ? AND expires_at > ? "
            "ORDER BY expires_at DESC LIMIT 1",
            (secret, now),
        )
        return (rows[0]["token"], rows[0]["expires_at"]) if rows else None

    def issue(self, secret: str, now: float, lifetime: float) -> tuple[str, float]:
        self._s.execute("DELETE FROM tokens WHERE expires_at < ?", (now - _KEEP_EXPIRED,))
        token = _random.token_urlsafe(48)
        expires_at = now + lifetime
        self._s.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (token, secret, now, expires_at))
        return token, expires_at

    def lookup(self, token: str) -> tuple[str, float] | None:
        """(secret, expires_at) of a token we issued and did not revoke."""
        rows = self._s.query("SELECT secret, expires_at FROM tokens WHERE token = ?", (token,))
        return (rows[0]["secret"], rows[0]["expires_at"]) if rows else None

    def revoke(self, secret: str | None) -> int:
        """Forget tokens (all, or one secret's): they then answer 40014."""
        if secret is None:
            return self._s.execute("DELETE FROM tokens").rowcount
        return self._s.execute("DELETE FROM tokens WHERE secret = ?", (secret,)).rowcount

    def expire(self, secret: str | None, now: float) -> int:
        """Make live tokens expire now: they then answer 42001."""
        if secret is None:
            cur = self._s.execute(
                "UPDATE tokens SET expires_at = ? WHERE expires_at > ?", (now, now)
            )
        else:
            cur = self._s.execute(
                "UPDATE tokens SET expires_at = ? WHERE secret = ? AND expires_at > ?",
                (now, secret, now),
            )
        return cur.rowcount
