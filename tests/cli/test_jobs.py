"""`wecom-contacts jobs status|wait` on import and export jobs started through the library."""

from __future__ import annotations

import json

from wecom_contacts import Client

from .conftest import Invoke


def _import_job(client: Client, *, taken_mobile: bool = False) -> str:
    if taken_mobile:
        client.users.create("wangwu", "王五", department=[1], mobile="13800000001")
    rows = [{"name": "张三", "userid": "zhangsan", "mobile": "13800000001", "department": [1]}]
    return client.batch.sync_users(rows=rows)


def test_status_and_wait_on_an_import_job(cli: Invoke, wecom_client: Client) -> None:
    job_id = _import_job(wecom_client)
    status = cli("--json", "jobs", "status", job_id)
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["status"] in (1, 2, 3)

    waited = cli("--json", "jobs", "wait", job_id, "--timeout", "30")
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout)["status"] == 3
    assert "finished" in cli("jobs", "status", job_id).stdout


def test_wait_exits_5_when_rows_were_refused(cli: Invoke, wecom_client: Client) -> None:
    job_id = _import_job(wecom_client, taken_mobile=True)
    result = cli("jobs", "wait", job_id, "--timeout", "30")
    assert result.exit_code == 5, result.output
    assert "60104" in result.stdout and "refused 1 row" in result.stderr


def test_export_job_status_and_wait(cli: Invoke, wecom_client: Client) -> None:
    job_id = wecom_client.export.departments("a" * 43)
    waited = cli("--json", "jobs", "wait", job_id, "--export", "--timeout", "30")
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout)["status"] == 2
    assert "finished" in cli("jobs", "status", job_id, "--export").stdout


def test_unknown_job_exits_1(cli: Invoke) -> None:
    result = cli("jobs", "status", "no-such-job")
    assert result.exit_code == 1
    assert "errcode" in result.stderr
