"""Who runs the reconcile in a fleet: one holder of a Redis lock with an expiry."""

from __future__ import annotations

import logging
import secrets
from typing import Any, Protocol

__all__ = ["Leadership", "RedisLeadership", "SoleLeadership"]

log = logging.getLogger("wecom_contacts.mirror")

# Renew only a lock that is still ours; release only ours (another may hold it after expiry).
_RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
          "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
_RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('del', KEYS[1]) else return 0 end")


class Leadership(Protocol):
    def acquire(self) -> bool:
        """True while this process is (or has just become) the leader."""

    def release(self) -> None: ...


class SoleLeadership:
    """One process alone: always the leader."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


class RedisLeadership:
    """``SET key token NX PX ttl``; the holder renews before the expiry. A holder that dies
    stops renewing and another process takes over after at most ``ttl`` seconds. When Redis
    cannot answer, nobody counts as leader (no reconcile rather than two)."""

    def __init__(self, url: str, *, name: str = "default", ttl: float = 30.0,
                 prefix: str = "") -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url, socket_timeout=5)
        self.key = f"{prefix}wecom:mirror:leader:{name}"
        self.ttl_ms = max(1, int(ttl * 1000))
        self.token = secrets.token_hex(12)

    def acquire(self) -> bool:
        import redis

        try:
            if self._redis.set(self.key, self.token, nx=True, px=self.ttl_ms):
                log.info("became the reconcile leader (%s)", self.key)
                return True
            return bool(self._redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        except redis.RedisError as exc:
            log.warning("leader lock unavailable, not reconciling: %s", exc)
            return False

    def release(self) -> None:
        import redis

        try:
            self._redis.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            pass  # it expires by itself
        self._redis.close()
