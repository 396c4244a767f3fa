"""`sync run` and `sync history` against the emulator: outcomes, exit codes, the lock,
the shrink guard, resuming a half-done run, and the generic JSON webhook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from wecom_contacts.ops.lock import LockBusy, RunLock
from wecom_contacts.testing import EmulatorControl

from ._receivers import json_receiver
from .conftest import Invoke

ORG = """\
departments:
- path: 总部
- path: 总部/研发中心
users:
{users}"""


def _org(path: Path, n: int, start: int = 0) -> Path:
    users = "".join(f"- {{userid: u{i}, name: 员工{i}, mobile: '139{i:08d}', "
                    f"departments: [总部/研发中心]}}\n" for i in range(start, n))
    path.write_text(ORG.format(users=users), encoding="utf-8")
    return path


def _run_json(cli: Invoke, *args: str) -> tuple[int, dict[str, object]]:
    result = cli("--json", "sync", "run", *args)
    return result.exit_code, json.loads(result.stdout)


def test_run_applies_then_finds_no_changes_and_history_shows_both(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 3)
    code, first = _run_json(cli, str(org))
    assert (code, first["outcome"]) == (0, "applied")
    assert first["counts"] == {"create": 4, "update": 0, "move": 0, "disable": 0, "delete": 0,
                               "api_calls": 4, "risky": 0}
    code, second = _run_json(cli, str(org))
    assert (code, second["outcome"]) == (0, "no-changes")
    assert {u["userid"] for u in wecom_emulator.directory()["users"]} == {"u0", "u1", "u2"}
    shown = cli("sync", "history")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert "no-changes" in lines[0] and "3 members" in lines[0]
    assert any("applied" in line and "[4 create" in line for line in lines)
    runs = json.loads(cli("--json", "sync", "history").stdout)["runs"]
    assert [r["outcome"] for r in runs] == ["no-changes", "applied"]
    assert runs[1]["source_fingerprint"]["members"] == 3
    assert len(runs[1]["source_fingerprint"]["sha256"]) == 64
    report = Path(str(runs[1]["report"]))
    assert json.loads(report.read_text())["outcome"] == "applied"
    assert report.stat().st_mode & 0o777 == 0o600
    history = tmp_path / "state" / "history.sqlite"
    assert history.stat().st_mode & 0o777 == 0o600


def test_a_capped_run_waits_for_approval_with_exit_4_and_the_saved_plan_applies(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 12)
    assert _run_json(cli, str(org))[0] == 0
    _org(org, 12, start=11)  # 11 of 12 members gone: over the floor of 10
    code, capped = _run_json(cli, str(org), "--allow-shrink")
    assert (code, capped["outcome"]) == (4, "capped")
    assert "11 member deletes exceed the cap of 10" in str(capped["message"])
    assert len(wecom_emulator.directory()["users"]) == 12  # nothing applied
    approved = cli("sync", "apply", str(capped["plan"]), "--yes", "--allow-deletes")
    assert approved.exit_code == 0, approved.output
    # the last successful *run* still named 12 members: the shrink guard needs the flag once
    code, after = _run_json(cli, str(org), "--allow-shrink")
    assert (code, after["outcome"]) == (0, "no-changes")


def test_a_source_that_shrank_is_refused_before_planning(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 10)
    assert _run_json(cli, str(org))[0] == 0
    _org(org, 7)  # 3 of 10 (30 %) missing, over the default 20 %
    code, refused = _run_json(cli, str(org))
    assert (code, refused["outcome"]) == (4, "source-shrank")
    assert "names 7 members, 3 (30%) fewer than the last successful run" in str(
        refused["message"])
    assert len(wecom_emulator.directory()["users"]) == 10
    assert _run_json(cli, str(org), "--max-shrink", "0.5")[1]["outcome"] == "applied"


def test_a_department_list_that_shrank_is_refused_though_the_members_did_not(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    def org(teams: int) -> Path:
        text = "departments:\n- path: 总部\n" + "".join(
            f"- path: 总部/组{i}\n" for i in range(teams)) + "users:\n" + "".join(
            f"- {{userid: u{i}, name: 员工{i}, mobile: '139{i:08d}', "
            f"departments: [总部/组0]}}\n" for i in range(3))
        path = tmp_path / "org.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    assert _run_json(cli, str(org(9)))[0] == 0  # 10 departments with the root
    code, refused = _run_json(cli, str(org(6)))  # 3 of 10 gone: over 20 %
    assert (code, refused["outcome"]) == (4, "source-shrank")
    assert "names 7 departments, 3 (30%) fewer than the last successful run" in str(
        refused["message"])
    assert len(wecom_emulator.directory()["departments"]) == 10  # nothing planned
    runs = json.loads(cli("--json", "sync", "history").stdout)["runs"]
    assert runs[-1]["source_fingerprint"]["departments"] == 10
    assert _run_json(cli, str(org(6)), "--allow-shrink")[1]["outcome"] == "applied"


def test_a_history_file_an_older_version_made_gains_the_section_counts(tmp_path: Path) -> None:
    import sqlite3

    from wecom_contacts.ops.history import History

    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as old:  # the first release's table, one successful run
        old.execute("""CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at REAL NOT NULL, finished_at REAL,
            source TEXT NOT NULL, source_members INTEGER, source_sha256 TEXT,
            outcome TEXT NOT NULL, exit_code INTEGER, counts TEXT NOT NULL DEFAULT '{}',
            message TEXT NOT NULL DEFAULT '', report TEXT NOT NULL DEFAULT '')""")
        old.execute("INSERT INTO runs (started_at, finished_at, source, source_members, "
                    "source_sha256, outcome, exit_code) "
                    "VALUES (1.0, 2.0, 'org.yaml', 10, 'ab', 'applied', 0)")
    old.close()
    with History(path) as history:
        last = history.last_success("org.yaml")
        assert last is not None and (last.source_members, last.source_counts) == (10, {})
        run = history.start("org.yaml")
        history.set_source(run, members=9, sha256="cd", sections={"members": 9, "tags": 2})
        assert history.runs(limit=1)[0].source_counts == {"members": 9, "tags": 2}


def test_a_bad_source_fails_with_exit_2_and_the_webhook_is_told_the_error(
    cli: Invoke, tmp_path: Path
) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("users:\n- {userid: x, name: X, mobile: [1]}\n", encoding="utf-8")
    notify = tmp_path / "notify.yaml"
    with json_receiver() as hook:
        notify.write_text("channels:\n"
                          "- {type: webhook, url_env: HOOK_URL, token_env: HOOK_TOKEN}\n")
        result = cli("--json", "sync", "run", str(bad), "--notify", str(notify),
                     env={"HOOK_URL": f"http://127.0.0.1:{hook.server_port}/hook",
                          "HOOK_TOKEN": "tok-secret"})
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["outcome"] == "failed" and "org.yaml" in body["message"]
    assert body["notifications"] == [{"channel": "webhook", "ok": True, "error": ""}]
    (post,) = hook.received
    assert post["json"]["outcome"] == "failed"
    assert "org.yaml" in post["json"]["text"]
    assert post["headers"]["Authorization"] == "Bearer tok-secret"
    assert "tok-secret" not in Path(body["report"]).read_text()


def test_a_failing_channel_never_fails_the_sync_and_hides_its_secret(
    cli: Invoke, tmp_path: Path
) -> None:
    org = _org(tmp_path / "org.yaml", 1)
    notify = tmp_path / "notify.yaml"
    with json_receiver(status=500) as hook:
        url = f"http://127.0.0.1:{hook.server_port}/hook?token=hidden-token"
        notify.write_text("channels:\n- {type: webhook, url_env: HOOK_URL}\n")
        result = cli("--json", "sync", "run", str(org), "--notify", str(notify),
                     env={"HOOK_URL": url})
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["outcome"] == "applied"
    (delivery,) = body["notifications"]
    assert delivery["ok"] is False and "500" in delivery["error"]
    assert "hidden-token" not in result.stdout


def test_a_notification_file_missing_its_secret_is_a_usage_error(
    cli: Invoke, tmp_path: Path
) -> None:
    notify = tmp_path / "notify.yaml"
    notify.write_text("channels:\n- {type: robot, key_env: NO_SUCH_VARIABLE_X}\n")
    result = cli("sync", "run", str(_org(tmp_path / "o.yaml", 1)), "--notify", str(notify))
    assert result.exit_code == 2
    assert "channels[0]" in result.stderr and "NO_SUCH_VARIABLE_X" in result.stderr


def test_a_half_done_run_is_finished_by_the_next_run(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 3)
    wecom_emulator.fault("/cgi-bin/user/create", count=1, errcode=60104)
    code, first = _run_json(cli, str(org), "--bulk-threshold", "0")
    assert (code, first["outcome"]) == (5, "partial")
    unfinished = cli("sync", "status", str(org))  # the same journal as `sync apply`'s
    assert unfinished.exit_code == 5 and "of 4 steps done" in unfinished.stdout
    code, second = _run_json(cli, str(org), "--bulk-threshold", "0")
    assert (code, second["outcome"]) == (0, "applied"), second
    assert str(second["message"]).startswith("finished the earlier run's plan (4 of 4 steps")
    assert {u["userid"] for u in wecom_emulator.directory()["users"]} == {"u0", "u1", "u2"}


def test_a_run_while_another_holds_the_lock_exits_6(cli: Invoke, tmp_path: Path) -> None:
    org = _org(tmp_path / "org.yaml", 1)
    with RunLock(tmp_path / "state" / "run.lock"):
        code, busy = _run_json(cli, str(org))
    assert (code, busy["outcome"]) == (6, "busy")
    assert _run_json(cli, str(org))[1]["outcome"] == "applied"


def test_the_lock_is_freed_when_its_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from wecom_contacts.ops.lock import RunLock;"
         f"RunLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(LockBusy):
                RunLock(path).acquire()
        finally:
            holder.kill()
    with RunLock(path):
        pass


def test_every_runs_repeatedly_and_stops_cleanly_on_sigterm(
    tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 1)
    env = {**os.environ, "WECOM_STATE_DIR": str(tmp_path / "state"),
           "WECOM_BASE_URL": wecom_emulator.base_url, "WECOM_CORP_ID": wecom_emulator.corp_id,
           "WECOM_SECRET": wecom_emulator.secret, "WECOM_PROFILES_FILE": str(tmp_path / "p")}
    with subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.cli", "sync", "run", str(org),
         "--every", "1s", "--jitter", "1s"], env=env, stdout=subprocess.PIPE, text=True,
    ) as service:
        try:
            assert service.stdout is not None
            seen = [service.stdout.readline()]
            while seen[-1] and not seen[-1].startswith("run 2:"):
                seen.append(service.stdout.readline())  # "" once the service has ended
            service.send_signal(signal.SIGTERM)
            assert service.wait(timeout=60) == 0
        finally:
            if service.poll() is None:
                service.kill()
    assert seen[0].startswith("run 1: applied")
    assert any(line.startswith("run 2: no-changes") for line in seen)


def test_a_capped_run_is_told_through_the_robot_and_an_application_message(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    org = _org(tmp_path / "org.yaml", 12)
    assert _run_json(cli, str(org))[0] == 0
    wecom_emulator.add_robot("robot-key-1", "ops-group")
    notify = tmp_path / "notify.yaml"
    notify.write_text(
        "notify_on: [capped, failed]\n"
        "channels:\n"
        f"- {{type: robot, key_env: ROBOT_KEY, url: '{wecom_emulator.base_url}"
        "/cgi-bin/webhook/send'}\n"
        "- {type: app, agentid: 1000002, touser: [u11]}\n", encoding="utf-8")
    _org(org, 12, start=11)
    result = cli("--json", "sync", "run", str(org), "--allow-shrink", "--notify", str(notify),
                 env={"ROBOT_KEY": "robot-key-1"})
    assert result.exit_code == 4, result.output
    body = json.loads(result.stdout)
    assert [(d["channel"], d["ok"]) for d in body["notifications"]] == [
        ("robot", True), ("app", True)]
    robot, app = wecom_emulator.messages()
    assert robot["robot"] == "ops-group" and robot["msgtype"] == "markdown"
    text = robot["markdown"]["content"]
    assert "waiting for approval" in text and "11 member deletes exceed the cap of 10" in text
    assert "wecom-contacts sync apply" in text and "--allow-deletes" in text
    assert app["touser"] == ["u11"] and app["markdown"]["content"] == text
    assert "robot-key-1" not in Path(body["report"]).read_text()


def test_a_robot_with_a_wrong_key_is_reported_and_the_run_still_succeeds(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    notify = tmp_path / "notify.yaml"
    notify.write_text(f"channels:\n- {{type: robot, key_env: ROBOT_KEY, url: "
                      f"'{wecom_emulator.base_url}/cgi-bin/webhook/send'}}\n", encoding="utf-8")
    result = cli("--json", "sync", "run", str(_org(tmp_path / "org.yaml", 1)), "--notify",
                 str(notify), env={"ROBOT_KEY": "unregistered-key-9"})
    assert result.exit_code == 0, result.output
    (delivery,) = json.loads(result.stdout)["notifications"]
    assert delivery["ok"] is False and "93000" in delivery["error"]
    assert "unregistered-key-9" not in result.stdout


def test_run_takes_a_mapping_file_and_its_fingerprint_follows_the_hr_export(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples" / "hr-export"
    for name in ("hr-export.mapping.yaml", "hr-export.csv"):
        (tmp_path / name).write_bytes((examples / name).read_bytes())
    mapping = tmp_path / "hr-export.mapping.yaml"
    code, first = _run_json(cli, str(mapping))
    assert (code, first["outcome"]) == (0, "applied"), first
    assert "chen.jianguo" in {u["userid"] for u in wecom_emulator.directory()["users"]}
    code, second = _run_json(cli, str(mapping))
    assert (code, second["outcome"]) == (0, "no-changes")
    export = tmp_path / "hr-export.csv"
    text = export.read_bytes().decode("gb18030").replace("研发总监", "首席技术官")
    export.write_bytes(text.encode("gb18030"))  # the mapping file itself is unchanged
    code, third = _run_json(cli, str(mapping))
    assert (code, third["outcome"]) == (0, "applied")
    prints = [r["source_fingerprint"] for r in
              json.loads(cli("--json", "sync", "history").stdout)["runs"]]
    assert prints[1] == prints[2] != prints[0]  # newest first
    assert prints[0]["members"] == prints[1]["members"] > 0
