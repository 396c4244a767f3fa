"""A SCIM 2.0 service provider in front of WeCom: identity providers provision members and tags.

    app = create_app(async_client, tokens=["…"], config=ScimConfig(), id_map=SQLiteIdMap(path))

``/Users`` map onto members, ``/Groups`` onto tags; see docs/scim.md for the mapping table.
Needs the ``scim`` extra (Starlette, uvicorn, scim2-filter-parser).
"""

from __future__ import annotations

try:
    import scim2_filter_parser as _parser  # type: ignore[import-untyped] # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "wecom_contacts.scim needs scim2-filter-parser: pip install 'wecom-contacts[scim]'"
    ) from exc

from .app import create_app
from .errors import ERRCODE_STATUS, ScimError
from .idmap import IdMap, IdRow, MemoryIdMap, SQLiteIdMap
from .mapping import DEFAULT_IGNORED, ScimConfig
from .server import app_from_env, build_app, open_id_map, parse_tokens, serve

__all__ = [
    "DEFAULT_IGNORED",
    "ERRCODE_STATUS",
    "IdMap",
    "IdRow",
    "MemoryIdMap",
    "SQLiteIdMap",
    "ScimConfig",
    "ScimError",
    "app_from_env",
    "build_app",
    "create_app",
    "open_id_map",
    "parse_tokens",
    "serve",
]
