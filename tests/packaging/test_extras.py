"""A missing extra is one line naming it: in Python (MissingExtra) and in the CLI (exit 2).

Each test runs a fresh interpreter whose import system refuses ``redis``, as on an install
without the ``[redis]`` extra: a meta-path finder inserted before anything is imported.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from wecom_contacts._extras import MissingExtra, require

HIDE_REDIS = textwrap.dedent(
    """
    import sys

    class HideRedis:
        def find_spec(self, name, path=None, target=None):
            if name == "redis" or name.startswith("redis."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, HideRedis())
    """
)
ONE_LINE = "wecom_contacts.redis needs redis-py: pip install 'wecom-contacts[redis]'"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_REDIS + textwrap.dedent(code)],
        capture_output=True, text=True, timeout=120,
    )


def test_importing_the_redis_part_without_redis_py_names_the_extra() -> None:
    done = _run(
        """
        try:
            import wecom_contacts.redis
        except ImportError as exc:
            print(type(exc).__name__, "|", exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"MissingExtra | {ONE_LINE}"


def test_the_lazy_redis_token_store_names_the_extra_too() -> None:
    done = _run(
        """
        from wecom_contacts.tokens import MemoryTokenStore, SQLiteTokenStore  # core: fine
        try:
            from wecom_contacts.tokens import RedisTokenStore
        except ImportError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ONE_LINE


def test_the_core_cli_and_sync_import_without_any_extra() -> None:
    done = _run(
        """
        import wecom_contacts, wecom_contacts.cli, wecom_contacts.sync, wecom_contacts.callback
        print("ok", "redis" in sys.modules)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok False"


def test_the_cli_says_the_extra_in_one_line_and_exits_2() -> None:
    done = _run(
        """
        sys.argv = ["wecom-contacts", "callback", "serve", "--token", "t",
                    "--aes-key", "a" * 43, "--corp-id", "ww1",
                    "--dedup-redis", "redis://127.0.0.1:9/0"]
        from wecom_contacts.cli import main
        main()
        """
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"Error: {ONE_LINE}"
    assert done.stdout == ""


def test_require_returns_the_module_when_it_is_installed() -> None:
    assert require("json", extra="x", feature="f").dumps([1]) == "[1]"


def test_require_names_the_feature_distribution_and_extra() -> None:
    with pytest.raises(MissingExtra) as caught:
        require("no_such_module_here.sub", extra="xlsx", feature="XLSX sources", dist="openpyxl")
    assert str(caught.value) == "XLSX sources needs openpyxl: pip install 'wecom-contacts[xlsx]'"
    assert isinstance(caught.value, ImportError)
    assert caught.value.extra == "xlsx"


HIDE = textwrap.dedent(
    """
    import sys

    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name == HIDDEN or name.startswith(HIDDEN + "."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    """
)


@pytest.mark.parametrize(
    ("hidden", "code", "line"),
    [
        ("ldap3", "from wecom_contacts.sources.base import _load; _load('ldap')",
         "the ldap source needs ldap3: pip install 'wecom-contacts[ldap]'"),
        ("sqlalchemy", "from wecom_contacts.sources.base import _load; _load('sql')",
         "the sql source needs SQLAlchemy: pip install 'wecom-contacts[sql]'"),
        ("openpyxl", "from wecom_contacts.sources.xlsx import _open; _open(None, 'x')",
         "reading .xlsx workbooks needs openpyxl: pip install 'wecom-contacts[xlsx]'"),
        ("sqlalchemy", "from wecom_contacts.mirror import open_target; open_target('sqlite://')",
         "an SQL mirror target needs SQLAlchemy: pip install 'wecom-contacts[sql]'"),
        ("ldap3", "from wecom_contacts.mirror import open_target; open_target('ldap://h')",
         "an LDAP mirror target needs ldap3: pip install 'wecom-contacts[ldap]'"),
        ("scim2_filter_parser", "import wecom_contacts.scim",
         "wecom_contacts.scim needs scim2-filter-parser: pip install 'wecom-contacts[scim]'"),
    ],
)
def test_every_optional_connector_names_its_extra_in_one_line(
    hidden: str, code: str, line: str
) -> None:
    script = f"HIDDEN = {hidden!r}\n" + HIDE + textwrap.dedent(f"""
        try:
            {code}
        except ImportError as exc:
            print(type(exc).__name__, "|", exc)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"MissingExtra | {line}"
