"""Every code block of README.md and docs/ runs as written, or is a fragment that still parses.

One test per page: a fresh emulator directory, a fresh working directory, and the page's blocks
in order (so a file written by one block is there for the next). The convention is in
docs/contributing.md and blocks.py.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.main import get_command

from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl

from .blocks import ROOT, Block, blocks, check_cli_args, cli_words, pages, shell_lines

PAGES = pages()
BIN = str(Path(sys.executable).parent)


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scan_covers_the_readme_and_every_docs_page() -> None:
    names = {_ids(p) for p in PAGES}
    assert "README.md" in names
    assert {"docs/sync.md", "docs/callbacks.md", "docs/contributing.md"} <= names
    assert len(names) == 1 + len(list((ROOT / "docs").rglob("*.md")))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(emulator: EmulatorControl, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_")}
    env.update(
        WECOM_BASE_URL=emulator.base_url,
        WECOM_CORP_ID=emulator.corp_id,
        WECOM_SECRET=emulator.secret,
        WECOM_PROFILES_FILE=os.devnull,
        WECOM_STATE_DIR=str(workdir / "state"),
        # `callback serve` and `emulator callback` read it: no fixed port shared by test runs
        WECOM_CALLBACK_PORT=str(_free_port()),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="120",
    )
    return env


class Page:
    """Runs one page's blocks; background servers are stopped at the end."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.namespace: dict[str, object] = {"__name__": "__docs__"}
        self.servers: list[subprocess.Popen[str]] = []
        self.cli = get_command(app)

    def run(self, block: Block) -> None:
        if block.language == "text":
            return
        if block.language == "python":
            tree = ast.parse(block.text, filename=block.where)
            if not block.fragment:
                exec(compile(tree, block.where, "exec"), self.namespace)
        elif block.language in {"yaml", "json"}:
            data = yaml.safe_load(block.text) if block.language == "yaml" else json.loads(
                block.text
            )
            assert data is not None, f"{block.where}: empty {block.language}"
            if "file" in block.attrs:
                (self.workdir / block.attrs["file"]).write_text(block.text, encoding="utf-8")
        elif block.language == "sh":
            self._shell(block)
        elif block.language == "console":
            commands = [line for line in block.text.splitlines() if line.startswith("$ ")]
            assert commands, f"{block.where}: a console block shows `$ ` commands"
            self._check_cli("\n".join(commands), block)
        elif block.language == "sql":
            # quotes and comments closed (a final ";" may be left out in prose)
            text = block.text.rstrip()
            text = text if text.endswith(";") else text + ";"
            assert sqlite3.complete_statement(text), f"{block.where}: unclosed SQL"

    def _check_cli(self, text: str, block: Block) -> None:
        for line in shell_lines(text):
            args = cli_words(line)
            if args is not None:
                try:
                    check_cli_args(self.cli, args)
                except ValueError as exc:
                    pytest.fail(f"{block.where}: {exc}")

    def _shell(self, block: Block) -> None:
        self._check_cli(block.text, block)
        if block.fragment:
            return
        script = "set -euo pipefail\n" + block.text
        if "background" in block.flags:
            self._start(block, script)
            return
        done = subprocess.run(
            ["bash", "-c", script], cwd=self.workdir, env=self.env, capture_output=True,
            text=True, timeout=300,
        )
        assert done.returncode == 0, (
            f"{block.where}: exit {done.returncode}\n--- stdout\n{done.stdout}\n"
            f"--- stderr\n{done.stderr}"
        )

    def _start(self, block: Block, script: str) -> None:
        log = self.workdir / f".server-{block.line}.log"
        with log.open("w") as err:
            server = subprocess.Popen(
                ["bash", "-c", script], cwd=self.workdir, env=self.env, stdout=subprocess.DEVNULL,
                stderr=err, text=True, start_new_session=True,
            )
        self.servers.append(server)
        # A server of the docs says where it listens first: wait for that line.
        deadline = time.monotonic() + 120
        while "http://" not in log.read_text():
            assert server.poll() is None, f"{block.where}: exited early:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"{block.where}: printed no URL:\n{log.read_text()}"
            time.sleep(0.05)

    def stop(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@pytest.fixture
def page_runner(
    wecom_emulator: EmulatorControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Page]:
    env = _environment(wecom_emulator, tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    runner = Page(tmp_path, env)
    try:
        yield runner
    finally:
        runner.stop()


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_every_block_of_the_page_runs_or_parses(page: Path, page_runner: Page) -> None:
    for block in blocks(page):
        page_runner.run(block)


def test_a_fragment_naming_a_missing_option_is_refused() -> None:
    cli = get_command(app)
    check_cli_args(cli, ["--json", "export", "--format", "csv", "-o", "x.csv"])
    with pytest.raises(ValueError, match="csv-members"):
        check_cli_args(cli, ["export", "--format", "csv-members"])
    with pytest.raises(ValueError, match="no option --colour"):
        check_cli_args(cli, ["users", "list", "--colour"])
    with pytest.raises(ValueError, match="no command 'frobnicate'"):
        check_cli_args(cli, ["sync", "frobnicate"])
