"""`wecom-contacts mirror sync` in-process and `mirror serve` as a real process, both against
the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from wecom_contacts import Client
from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl

from ..redis.conftest import free_port
from .conftest import COMPANY, callback_keys, rows, wait_for


@pytest.fixture(autouse=True)
def no_machine_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WECOM_BASE_URL", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_PROFILE",
                 "WECOM_MIRROR_TARGET", "WECOM_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WECOM_PROFILES_FILE", str(tmp_path / "profiles.toml"))


def run(emulator: EmulatorControl, *args: str) -> Result:
    flags = ["--base-url", emulator.base_url, "--corp-id", emulator.corp_id,
             "--secret", emulator.secret]
    return CliRunner().invoke(app, [*flags, "mirror", *args])


def test_sync_writes_and_dry_run_shows_the_diff(wecom_emulator: EmulatorControl,
                                                wecom_client: Client, tmp_path: Path) -> None:
    wecom_emulator.seed(COMPANY)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    first = run(wecom_emulator, "sync", "--target", url, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["changes"]["members"]["added"] == 12
    wecom_client.users.update("lisi", mobile="13700000000")
    dry = run(wecom_emulator, "sync", "--target", url, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "~ member lisi: mobile: '13800000002' → '13700000000'" in dry.stdout
    assert rows(url, "select mobile from members where userid='lisi'") == [("13800000002",)]


def test_sync_refuses_mass_deletion_with_exit_4(wecom_emulator: EmulatorControl,
                                                wecom_client: Client, tmp_path: Path) -> None:
    wecom_emulator.seed(COMPANY)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    assert run(wecom_emulator, "sync", "--target", url).exit_code == 0
    wecom_client.users.batch_delete(["he", "gao", "lin", "chen"])
    refused = run(wecom_emulator, "sync", "--target", url)
    assert refused.exit_code == 4
    assert "would delete 4" in refused.output and "--allow-deletes" in refused.output
    assert rows(url, "select count(*) from members") == [(12,)]
    assert run(wecom_emulator, "sync", "--target", url, "--allow-deletes").exit_code == 0
    assert rows(url, "select count(*) from members") == [(8,)]


def test_sync_with_unusable_target_says_so(wecom_emulator: EmulatorControl) -> None:
    bad = run(wecom_emulator, "sync", "--target", "mirror.db")
    assert bad.exit_code == 2 and "give a URL" in bad.output
    down = run(wecom_emulator, "sync", "--target",
               f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    assert down.exit_code == 3 and "target failed" in down.output


def serve_process(emulator: EmulatorControl, target: str, port: int, token: str, key: str,
                  tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WECOM_BASE_URL": emulator.base_url,
           "WECOM_CORP_ID": emulator.corp_id, "WECOM_SECRET": emulator.secret,
           "WECOM_CALLBACK_TOKEN": token, "WECOM_CALLBACK_AES_KEY": key}
    with open(tmp_path / f"serve-{port}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "wecom_contacts.cli", "mirror", "serve", "--target", target,
             "--port", str(port), "--queue", str(tmp_path / f"queue-{port}.sqlite"), *extra],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )


def status(port: int) -> dict[str, object] | None:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/_mirror/status", timeout=2)
    except httpx.TransportError:
        return None
    result: dict[str, object] = answer.json()
    return result


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def served(wecom_emulator: EmulatorControl, tmp_path: Path) -> Iterator[tuple[str, int]]:
    wecom_emulator.seed(COMPANY)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    token, key = callback_keys()
    port = free_port()
    proc = serve_process(wecom_emulator, url, port, token, key, tmp_path,
                         "--reconcile-interval", "3600")
    try:
        wait_for(lambda: (status(port) or {}).get("reconciles") == 1, what="the first reconcile")
        wecom_emulator.configure_callback(f"http://127.0.0.1:{port}/wecom/callback", token, key,
                                          echo_own_changes=True, verify=True)
        yield url, port
    finally:
        wecom_emulator.remove_callback()
        stop(proc)


def test_serve_mirrors_at_start_then_applies_each_callback(
    served: tuple[str, int], wecom_emulator: EmulatorControl, wecom_client: Client
) -> None:
    url, port = served
    assert rows(url, "select count(*) from members") == [(12,)]
    wecom_client.users.create("newbie", "新人", department=[4], mobile="13900000003")
    wecom_client.users.update("zhangsan", email="zs@example.com")
    wecom_emulator.flush_callbacks()
    assert rows(url, "select name from members where userid='newbie'") == [("新人",)]
    assert rows(url, "select email from members where userid='zhangsan'") == [
        ("zs@example.com",)]
    assert (status(port) or {})["applied"] == 2


@pytest.mark.ldap
def test_sync_into_ldap_with_a_mapping_file(wecom_emulator: EmulatorControl, tmp_path: Path,
                                            ldap_server: Any) -> None:
    import ldap3  # type: ignore[import-untyped]  # (no stubs installed)

    wecom_emulator.seed(COMPANY)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("dn_template: 'uid={userid},{base}'\n"
                       "attributes: {cn: name, sn: name, mobile: mobile}\n", encoding="utf-8")
    args = ["sync", "--target", ldap_server.url, "--ldap-base-dn", ldap_server.base_dn,
            "--ldap-bind-dn", ldap_server.bind_dn, "--ldap-password", ldap_server.password,
            "--ldap-mapping", str(mapping), "--ldap-journal", str(tmp_path / "j.sqlite")]
    done = run(wecom_emulator, *args)
    assert done.exit_code == 0, done.output
    with ldap_server.connection() as conn:
        conn.search(ldap_server.base_dn, "(uid=lisi)", ldap3.SUBTREE, attributes=["mobile"])
        assert [(e.entry_dn, e["mobile"].values) for e in conn.entries] == [
            (f"uid=lisi,{ldap_server.base_dn}", ["13800000002"])]
    mapping.write_text("attributes: {cn: name, mobile: phone}\n", encoding="utf-8")
    bad = run(wecom_emulator, *args)
    assert bad.exit_code == 2 and "unknown member field(s) ['phone']" in bad.output
    wrong = run(wecom_emulator, "sync", "--target", ldap_server.url, "--ldap-base-dn",
                ldap_server.base_dn, "--ldap-bind-dn", ldap_server.bind_dn, "--ldap-password",
                "wrong", "--ldap-journal", str(tmp_path / "j2.sqlite"))
    assert wrong.exit_code == 3 and "bind as" in wrong.output
