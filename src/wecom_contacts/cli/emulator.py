"""`wecom-contacts emulator serve`: wraps `python -m wecom_contacts.emulator`."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="The local WeCom Contacts emulator.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port; 0 picks a free one.")] = 0,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH", help="SQLite file (default: a temporary one)."),
    ] = None,
    corp_id: Annotated[
        str, typer.Option("--corp-id", help="The emulated corp id.")
    ] = "ww0000000000emulator",
    secret: Annotated[
        str, typer.Option("--secret", help="The emulated contacts-sync secret.")
    ] = "emulator-sync-secret",
    token_lifetime: Annotated[
        int, typer.Option("--token-lifetime", help="Seconds an access token lives.")
    ] = 7200,
) -> None:
    """Serve the emulator until Ctrl-C; the first line printed is its base URL."""
    from ..emulator.__main__ import main as emulator_main

    argv = ["--host", host, "--port", str(port), "--corp-id", corp_id, "--secret", secret]
    argv += ["--token-lifetime", str(token_lifetime)]
    if db is not None:
        argv += ["--db", db]
    raise typer.Exit(emulator_main(argv))
