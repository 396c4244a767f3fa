"""Fixtures: one emulator per test session over real HTTP, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from wecom_contacts.emulator import EmulatorServer

from .support import Api, Control


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    # A generous timeout, not a speed bound: a 20,000-member seed takes ~2 s of CPU and several
    # times that on a loaded machine (it timed out at 10 s there); pytest's own limit is 120 s.
    with httpx.Client(base_url=emulator.base_url, timeout=90) as client:
        yield client


@pytest.fixture
def control(http: httpx.Client) -> Control:
    control = Control(http)
    control.post("reset")
    return control


@pytest.fixture
def api(http: httpx.Client, control: Control) -> Api:
    """The contacts-sync secret, on a freshly reset emulator."""
    return Api(http)
