"""Scale-out on Redis: a shared token store, a fleet-wide rate limiter, callback de-duplication.

Needs redis-py (``pip install 'wecom-contacts[redis]'``) and Redis 5 or later.
"""

from __future__ import annotations

from .._extras import require

# Before the submodules import redis themselves: a missing extra is one line, not a traceback.
require("redis", extra="redis", feature="wecom_contacts.redis", dist="redis-py")

from ._base import StoreError, StoreUnavailable  # noqa: E402
from .dedup import RedisDedupStore  # noqa: E402
from .ratelimit import RedisRateLimiter  # noqa: E402
from .tokens import RedisTokenStore  # noqa: E402

__all__ = [
    "RedisDedupStore",
    "RedisRateLimiter",
    "RedisTokenStore",
    "StoreError",
    "StoreUnavailable",
]
