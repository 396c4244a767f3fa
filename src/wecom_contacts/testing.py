"""EmulatorControl: drive a running emulator's control namespace (reset, seed, faults, stats).

Used by the pytest plugin, the demo and the benchmarks; usable in any test harness.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["EmulatorControl"]


class EmulatorControl:
    """A thin handle on ``/_emulator/*`` of the emulator at ``base_url``."""

    def __init__(self, base_url: str, *, corp_id: str, secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self._http = httpx.Client(base_url=self.base_url, timeout=30)

    def __repr__(self) -> str:
        return f"EmulatorControl({self.base_url!r}, corp_id={self.corp_id!r})"

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        resp = self._http.post(f"/_emulator/{path}", json=payload or {})
        resp.raise_for_status()
        return resp.json()

    def reset(self) -> None:
        """Empty directory (root only); tokens, stats and faults cleared."""
        self._post("reset")

    def seed(self, document: dict[str, Any]) -> Any:
        """Load a directory document (wire field names), as if typed in the admin console."""
        return self._post("seed", document)

    def fault(self, path: str, *, count: int = 1, **kind: Any) -> None:
        """For the next ``count`` calls to ``path``: errcode=, http_status=, delay= or drop=."""
        self._post("faults", {"path": path, "count": count, **kind})

    def clear_faults(self) -> None:
        self._http.delete("/_emulator/faults").raise_for_status()

    def revoke_tokens(self, secret: str | None = None) -> None:
        """Invalidate issued tokens early (all, or one secret's)."""
        self._post("tokens/revoke", {"secret": secret} if secret else {})

    def add_secret(self, secret: str, **options: Any) -> None:
        """Add an app secret (visible scope, sensitive-field switch)."""
        self._post("secrets", {"secret": secret, **options})

    def configure(self, **switches: Any) -> None:
        """Flip emulator switches at run time."""
        self._post("config", switches)

    def stats(self) -> dict[str, Any]:
        resp = self._http.get("/_emulator/stats")
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    def calls(self, path: str) -> int:
        """How many requests reached ``path`` (e.g. ``/cgi-bin/gettoken``)."""
        return int(self.stats().get("calls", {}).get(path, 0))

    def directory(self) -> dict[str, Any]:
        resp = self._http.get("/_emulator/directory")
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data
