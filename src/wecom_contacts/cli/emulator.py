"""`wecom-contacts emulator`: serve the emulator, point its callbacks at a receiver, flush them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from ..client import DEFAULT_BASE_URL
from ._context import use
from ._errors import EXIT_TRANSPORT, CliFailure, usage_error

if TYPE_CHECKING:  # imported when used: `emulator serve` needs none of it
    from ..testing import EmulatorControl

__all__ = ["ECHO_NOTE", "app"]

app = typer.Typer(help="The local WeCom Contacts emulator.", no_args_is_help=True)

ECHO_NOTE = (
    "Note: echo of this secret's own changes is on, so the changes you make with this CLI "
    "arrive too. Real WeCom does not call an app back for changes it made itself through "
    "the API: there, only changes made elsewhere (admin console, other apps) arrive. "
    "--no-echo-own-changes models that."
)


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


def _control(ctx: typer.Context) -> EmulatorControl:
    from ..testing import EmulatorControl

    settings = use(ctx).settings()
    if settings.base_url == DEFAULT_BASE_URL:
        raise usage_error(
            "point --base-url (or WECOM_BASE_URL) at the emulator: the first line "
            "`wecom-contacts emulator serve` prints"
        )
    return EmulatorControl(
        settings.base_url,
        corp_id=settings.corp_id or "ww0000000000emulator",
        secret=settings.secret or "emulator-sync-secret",
    )


@app.command("callback")
def callback(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Argument(
            help="The receiver's URL (default: a local `callback serve`: "
            "http://127.0.0.1:$WECOM_CALLBACK_PORT/, port 8000 without it).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str,
        typer.Option("--token", envvar="WECOM_CALLBACK_TOKEN", help="The callback Token."),
    ] = "",
    aes_key: Annotated[
        str,
        typer.Option(
            "--aes-key", envvar="WECOM_CALLBACK_AES_KEY", help="The 43-character EncodingAESKey."
        ),
    ] = "",
    echo_own_changes: Annotated[
        bool,
        typer.Option(
            "--echo-own-changes/--no-echo-own-changes",
            help="Also call back for changes made with this secret (real WeCom does not).",
        ),
    ] = True,
    minimal_fields: Annotated[
        bool,
        typer.Option(
            "--minimal-fields",
            help="Send only ids in member and department events (URLs set after 2022-08-15).",
        ),
    ] = False,
) -> None:
    """Send the emulator's change events for the contacts-sync secret to URL, encrypted."""
    if not token or not aes_key:
        raise usage_error(
            "give --token and --aes-key (or WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY); "
            "`wecom-contacts callback keygen` makes both"
        )
    from .callback import DEFAULT_PORT

    target = url or f"http://127.0.0.1:{os.environ.get('WECOM_CALLBACK_PORT') or DEFAULT_PORT}/"
    with _control(ctx) as control:
        try:
            control.configure_callback(
                target, token, aes_key, echo_own_changes=echo_own_changes,
                minimal_fields=minimal_fields,
            )
        except ValueError as exc:  # the control API's refusal, e.g. a malformed key
            raise usage_error(str(exc)) from None
    typer.echo(f"The emulator now sends its callbacks to {target}")
    if echo_own_changes:
        typer.echo(ECHO_NOTE, err=True)


@app.command("flush")
def flush(
    ctx: typer.Context,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait at most.")] = 30,
) -> None:
    """Wait until every callback so far was delivered (or failed, or was skipped)."""
    with _control(ctx) as control:
        try:
            control.flush_callbacks(timeout)
        except TimeoutError as exc:
            raise CliFailure(f"{exc} after {timeout:g} s", EXIT_TRANSPORT) from None
