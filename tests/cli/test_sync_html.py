"""The HTML plan report in a real headless Chromium (Debian's, never a downloaded one):
a screenshot is written, the counts shown equal the plan's, a filter click hides rows."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke
from .test_sync_review import DESIRED, LIVE

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("WECOM_REQUIRE_CHROMIUM"):
            pytest.fail(f"{CHROMIUM} is missing, and WECOM_REQUIRE_CHROMIUM is set",
                        pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM,
                                  args=["--no-sandbox", "--headless=new"])
        try:
            yield found
        finally:
            found.close()


def test_html_report_shows_the_plans_counts_and_filters_by_kind_and_department(
    cli: Invoke, tmp_path: Path, wecom_emulator: EmulatorControl, browser: Any
) -> None:
    wecom_emulator.seed(LIVE)
    org = tmp_path / "org.yaml"
    org.write_text(DESIRED, encoding="utf-8")
    report = tmp_path / "plan.html"
    planned = cli("--json", "sync", "plan", str(org), "--html", str(report))
    assert planned.exit_code == 0, planned.output
    review = json.loads(planned.stdout)["review"]
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "<link" not in html

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    shot = tmp_path / "plan.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert requests == [report.as_uri()]  # nothing else fetched

    summary = review["summary"]
    assert page.locator("tr.item").count() == summary["items"] == 5
    for kind, count in summary["by_kind"].items():
        assert page.locator(f"#total-{kind}").inner_text() == str(count)
    assert page.locator("#total-risky").inner_text() == str(summary["risky"])
    assert page.locator("tr.item[data-risky='1']").count() == summary["risky"]
    visible = page.locator("tr.item:visible")
    assert visible.count() == 5

    page.select_option("#filter-kind", "delete")
    assert visible.count() == summary["by_kind"]["delete"] == 2
    assert page.locator("#shown").inner_text() == "2"
    page.select_option("#filter-kind", "")
    page.select_option("#filter-department", "总部/研发中心")
    assert visible.count() == sum(summary["by_department"]["总部/研发中心"].values())
    page.select_option("#filter-department", "")
    page.locator("#filter-risky").check()
    assert visible.count() == summary["risky"]

    moved = page.locator("tr.item[data-kind='move']")
    assert "调岗者 (mover)" in moved.inner_text()
    assert "总部/研发中心" in moved.locator(".old").first.inner_text()
    assert "总部/市场部" in moved.locator(".new").first.inner_text()
    page.close()
