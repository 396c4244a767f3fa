"""`wecom-contacts demo` runs the whole tour on its own emulator, quickly."""

from __future__ import annotations

import time
from pathlib import Path

from typer.testing import CliRunner

from wecom_contacts.cli import app
from wecom_contacts.cli.demo import EXAMPLES


def test_demo_applies_the_company_reorganises_it_and_reports_callbacks() -> None:
    started = time.monotonic()
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "199 people" in out and "总部/销售中心/华北销售部" in out  # the org and the v2 plan
    assert "Plan:" in out and out.count("steps done") == 2
    assert "The receiver got" in out and '"ChangeType":"delete_user"' in out
    assert time.monotonic() - started < 60


def test_the_demo_data_shipped_in_the_package_are_the_example_files() -> None:
    """A wheel carries cli/demo_data/ (package data), so `demo` runs outside a checkout too."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    for name in ("org.yaml", "org-v2.yaml"):
        assert (EXAMPLES / name).read_bytes() == (examples / name).read_bytes(), name
