"""The run lock: exclusive, names its holder, and freed by the OS when the holder is killed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
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


def test_the_holding_thread_may_nest_another_thread_is_refused_and_release_frees_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nested" / "j.lock"
    refused: list[BaseException] = []

    def other_thread() -> None:
        try:
            RunLock(path, purpose="x").acquire()
        except RunLockedError as exc:
            refused.append(exc)

    with RunLock(path, purpose="x"):
        with RunLock(path, purpose="x"):  # the CLI holds it around the library's apply
            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join(30)
        assert len(refused) == 1 and f"process {os.getpid()}" in str(refused[0])
        # still held after the nested release: another process is refused
        tried = subprocess.run([sys.executable, "-c", TRY, str(path)], capture_output=True)
        assert tried.returncode == 3, tried.stderr
    with RunLock(path, purpose="x") as lock:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(lock.info_path.stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "nested" / "j.lock.json").exists()


TRY = textwrap.dedent("""
    import sys
    from wecom_contacts._runlock import RunLock, RunLockedError
    try:
        RunLock(sys.argv[1], purpose="x").acquire()
    except RunLockedError:
        raise SystemExit(3)
""")
