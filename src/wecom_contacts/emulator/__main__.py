"""`python -m wecom_contacts.emulator`: serve the emulator; the first stdout line is its URL."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .app import create_app
from .config import EmulatorConfig
from .server import base_url_of, bind_socket, uvicorn_server


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="python -m wecom_contacts.emulator",
        description="Local WeCom Contacts API emulator. Prints the base URL first.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument("--corp-id", default=defaults.corp_id)
    parser.add_argument("--secret", default=defaults.secret, help="the contacts-sync secret")
    parser.add_argument("--token-lifetime", type=int, default=defaults.token_lifetime)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = EmulatorConfig(
        corp_id=args.corp_id,
        secret=args.secret,
        db_path=args.db,
        token_lifetime=args.token_lifetime,
    )
    app = create_app(config)
    state = app.state.emulator
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        state.close()
        return 2
    print(base_url_of(sock), flush=True)
    print(f"corp id: {config.corp_id}", flush=True)
    print(f"contacts-sync secret: {config.secret}", flush=True)
    print(f"database: {state.store.path}", flush=True)
    try:
        uvicorn_server(app).run(sockets=[sock])
    finally:
        sock.close()
        state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
