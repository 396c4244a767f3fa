"""Token stores: where access tokens are cached, and the lock that makes refresh single-flight.

``base`` holds the key, the Token and the TokenStore protocol; ``memory`` and ``sqlite`` the
two stores without extra dependencies. ``RedisTokenStore`` (``wecom_contacts.redis.tokens``,
the ``[redis]`` extra) is importable from here too, but only on first use: that store imports
``tokens.base``, and this package imports it lazily, so the two never import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LockTimeout, Token, TokenStore, token_key
from .memory import MemoryTokenStore
from .sqlite import SQLiteTokenStore

if TYPE_CHECKING:
    from ..redis.tokens import RedisTokenStore as RedisTokenStore

__all__ = [
    "LockTimeout",
    "MemoryTokenStore",
    "SQLiteTokenStore",
    "Token",
    "TokenStore",
    "token_key",
]


def __getattr__(name: str) -> object:
    # RedisTokenStore lives in the optional [redis] part; import it only when asked for.
    if name == "RedisTokenStore":
        from ..redis.tokens import RedisTokenStore

        return RedisTokenStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
