"""`python -m wecom_contacts.callback`: a receiver that prints each event as a JSON line."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys

from . import CallbackCrypto, CallbackEvent, make_asgi_app

__all__ = ["main"]


def _print_event(event: CallbackEvent) -> None:
    line = {"type": type(event).__name__, "raw": event.raw}
    print(json.dumps(line, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted; the first line printed is the receiver's base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m wecom_contacts.callback",
        description="Receive WeCom callbacks and print each event as one JSON line.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument("--token", default=os.environ.get("WECOM_CALLBACK_TOKEN"),
                        help="default: $WECOM_CALLBACK_TOKEN")
    parser.add_argument("--encoding-aes-key", default=os.environ.get("WECOM_CALLBACK_AES_KEY"),
                        help="default: $WECOM_CALLBACK_AES_KEY")
    parser.add_argument("--corp-id", default=os.environ.get("WECOM_CORP_ID"),
                        help="default: $WECOM_CORP_ID")
    parser.add_argument("--max-age", type=float, default=300.0,
                        help="accepted timestamp skew in seconds; 0 accepts any age")
    parser.add_argument("--ack-first", action="store_true")
    args = parser.parse_args(argv)
    missing = [f"--{name.replace('_', '-')}" for name in ("token", "encoding_aes_key", "corp_id")
               if not getattr(args, name)]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or the environment variables)")

    import uvicorn  # the [server] extra; imported late so --help works without it

    crypto = CallbackCrypto(args.token, args.encoding_aes_key, args.corp_id)
    app = make_asgi_app(crypto, _print_event, max_age=args.max_age or None,
                        ack_first=args.ack_first)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # listening before the URL is printed: a caller that connects at once waits in the
    # backlog until uvicorn accepts, instead of being refused while uvicorn starts up
    sock.listen(128)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"http://{host}:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:])
