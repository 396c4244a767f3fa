"""`wecom-contacts scim serve` refuses to start without what it needs (exit 2, a clear reason)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from wecom_contacts.cli import app

CREDENTIALS = {"WECOM_CORP_ID": "ww0000000000emulator", "WECOM_SECRET": "s3cret",
               "WECOM_BASE_URL": "http://127.0.0.1:9"}


@pytest.mark.parametrize("tokens, reason", [
    ("", "WECOM_SCIM_TOKENS is empty"),
    (" , ", "WECOM_SCIM_TOKENS is empty"),
    ("short", "shorter than 16 characters"),
])
def test_serve_needs_bearer_tokens(tokens: str, reason: str) -> None:
    result = CliRunner().invoke(app, ["scim", "serve", "--port", "0"],
                                env={**CREDENTIALS, "WECOM_SCIM_TOKENS": tokens})
    assert result.exit_code == 2
    assert reason in result.output
    assert "short" not in result.output.replace("shorter", "")  # the token is never echoed


def test_serve_needs_credentials() -> None:
    result = CliRunner().invoke(app, ["scim", "serve"], env={
        "WECOM_CORP_ID": "", "WECOM_SECRET": "", "WECOM_SCIM_TOKENS": "x" * 20,
        "WECOM_PROFILES_FILE": "/nonexistent/profiles.toml"})
    assert result.exit_code == 2
    assert "WECOM_CORP_ID" in result.output


def test_serve_refuses_an_unknown_employee_number_field() -> None:
    result = CliRunner().invoke(app, ["scim", "serve", "--employee-number", "badge"],
                                env={**CREDENTIALS, "WECOM_SCIM_TOKENS": "x" * 20})
    assert result.exit_code == 2
    assert "employee_number" in result.output


@pytest.mark.parametrize("argv, reason", [
    (["--redis", "notaurl"], "Redis URL"),
    (["--groups", "teams"], "groups must be 'tags' or 'departments'"),
])
def test_serve_refuses_bad_options(argv: list[str], reason: str) -> None:
    result = CliRunner().invoke(app, ["scim", "serve", *argv],
                                env={**CREDENTIALS, "WECOM_SCIM_TOKENS": "x" * 20})
    assert result.exit_code == 2
    assert reason in result.output
