"""A SCIM 2.0 service provider in front of WeCom: identity providers provision members and tags.

    app = create_app(async_client, tokens=["…"], config=ScimConfig(), id_map=SQLiteIdMap(path))

``/Users`` map onto members, ``/Groups`` onto tags; see docs/scim.md for the mapping table.
Needs the ``scim`` extra (Starlette, uvicorn, scim2-filter-parser).
"""

from __future__ import annotations

from .._extras import require

# Before the modules that import the parser, so a missing extra is one line naming it.
require("scim2_filter_parser", extra="scim", feature="wecom_contacts.scim",
        dist="scim2-filter-parser")

from .app import create_app  # noqa: E402
from .errors import ERRCODE_STATUS, ScimError  # noqa: E402
from .idmap import IdMap, IdRow, MemoryIdMap, SQLiteIdMap  # noqa: E402
from .mapping import DEFAULT_IGNORED, ScimConfig  # noqa: E402
from .server import app_from_env, build_app, open_id_map, parse_tokens, serve  # noqa: E402

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
