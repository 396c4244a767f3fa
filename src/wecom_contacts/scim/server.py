"""Running the SCIM app: the client it uses (shared tokens and limits on Redis) and uvicorn."""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette

from .. import AsyncClient, LocalRateLimiter, RateLimiter, TokenStore
from .app import create_app
from .idmap import IdMap, MemoryIdMap, SQLiteIdMap
from .mapping import ScimConfig

__all__ = ["build_app", "parse_tokens", "serve"]


def parse_tokens(text: str | None) -> list[str]:
    """``WECOM_SCIM_TOKENS``: comma-separated; blanks dropped; at least one required."""
    tokens = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not tokens:
        raise ValueError("WECOM_SCIM_TOKENS is empty: give at least one bearer token")
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise ValueError(f"{len(short)} bearer token(s) shorter than 16 characters")
    return tokens


def build_app(
    *,
    corp_id: str,
    secret: str,
    base_url: str,
    tokens: Sequence[str],
    config: ScimConfig | None = None,
    id_map_path: str | None = None,
    redis_url: str | None = None,
    public_url: str = "",
) -> Starlette:
    """The app with its own AsyncClient (made at start-up, closed at shutdown).

    With ``redis_url``, tokens and rate limits are shared with every other process using the
    same Redis (other SCIM instances, sync runs, ...): one ``gettoken`` for the fleet.
    """
    store: TokenStore | None = None
    limiter: RateLimiter = LocalRateLimiter()
    if redis_url:
        from ..redis import RedisRateLimiter, RedisTokenStore

        store = RedisTokenStore.from_url(redis_url)
        limiter = RedisRateLimiter.from_url(redis_url, corp_id=corp_id)
    id_map: IdMap = SQLiteIdMap(id_map_path) if id_map_path else MemoryIdMap()

    def make_client() -> AsyncClient:
        return AsyncClient(corp_id, secret, base_url=base_url, token_store=store,
                           rate_limiter=limiter)

    return create_app(make_client, tokens=tokens, config=config, id_map=id_map,
                      base_url=public_url)


def serve(app: Starlette, *, host: str, port: int, **uvicorn_options: Any) -> None:
    """Run ``app`` under uvicorn; its access log is off (request lines hold member data)."""
    import uvicorn

    log_config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["wecom_contacts.scim"] = {
        "handlers": ["default"], "level": os.environ.get("WECOM_SCIM_LOG_LEVEL", "INFO"),
    }
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=log_config,
                **uvicorn_options)
