"""Running the SCIM app: the client it uses (shared tokens and limits on Redis) and uvicorn."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette

from .. import AsyncClient, LocalRateLimiter, RateLimiter, TokenStore
from ..client import DEFAULT_BASE_URL
from .app import create_app
from .idmap import IdMap, MemoryIdMap, SQLiteIdMap
from .mapping import ScimConfig

__all__ = ["app_from_env", "build_app", "open_id_map", "parse_tokens", "serve"]


def parse_tokens(text: str | None) -> list[str]:
    """``WECOM_SCIM_TOKENS``: comma-separated; blanks dropped; at least one required."""
    tokens = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not tokens:
        raise ValueError("WECOM_SCIM_TOKENS is empty: give at least one bearer token")
    short = [t for t in tokens if len(t) < 16]
    if short:
        raise ValueError(f"{len(short)} bearer token(s) shorter than 16 characters")
    return tokens


def open_id_map(where: str | None, redis_url: str | None = None) -> IdMap:
    """``redis://…`` (or ``rediss://``, ``unix://``): on Redis; another text: a SQLite file;
    nothing: on ``redis_url`` when the fleet shares a Redis, else in memory."""
    if where and where.startswith(("redis://", "rediss://", "unix://")):
        redis_url, where = where, None
    if where:
        return SQLiteIdMap(where)
    if redis_url:
        from .idmap_redis import RedisIdMap

        return RedisIdMap.from_url(redis_url)
    return MemoryIdMap()


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
    same Redis (other SCIM instances, sync runs, ...): one ``gettoken`` for the fleet; so are
    the SCIM ids, unless ``id_map_path`` names a SQLite file.
    """
    store: TokenStore | None = None
    limiter: RateLimiter = LocalRateLimiter()
    if redis_url:
        from ..redis import RedisRateLimiter, RedisTokenStore

        store = RedisTokenStore.from_url(redis_url)
        limiter = RedisRateLimiter.from_url(redis_url, corp_id=corp_id)
    id_map = open_id_map(id_map_path, redis_url)

    def make_client() -> AsyncClient:
        return AsyncClient(corp_id, secret, base_url=base_url, token_store=store,
                           rate_limiter=limiter)

    return create_app(make_client, tokens=tokens, config=config, id_map=id_map,
                      base_url=public_url, close_id_map=True)


def app_from_env(environ: Mapping[str, str] | None = None) -> Starlette:
    """The app from ``WECOM_*`` variables: ``uvicorn --factory wecom_contacts.scim:app_from_env``.

    Reads WECOM_CORP_ID, WECOM_SECRET, WECOM_BASE_URL, WECOM_SCIM_TOKENS and, when set,
    WECOM_SCIM_ID_MAP, WECOM_REDIS_URL, WECOM_SCIM_PUBLIC_URL.
    """
    env = os.environ if environ is None else environ
    missing = [n for n in ("WECOM_CORP_ID", "WECOM_SECRET") if not env.get(n)]
    if missing:
        raise ValueError(f"environment variable(s) not set: {', '.join(missing)}")
    return build_app(
        corp_id=env["WECOM_CORP_ID"], secret=env["WECOM_SECRET"],
        base_url=env.get("WECOM_BASE_URL") or DEFAULT_BASE_URL,
        tokens=parse_tokens(env.get("WECOM_SCIM_TOKENS")),
        id_map_path=env.get("WECOM_SCIM_ID_MAP") or None,
        redis_url=env.get("WECOM_REDIS_URL") or None,
        public_url=env.get("WECOM_SCIM_PUBLIC_URL", ""),
    )


def serve(app: Starlette, *, host: str, port: int, **uvicorn_options: Any) -> None:
    """Run ``app`` under uvicorn; its access log is off (request lines hold member data)."""
    import uvicorn

    log_config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["wecom_contacts.scim"] = {
        "handlers": ["default"], "level": os.environ.get("WECOM_SCIM_LOG_LEVEL", "INFO"),
    }
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=log_config,
                **uvicorn_options)
