"""What the server starters share: free ports and the skip-or-fail rule for a missing binary."""

from __future__ import annotations

import os
import socket

import pytest


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def missing(what: str, env: str) -> None:
    """Skip without the server, unless ``env`` is set (as in CI): there a missing server fails."""
    message = f"{what} is not installed"
    if os.environ.get(env):
        pytest.fail(f"{message}, and {env} is set: install it (see .ci/run)", pytrace=False)
    pytest.skip(message)
