"""--read-via on export and sync: export jobs where WeCom refuses detail reads (48009)."""

from __future__ import annotations

import json
from pathlib import Path

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke


def test_read_via_chooses_how_export_and_sync_plan_read_the_directory(
    cli: Invoke, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    wecom_emulator.configure(block_new_ip_detail_reads=True)
    refused = cli("export", "--read-via", "lists")
    assert refused.exit_code != 0 and "48009" in refused.output
    out = tmp_path / "org.yaml"
    exported = cli("export", "--read-via", "export", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert wecom_emulator.calls("/cgi-bin/export/user") == 1
    bad = cli("sync", "plan", str(out), "--read-via", "lists-please")
    assert bad.exit_code == 2 and "--read-via" in bad.output
    planned = cli("--json", "sync", "plan", str(out))  # auto: falls back by itself
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["changes"] == 0
    applied = cli("--json", "sync", "apply", str(out), "--yes", "--read-via", "export")
    assert applied.exit_code == 0 and json.loads(applied.stdout)["changes"] == 0
