"""The documentation site builds with warnings as errors, offline, API reference included.

One build of the checkout's mkdocs.yml (paths made absolute) over a copy of docs/ with one page
added that no nav lists, as the next engineer's page would be: it must build too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The first test also builds the site (~10 s idle, far more on a loaded machine).
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("site")
    docs = work / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "not-yet-in-nav.md").write_text(
        "# A page added later\n\nSee [directory sync](sync.md#planning).\n", encoding="utf-8"
    )
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("docs_dir: docs", f"docs_dir: {docs}")
    config = config.replace("site_dir: site", f"site_dir: {work / 'site'}")
    config = config.replace("scripts/mkdocs_hooks.py", str(ROOT / "scripts" / "mkdocs_hooks.py"))
    config = config.replace("paths: [src]", f"paths: [{ROOT / 'src'}]")
    (work / "mkdocs.yml").write_text(config, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(work / "mkdocs.yml")],
        capture_output=True, text=True, timeout=600, env={"NO_MKDOCS_2_WARNING": "1",
                                                          "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return work / "site"


def test_every_page_is_built_including_one_not_in_the_nav(site: Path) -> None:
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    built = {p.stem for p in site.glob("*.html")}
    assert pages | {"not-yet-in-nav"} <= built


def test_the_api_reference_is_generated_from_the_docstrings(site: Path) -> None:
    reference = (site / "reference.html").read_text(encoding="utf-8")
    for name in ("plan_and_apply", "CallbackCrypto", "EmulatorControl", "MissingExtra"):
        assert re.search(rf'id="wecom_contacts\.[\w.]*{name}"', reference), name
    # a docstring's text, not only the names
    assert "fail with one line naming the extra" in reference


def test_the_site_loads_nothing_from_the_network(site: Path) -> None:
    external = re.compile(r"<(?:link|script)[^>]+(?:href|src)=\"(?:https?:)?//", re.I)
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not external.search(text), page.name
        assert "fonts.googleapis" not in text, page.name


def test_fence_flags_do_not_leak_into_the_site(site: Path) -> None:
    # a fence Markdown did not take as one shows up as a paragraph starting with ```
    for page in site.glob("*.html"):
        assert "<p>```" not in page.read_text(encoding="utf-8"), page.name
