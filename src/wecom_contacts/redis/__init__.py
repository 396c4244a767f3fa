"""Scale-out on Redis: a shared token store, a fleet-wide rate limiter, callback de-duplication.

Needs redis-py (``pip install 'wecom-contacts[redis]'``) and Redis 5 or later.
"""

from __future__ import annotations

try:
    import redis as _redis  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "wecom_contacts.redis needs redis-py: pip install 'wecom-contacts[redis]'"
    ) from exc

from ._base import StoreError, StoreUnavailable
from .dedup import RedisDedupStore
from .ratelimit import RedisRateLimiter
from .tokens import RedisTokenStore

__all__ = [
    "RedisDedupStore",
    "RedisRateLimiter",
    "RedisTokenStore",
    "StoreError",
    "StoreUnavailable",
]
