"""Generated sync twins are up to date, and the public surface is what DESIGN names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wecom_contacts

ROOT = Path(__file__).resolve().parent.parent


def test_sync_twins_are_not_stale() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "unasync.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_public_names_are_exported() -> None:
    for name in ("Client", "AsyncClient", "WeComError", "NOT_GIVEN", "MemoryTokenStore",
                 "SQLiteTokenStore", "TokenStore"):
        assert name in wecom_contacts.__all__
        assert getattr(wecom_contacts, name) is not None
    assert sorted(wecom_contacts.__all__) == sorted(set(wecom_contacts.__all__))


def test_sync_and_async_clients_have_the_same_resource_methods() -> None:
    from wecom_contacts.resources import departments

    sync = {n for n in vars(departments.Departments) if not n.startswith("_")}
    asyn = {n for n in vars(departments.AsyncDepartments) if not n.startswith("_")}
    assert sync == asyn == {"create", "update", "delete", "list", "simple_list", "get"}
