"""`wecom-contacts callback serve`: receive WeCom callbacks, print or forward each event."""

from __future__ import annotations

import copy
import json
import secrets
import socket
import string
import sys
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import typer

from ..callback import CallbackCrypto, CallbackEvent
from ._context import use
from ._errors import usage_error

__all__ = ["DEFAULT_PORT", "app", "event_line", "forwarder", "keygen", "printer"]

DEFAULT_PORT = 8000

app = typer.Typer(help="Callback receiver (接收事件回调).", no_args_is_help=True)

Handler = Callable[[CallbackEvent], None]


def event_line(event: CallbackEvent) -> str:
    """One event as a JSON line: WeCom's own field names, exactly as decrypted."""
    return json.dumps(event.raw, ensure_ascii=False, separators=(",", ":"))


def printer() -> Handler:
    """Print each event as a JSON line on stdout."""

    def handle(event: CallbackEvent) -> None:
        sys.stdout.write(event_line(event) + "\n")
        sys.stdout.flush()

    return handle


def forwarder(url: str, *, timeout: float = 10.0) -> Handler:
    """POST each event as JSON to ``url``; a failure makes WeCom retry the delivery."""
    http = httpx.Client(timeout=timeout)

    def handle(event: CallbackEvent) -> None:
        response = http.post(
            url,
            content=event_line(event).encode("utf-8"),
            headers={"content-type": "application/json"},
        )
        response.raise_for_status()

    return handle


def _crypto(token: str, aes_key: str, corp_id: str) -> CallbackCrypto:
    try:
        return CallbackCrypto(token, aes_key, receive_id=corp_id)
    except ValueError as exc:
        raise usage_error(f"--token / --aes-key: {exc}") from None


@app.command("serve")
def serve(
    ctx: typer.Context,
    token: Annotated[
        str,
        typer.Option("--token", envvar="WECOM_CALLBACK_TOKEN", help="The callback Token."),
    ],
    aes_key: Annotated[
        str,
        typer.Option(
            "--aes-key", envvar="WECOM_CALLBACK_AES_KEY", help="The 43-character EncodingAESKey."
        ),
    ],
    corp_id: Annotated[
        str | None,
        typer.Option("--corp-id", help="Receiver id (corp id); defaults to the global setting."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port", envvar="WECOM_CALLBACK_PORT", help="Port to listen on; 0 picks one."
        ),
    ] = DEFAULT_PORT,
    forward: Annotated[
        str | None,
        typer.Option("--forward", metavar="URL", help="POST each event as JSON to this URL."),
    ] = None,
    max_age: Annotated[
        float, typer.Option("--max-age", help="Seconds a signed timestamp may be off.")
    ] = 300,
    dedup_redis: Annotated[
        str | None,
        typer.Option(
            "--dedup-redis",
            metavar="URL",
            envvar="WECOM_REDIS_URL",
            help="Share the memory of handled events through this Redis, so that several "
            "receivers behind one URL handle each event once (needs the redis extra).",
        ),
    ] = None,
) -> None:
    """Answer WeCom's URL check and print each event as a JSON line (or --forward it).

    The first line on stderr is the URL it listens on; stdout carries only the events.
    """
    import uvicorn

    from ..callback import make_asgi_app

    receiver_id = corp_id or use(ctx).settings().corp_id
    if not receiver_id:
        raise usage_error("give --corp-id (the receiver id every message must end with)")
    handler = forwarder(forward) if forward else printer()
    asgi = make_asgi_app(
        _crypto(token, aes_key, receiver_id),
        handler,
        max_age=max_age,
        dedup=_shared_dedup(dedup_redis) if dedup_redis else None,
        retry_on_error=forward is not None,
    )
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    # stderr: stdout carries only the events. Printed after binding, so the URL already answers.
    typer.echo(f"http://{shown}:{sock.getsockname()[1]}/ (receiving callbacks; Ctrl-C stops)",
               err=True)
    config = uvicorn.Config(asgi, log_config=_stderr_logging(uvicorn), lifespan="off", ws="none")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        where = f"--host {host} --port {port}"
        raise usage_error(f"{where}: cannot listen there: {exc.strerror}") from None
    sock.listen(128)
    return sock


@app.command("keygen")
def keygen() -> None:
    """Print a new callback Token and EncodingAESKey as environment lines.

    Enter both in WeCom's admin console (or `emulator callback`); `callback serve` reads them
    from WECOM_CALLBACK_TOKEN and WECOM_CALLBACK_AES_KEY. Keep them secret: with them anyone
    can forge events.
    """
    from .. import generate_encoding_aes_key

    alphabet = string.ascii_letters + string.digits
    token = "".join(secrets.choice(alphabet) for _ in range(32))  # WeCom allows up to 32
    typer.echo(f"WECOM_CALLBACK_TOKEN={token}")
    typer.echo(f"WECOM_CALLBACK_AES_KEY={generate_encoding_aes_key()}")


def _shared_dedup(url: str) -> Any:
    # without the redis extra this import raises MissingExtra: one line, exit 2 (_errors.py)
    from ..redis import RedisDedupStore

    try:
        return RedisDedupStore.from_url(url)
    except ValueError as exc:
        raise usage_error(f"--dedup-redis: {exc}") from None


def _stderr_logging(uvicorn: Any) -> dict[str, Any]:
    # stdout carries only the events; uvicorn's access log goes to stdout by default.
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config
