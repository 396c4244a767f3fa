"""`callback serve --dedup-redis`: receivers on several machines handle each event once."""

from __future__ import annotations

import json
import select
from typing import Any

import pytest

from ..cli.test_servers import _free_port, _post_event, _serve_args, _wait_listening, spawn

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]
__all__ = ["spawn"]  # the fixture, imported for the tests below


def _lines(proc: Any, wait: float) -> list[str]:
    """What ``proc`` printed within ``wait`` seconds (it keeps running)."""
    ready, _, _ = select.select([proc.stdout], [], [], wait)
    return [proc.stdout.readline()] if ready else []


def test_two_receivers_sharing_redis_print_one_event_once(spawn: Any, redis_url: str) -> None:
    ports = [_free_port(), _free_port()]
    procs = [spawn(*_serve_args(port), "--dedup-redis", redis_url) for port in ports]
    for port, proc in zip(ports, procs, strict=True):
        _wait_listening(port, proc)
    # WeCom retries a delivery (the same message, a new signature) and a load balancer may
    # send the retry to the other machine
    assert _post_event(ports[0]).status_code == 200
    assert _post_event(ports[1]).status_code == 200
    printed = _lines(procs[0], 5) + _lines(procs[1], 1)
    assert [json.loads(line)["UserID"] for line in printed] == ["zhangsan"]


def test_without_a_shared_store_each_receiver_handles_it(spawn: Any) -> None:
    ports = [_free_port(), _free_port()]
    procs = [spawn(*_serve_args(port)) for port in ports]
    for port, proc in zip(ports, procs, strict=True):
        _wait_listening(port, proc)
        assert _post_event(port).status_code == 200
    assert [len(_lines(proc, 5)) for proc in procs] == [1, 1]
