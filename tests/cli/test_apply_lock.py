"""One apply at a time: a second apply of the same journal, or any other apply to the same corp
from this machine's state directory, is refused (exit 2) naming the running process, and sends
nothing; a first apply killed with SIGKILL leaves nothing locked, and --resume finishes it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

CREATE = "/cgi-bin/user/create"
USERS = 6


def _org(prefix: str) -> str:
    lines = ["version: 1", "departments:", "- path: 总部", "users:"]
    for i in range(USERS):
        lines += [f"- userid: {prefix}{i}", f"  name: 成员{i}",
                  f"  mobile: '1380000{ord(prefix[0]) % 10}{i:03d}'", "  departments: [总部]"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(_org("m"), encoding="utf-8")
    return path


class Running:
    """A first `sync apply` in its own process, held inside a slow user/create."""

    def __init__(self, emu: EmulatorControl, source: Path, state: Path, *args: str) -> None:
        env = {**os.environ, "WECOM_STATE_DIR": str(state),
               "WECOM_PROFILES_FILE": str(state.parent / "none.toml")}
        for name in ("WECOM_BASE_URL", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_PROFILE"):
            env.pop(name, None)
        before = emu.calls(CREATE)
        # The first create waits 4 s before WeCom handles it: the apply is then mid-way.
        emu.fault(CREATE, count=1, delay=4)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wecom_contacts.cli", "--base-url", emu.base_url,
             "--corp-id", emu.corp_id, "--secret", emu.secret, "--json", "sync", "apply",
             "--yes", "--bulk-threshold", "0", *args, str(source)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while emu.calls(CREATE) <= before:  # the slow create has arrived: the lock is held
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.monotonic() < deadline, "the first apply never reached user/create"
            time.sleep(0.05)

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=300)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.communicate(timeout=60)


@pytest.fixture
def running(wecom_emulator: EmulatorControl, org: Path, tmp_path: Path) -> Iterator[
        type[Running]]:
    started: list[Running] = []

    class Tracked(Running):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            started.append(self)

    yield Tracked
    for run in started:
        if run.proc.poll() is None:
            run.kill()


def _refusal(result: object) -> dict[str, object]:
    error = json.loads(result.stderr)["error"]  # type: ignore[attr-defined]
    assert isinstance(error, dict)
    return error


@pytest.mark.parametrize("again", [[], ["--resume"]], ids=["apply", "resume"])
def test_a_second_apply_of_the_same_journal_is_refused_naming_the_first(
    cli: Invoke, wecom_emulator: EmulatorControl, running: type[Running], org: Path,
    tmp_path: Path, again: list[str],
) -> None:
    state = tmp_path / "state"
    first = running(wecom_emulator, org, state)
    calls = wecom_emulator.stats()["calls"]
    second = cli("--json", "sync", "apply", "--yes", *again, str(org),
                 env={"WECOM_STATE_DIR": str(state)})
    assert second.exit_code == 2, second.stderr
    error = _refusal(second)
    assert error["type"] == "RunLockedError"
    assert f"process {first.proc.pid} on {socket.gethostname()}, started" in str(error["message"])
    holder = error["holder"]
    assert isinstance(holder, dict) and holder["pid"] == first.proc.pid
    assert wecom_emulator.stats()["calls"] == calls  # the second sent nothing, read nothing
    code, out, err = first.finish()
    assert code == 0, err
    report = json.loads(out)
    assert report["done"] == report["changes"] == USERS  # every step once, none failed
    users = [u["userid"] for u in wecom_emulator.directory()["users"]]
    assert sorted(u for u in users if u.startswith("m")) == [f"m{i}" for i in range(USERS)]


def test_another_plan_for_the_same_corp_is_refused_while_one_is_applied(
    cli: Invoke, wecom_emulator: EmulatorControl, running: type[Running], org: Path,
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    other = tmp_path / "other.yaml"
    other.write_text(_org("x"), encoding="utf-8")
    first = running(wecom_emulator, org, state)
    second = cli("--json", "sync", "apply", "--yes", str(other),
                 env={"WECOM_STATE_DIR": str(state)})
    assert second.exit_code == 2, second.stderr
    error = _refusal(second)
    assert f"an apply to corp {wecom_emulator.corp_id} is already running" in str(
        error["message"])
    assert str(first.proc.pid) in str(error["message"])
    assert first.finish()[0] == 0
    assert not [u for u in wecom_emulator.directory()["users"] if u["userid"].startswith("x")]


def test_an_apply_killed_with_sigkill_leaves_no_lock_and_resume_finishes_it(
    cli: Invoke, wecom_emulator: EmulatorControl, running: type[Running], org: Path,
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    running(wecom_emulator, org, state).kill()
    resumed = cli("--json", "sync", "apply", "--yes", "--resume", str(org),
                  env={"WECOM_STATE_DIR": str(state)})
    assert resumed.exit_code == 0, resumed.stderr
    users = [u["userid"] for u in wecom_emulator.directory()["users"]]
    assert sorted(u for u in users if u.startswith("m")) == [f"m{i}" for i in range(USERS)]
