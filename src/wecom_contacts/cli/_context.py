"""Global options → settings → a lazily built Client (flags > WECOM_* env > profile file)."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import LocalRateLimiter
from ..client import DEFAULT_BASE_URL, Client
from ._errors import usage_error
from ._logging import configure_logging

__all__ = [
    "JsonFlag",
    "Settings",
    "State",
    "global_options",
    "load_profile",
    "profiles_path",
    "use",
]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout.")]


def profiles_path() -> Path:
    """``$WECOM_PROFILES_FILE``, else ``$XDG_CONFIG_HOME/wecom-contacts/profiles.toml``."""
    explicit = os.environ.get("WECOM_PROFILES_FILE")
    if explicit:
        return Path(explicit).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "wecom-contacts" / "profiles.toml"


def _parse_toml(text: str) -> dict[str, Any]:
    # tomllib is in the standard library from 3.11; on 3.10 the tomli backport is used if present.
    try:
        module: Any = importlib.import_module("tomllib")
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            module = importlib.import_module("tomli")
        except ImportError:
            raise usage_error("profile files need Python 3.11+ or `pip install tomli`") from None
    result: dict[str, Any] = module.loads(text)
    return result


def load_profile(name: str | None, path: Path | None = None) -> dict[str, str]:
    """One profile's settings; a missing file or the absent ``default`` profile gives {}."""
    path = path or profiles_path()
    if not path.is_file():
        if name:
            raise usage_error(f"profile {name!r} asked for, but {path} does not exist")
        return {}
    try:
        document = _parse_toml(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise usage_error(f"{path}: not valid TOML: {exc}") from None
    section = document.get(name or "default")
    if section is None:
        if name:
            raise usage_error(f"profile {name!r} not found in {path}")
        return {}
    if not isinstance(section, dict):
        raise usage_error(f"{path}: [{name or 'default'}] must be a table")
    known = {"corp_id", "secret", "base_url"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise usage_error(f"{path}: unknown key(s) {', '.join(unknown)} in profile")
    if "secret" in section and path.stat().st_mode & 0o077:
        typer.echo(f"warning: {path} holds a secret and others may read it: chmod 600 it", err=True)
    return {key: str(value) for key, value in section.items()}


@dataclass
class Settings:
    """Connection settings; the secret never appears in the repr."""

    base_url: str = DEFAULT_BASE_URL
    corp_id: str | None = None
    secret: str | None = field(default=None, repr=False)


@dataclass
class State:
    """What the root command hands to every subcommand through ``ctx.obj``."""

    flags: dict[str, str | None] = field(default_factory=dict)
    profile: str | None = None
    json: bool = False
    root: Any = field(default=None, repr=False)
    _client: Client | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """Resolve flags (env vars arrive through the flags) over the profile file."""
        profile = load_profile(self.profile)
        values = {
            key: self.flags.get(key) or profile.get(key)
            for key in ("base_url", "corp_id", "secret")
        }
        return Settings(
            base_url=values["base_url"] or DEFAULT_BASE_URL,
            corp_id=values["corp_id"],
            secret=values["secret"],
        )

    def client(self) -> Client:
        """The Client for this invocation, built on first use and closed at exit."""
        if self._client is None:
            settings = self.settings()
            missing = [
                f"--{name.replace('_', '-')} (or WECOM_{name.upper()})"
                for name in ("corp_id", "secret")
                if not getattr(settings, name)
            ]
            if missing:
                raise usage_error(
                    f"missing {' and '.join(missing)}; or add it to a profile in {profiles_path()}"
                )
            assert settings.corp_id and settings.secret
            # One CLI process stays under WeCom's published per-API limit on its own.
            self._client = Client(
                settings.corp_id,
                settings.secret,
                base_url=settings.base_url,
                rate_limiter=LocalRateLimiter(),
            )
            if self.root is not None:
                self.root.call_on_close(self._client.close)
        return self._client


def use(ctx: typer.Context, as_json: bool = False) -> State:
    """The shared state; a command's own ``--json`` turns JSON on for the whole run."""
    state = ctx.find_root().obj
    if not isinstance(state, State):  # a subcommand app invoked on its own (tests)
        state = State(root=ctx.find_root())
        ctx.find_root().obj = state
    if as_json:
        state.json = True
    return state


def _print_version(value: bool | None) -> None:
    if value:
        from .. import __version__

        typer.echo(f"wecom-contacts {__version__}")
        raise typer.Exit()


def global_options(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="WECOM_BASE_URL",
            help=f"API root (default: {DEFAULT_BASE_URL}).",
        ),
    ] = None,
    corp_id: Annotated[
        str | None, typer.Option("--corp-id", envvar="WECOM_CORP_ID", help="The corp id (ww…).")
    ] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            envvar="WECOM_SECRET",
            help="The contacts-sync (or app) secret; never printed.",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar="WECOM_PROFILE",
            help="Profile in the profiles file (default: default).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v",
            help="Log each request to stderr: path, errcode, retry, time (secrets redacted). "
            "Also WECOM_LOG_LEVEL=INFO.",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Like --verbose, plus token fetches, retry pauses and httpx's own lines "
            "(URLs with access_token / corpsecret shown as ***). Also WECOM_LOG_LEVEL=DEBUG.",
        ),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
) -> None:
    """Read and write a WeCom (企业微信) directory from the command line."""
    try:
        configure_logging(verbose=verbose, debug=debug)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    ctx.obj = State(
        flags={"base_url": base_url, "corp_id": corp_id, "secret": secret},
        profile=profile,
        json=as_json,
        root=ctx,
    )
