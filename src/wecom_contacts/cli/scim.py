"""`wecom-contacts scim serve`: the SCIM 2.0 service provider in front of WeCom."""

from __future__ import annotations

from typing import Annotated

import typer

from ._context import use
from ._errors import usage_error

__all__ = ["app"]

app = typer.Typer(help="SCIM 2.0 service for identity providers (Entra ID, Okta, …).",
                  no_args_is_help=True)


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    id_map: Annotated[
        str | None,
        typer.Option("--id-map", metavar="PATH", envvar="WECOM_SCIM_ID_MAP",
                     help="Where SCIM ids (stable across renames) and externalIds are kept: a "
                     "SQLite file (created 0600) or a redis:// URL; default: on --redis if "
                     "given, else in memory (lost at exit)."),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option("--redis", metavar="URL", envvar="WECOM_REDIS_URL",
                     help="Share tokens, rate limits and SCIM ids with other processes "
                     "through this Redis (needs the redis extra)."),
    ] = None,
    public_url: Annotated[
        str, typer.Option("--public-url", help="The URL providers use, for meta.location.")
    ] = "",
    employee_number: Annotated[
        str | None,
        typer.Option("--employee-number", metavar="FIELD",
                     help="Where employeeNumber goes: alias or extattr:<name>."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore-attribute", metavar="ATTR",
                     help="Accept and drop this attribute instead of answering 400 "
                     "(repeatable), e.g. nickName; password, locale, preferredLanguage "
                     "and timezone always are."),
    ] = None,
    groups: Annotated[
        str, typer.Option("--groups", metavar="tags|departments",
                          help="What a SCIM Group is in WeCom.")
    ] = "tags",
    invite: Annotated[
        bool, typer.Option("--invite/--no-invite",
                           help="Send WeCom's invitation to members created through SCIM.")
    ] = False,
    default_department: Annotated[
        int, typer.Option("--default-department", help="Department of users that name none.")
    ] = 1,
) -> None:
    """Serve /Users, /Groups and discovery; bearer tokens come from WECOM_SCIM_TOKENS."""
    import os

    try:
        from ..scim import DEFAULT_IGNORED, ScimConfig, build_app, parse_tokens
        from ..scim import serve as run
    except ImportError as exc:
        raise usage_error(str(exc)) from None

    settings = use(ctx).settings()
    if not settings.corp_id or not settings.secret:
        raise usage_error("missing --corp-id / --secret (or WECOM_CORP_ID / WECOM_SECRET)")
    try:
        tokens = parse_tokens(os.environ.get("WECOM_SCIM_TOKENS"))
        config = ScimConfig(default_department=default_department, groups=groups,
                            to_invite=invite,
                            employee_number=employee_number,
                            ignore=DEFAULT_IGNORED | set(ignore or ()))
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    try:
        app_ = build_app(corp_id=settings.corp_id, secret=settings.secret,
                         base_url=settings.base_url, tokens=tokens, config=config,
                         id_map_path=id_map, redis_url=redis, public_url=public_url)
    except (ImportError, ValueError) as exc:  # the redis extra missing, a bad Redis URL
        raise usage_error(str(exc)) from None
    run(app_, host=host, port=port)
