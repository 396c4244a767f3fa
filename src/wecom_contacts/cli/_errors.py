"""Errors → exit codes and messages: the one place the CLI decides how a failure ends."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from .._extras import MissingExtra
from .._private import UnsafeFileError
from .._runlock import RunLockedError
from ..errors import ApiError, BadResponse, TransportError, WeComError
from ..sync.errors import (
    DeletionCapError,
    DesiredStateError,
    DriftError,
    JournalError,
    PlanError,
    SyncError,
)

__all__ = [
    "EXIT_API",
    "EXIT_BUSY",
    "EXIT_FAILED_STEPS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "CliFailure",
    "ErrorMappingGroup",
    "describe",
    "exit_code_for",
    "usage_error",
]

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3
EXIT_REFUSED = 4
EXIT_FAILED_STEPS = 5
EXIT_BUSY = 6
EXIT_INTERRUPTED = 130


class CliFailure(Exception):
    """A failure a command decides itself (a refused plan, failed steps): message + exit code."""

    def __init__(self, message: str, exit_code: int, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.details = details or {}


def usage_error(message: str) -> CliFailure:
    """A usage problem found while running (missing credentials, a bad profile): exit 2."""
    return CliFailure(message, EXIT_USAGE)


# Checked before the generic WeComError row: sync errors are WeComErrors too.
_SYNC_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (RunLockedError, EXIT_USAGE),  # another apply is running: nothing was done
    (UnsafeFileError, EXIT_USAGE),
    (DesiredStateError, EXIT_USAGE),
    (DeletionCapError, EXIT_REFUSED),
    (DriftError, EXIT_REFUSED),
    (PlanError, EXIT_REFUSED),
    (JournalError, EXIT_REFUSED),
    (SyncError, EXIT_USAGE),  # e.g. a file that is not a saved plan
)


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code for an exception, or None when it is not an expected failure."""
    if isinstance(exc, CliFailure):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, MissingExtra):
        return EXIT_USAGE  # the install, not the call, is what needs changing
    for cls, code in _SYNC_CODES:
        if isinstance(exc, cls):
            return code
    if isinstance(exc, ApiError):
        return EXIT_API
    if isinstance(exc, (TransportError, BadResponse)):
        return EXIT_TRANSPORT
    if isinstance(exc, WeComError):
        return EXIT_API
    return None


def describe(exc: BaseException, *, base_url: str | None = None) -> dict[str, Any]:
    """What the user is told about a failure, as data (rendered as text or JSON)."""
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    where = f" ({base_url})" if base_url else ""
    if isinstance(exc, ApiError):
        info.update(
            errcode=exc.errcode,
            errmsg=exc.errmsg,
            endpoint=exc.endpoint,
            meaning=exc.meaning,
            meaning_zh=exc.info.zh,
            hint=exc.hint,
        )
        if exc.resent:
            info["resent"] = True
        info["may_have_been_applied"] = exc.may_have_been_applied
    elif isinstance(exc, TransportError):
        info["endpoint"] = exc.endpoint
        info["may_have_been_applied"] = exc.may_have_been_applied
        info["hint"] = (
            f"Check --base-url{where} and the network. The request may have been applied: "
            "look before you retry."
            if exc.may_have_been_applied
            else f"Check --base-url{where} and the network; the request was not sent, "
            "retrying is safe."
        )
    elif isinstance(exc, BadResponse):
        info.update(status_code=exc.status_code, endpoint=exc.endpoint,
                    may_have_been_applied=exc.may_have_been_applied)
        info["hint"] = f"Check --base-url{where} points at WeCom (or the emulator), not a proxy."
        if exc.may_have_been_applied:
            info["hint"] += " The request may have been applied: look before you retry."
    elif isinstance(exc, DeletionCapError):
        info["hint"] = (
            "Review the plan; then pass --allow-deletes, raise --max-deletes / "
            "--max-delete-ratio, or keep the members with --disable-missing."
        )
    elif isinstance(exc, RunLockedError):
        holder = exc.holder
        info["holder"] = {"pid": holder.pid, "host": holder.host, "started": holder.started,
                          "what": holder.what, "lock": str(exc.lock_path)}
        info["hint"] = "Wait for that apply to end; if it was stopped, run with --resume."
    elif isinstance(exc, DriftError):
        info["hint"] = "Make a new plan (sync plan FILE -o PLAN), review it, and apply that."
    elif isinstance(exc, CliFailure):
        info.update(exc.details)
    elif isinstance(exc, KeyboardInterrupt):
        info["message"] = "interrupted"
    return info


def _text(info: dict[str, Any]) -> str:
    if "errcode" in info:
        lines = [
            f"Error: errcode {info['errcode']} {info['meaning_zh']} — {info['meaning']}",
            f"  endpoint: {info['endpoint']}",
            f"  WeCom said: {info['errmsg']}",
        ]
        if info.get("resent"):
            lines.append("  (after a resend: the first attempt may have been applied)")
    else:
        lines = [f"Error: {info['message']}"]
    if info.get("hint"):
        lines.append(f"  Hint: {info['hint']}")
    return "\n".join(lines)


def report(exc: BaseException, code: int, *, as_json: bool, base_url: str | None = None) -> None:
    """Print a failure to stderr: a JSON object with --json, readable text otherwise."""
    info = describe(exc, base_url=base_url)
    if as_json:
        payload = {"error": info, "exit_code": code}
        typer.echo(json.dumps(payload, ensure_ascii=False), err=True)
    else:
        typer.echo(_text(info), err=True)


def _wants_json(ctx: Any) -> bool:
    return bool(getattr(ctx.obj, "json", False))


def _base_url(ctx: Any) -> str | None:
    flags = getattr(ctx.obj, "flags", None) or {}
    value = flags.get("base_url")
    return str(value) if value else None


class ErrorMappingGroup(TyperGroup):
    """The root group: every command runs inside its ``invoke``, so failures are mapped here."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exception, KeyboardInterrupt) as exc:
            code = exit_code_for(exc)
            if code is None:
                raise
            report(exc, code, as_json=_wants_json(ctx), base_url=_base_url(ctx))
            sys.stderr.flush()
            raise typer.Exit(code) from exc
