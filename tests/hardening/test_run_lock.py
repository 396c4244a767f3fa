"""The run lock: exclusive, names its holder, and freed by the OS when the holder is killed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wecom_contacts._runlock import RunLock, RunLockedError

HOLD = textwrap.dedent("""
    import sys, time
    from wecom_contacts._runlock import RunLock
    lock = RunLock(sys.argv[1], purpose="an apply of this journal", what="plan abc")
    lock.acquire()
    print("held", flush=True)
    time.sleep(600)
""")


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "j.lock")],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        assert proc.stdout is not None
        proc.stdout.close()


def test_a_second_holder_is_refused_with_the_holders_pid_host_and_start(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(RunLockedError) as info:
        RunLock(tmp_path / "j.lock", purpose="an apply of this journal").acquire()
    text = str(info.value)
    assert f"process {holder.pid} on {socket.gethostname()}, started 20" in text
    assert "an apply of this journal is already running" in text and "plan abc" in text
    assert info.value.holder.pid == holder.pid


def test_a_holder_killed_with_sigkill_leaves_the_lock_free(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(30)
    with RunLock(tmp_path / "j.lock", purpose="an apply") as lock:
        assert lock.info_path.exists()  # the stale record of the dead holder is replaced
        assert f'"pid": {os.getpid()}' in lock.info_path.read_text()


def test_a_released_lock_can_be_taken_again_in_the_same_process(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "j.lock"
    with RunLock(path, purpose="x"):
        with pytest.raises(RunLockedError):
            RunLock(path, purpose="x").acquire()
    with RunLock(path, purpose="x") as lock:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(lock.info_path.stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "nested" / "j.lock.json").exists()
