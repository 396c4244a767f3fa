"""`wecom-contacts sync run` (one scheduled sync, or `--every` as a service) and
`sync history`: source → plan → caps → apply → report → history → notices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..client import Client
from ..ops.history import History
from ..ops.lock import LockBusy, RunLock
from ..ops.notify import Channel
from ..ops.notify_config import NotifyConfigError, load_channels
from ..ops.run import EXIT_CODES, RunConfig, RunResult, run_once
from ..ops.schedule import Schedule, parse_interval
from ..sync import CapLimits, ImportJobRunner, PlanOptions
from ..sync.files import state_dir
from . import _errors as codes
from . import _render as render
from ._context import JsonFlag, State, use
from ._errors import exit_code_for, usage_error
from ._read_via import ReadVia, ReadViaFlag, via
from .sync import (
    AllowDeletes,
    BulkThreshold,
    DisableMissing,
    Invite,
    MaxDeletes,
    MaxRatio,
    Protect,
    Sources,
    Subtree,
    _options,
)

__all__ = ["history", "run"]

DEFAULT_NOTIFY_ON = frozenset(EXIT_CODES) - {"no-changes", "busy"}
# the run's outcomes end with the CLI's own exit codes
assert (EXIT_CODES["capped"], EXIT_CODES["partial"], EXIT_CODES["busy"]) == (
    codes.EXIT_REFUSED, codes.EXIT_FAILED_STEPS, codes.EXIT_BUSY)


def _channels(state: State, notify: Path | None) -> tuple[list[Channel], frozenset[str]]:
    if notify is None:
        return [], DEFAULT_NOTIFY_ON

    def app_client(secret: str | None) -> Client:
        if secret is None:
            return state.client()
        settings = state.settings()
        if not settings.corp_id:
            raise usage_error("an app notification channel needs --corp-id (or WECOM_CORP_ID)")
        client = Client(settings.corp_id, secret, base_url=settings.base_url)
        if state.root is not None:
            state.root.call_on_close(client.close)
        return client

    try:
        channels, on = load_channels(notify, app_client=app_client)
    except NotifyConfigError as exc:
        raise usage_error(str(exc)) from None
    return channels, on or DEFAULT_NOTIFY_ON


def _text(result: RunResult) -> str:
    lines = [f"run {result.run_id}: {result.outcome} — {result.message}"]
    if result.html:
        lines.append(f"  HTML report: {result.html}")
    if result.plan:
        lines.append(f"  plan waiting for approval: {result.plan}")
    lines.append(f"  report: {result.report}")
    for d in result.deliveries:
        lines.append(f"  notify {d.channel}: {'sent' if d.ok else 'FAILED: ' + d.error}")
    return "\n".join(lines)


def run(
    ctx: typer.Context,
    sources: Sources,
    every: Annotated[
        str | None,
        typer.Option("--every", metavar="INTERVAL",
                     help="Run as a service: now, then every INTERVAL (30s, 15m, 1h30m, 1d) "
                     "plus a random jitter, until SIGTERM/SIGINT (after the current run)."),
    ] = None,
    jitter: Annotated[
        str | None,
        typer.Option("--jitter", metavar="INTERVAL",
                     help="Up to this much more between runs (default: a tenth of --every, "
                     "at most 5m)."),
    ] = None,
    notify: Annotated[
        Path | None,
        typer.Option("--notify", metavar="FILE", exists=True, dir_okay=False,
                     help="Notification channels (YAML; secrets named by environment "
                     "variable). See docs/operations.md."),
    ] = None,
    max_shrink: Annotated[
        float,
        typer.Option("--max-shrink", min=0.0, max=1.0,
                     help="Refuse a source naming this share of members (or of departments, "
                     "or of tags) fewer than the last successful run."),
    ] = 0.2,
    allow_shrink: Annotated[
        bool, typer.Option("--allow-shrink", help="Plan a source that shrank all the same.")
    ] = False,
    subtree: Subtree = None,
    protect: Protect = None,
    disable_missing: DisableMissing = None,
    allow_deletes: AllowDeletes = None,
    max_deletes: MaxDeletes = None,
    max_delete_ratio: MaxRatio = None,
    invite: Invite = None,
    bulk_threshold: BulkThreshold = 500,
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Sync SOURCE now, unattended: plan, check the caps, apply, report, notify.

    For cron, systemd timers and Kubernetes CronJobs; with --every, a long-running service.
    One run at a time (a lock in the state directory, freed by the OS if the process dies);
    each run is recorded in `sync history` with a JSON report (and an HTML one when there
    are changes). Exit codes: 0 applied or no changes, 1 API error, 2 bad source or usage,
    3 network, 4 capped (waiting for approval) or source shrank, 5 some steps failed, 6
    another run holds the lock, 130 interrupted.
    """
    state = use(ctx, as_json)
    options = PlanOptions(**_options(subtree, protect, disable_missing, allow_deletes,
                                     max_deletes, max_delete_ratio, invite))
    channels, notify_on = _channels(state, notify)
    settings = state.settings()
    config = RunConfig(
        sources=list(sources), state_dir=state_dir(),
        target=f"{settings.corp_id}@{settings.base_url}", options=options,
        caps=CapLimits.from_options(options), max_shrink=max_shrink, allow_shrink=allow_shrink,
        bulk=ImportJobRunner(threshold=bulk_threshold) if bulk_threshold else None,
        read_via=via(read_via), notify_on=notify_on,
    )

    def once() -> RunResult:
        result = _locked_run(state, config, channels)
        render.emit(state, result.to_dict(), lambda: _text(result))
        return result

    if every is None:
        result = once()
        if result.exit_code:
            raise typer.Exit(result.exit_code)
        return
    try:
        interval = parse_interval(every)
        spread = parse_interval(jitter) if jitter else min(interval / 10, 300.0)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    schedule = Schedule(interval, spread)
    restore = schedule.handle_signals()
    try:
        schedule.loop(once)
    finally:
        restore()


def _locked_run(state: State, config: RunConfig, channels: list[Channel]) -> RunResult:
    lock = RunLock(config.lock_path)
    try:
        lock.acquire()
    except LockBusy as exc:
        with History(config.history_path) as past:
            run_id = past.start(config.label)
            past.finish(run_id, "busy", EXIT_CODES["busy"], message=str(exc))
        return RunResult(run_id, "busy", EXIT_CODES["busy"], str(exc))
    try:
        return run_once(state.client(), config, channels=channels, classify=_classify)
    finally:
        lock.release()


def _classify(exc: BaseException) -> int | None:
    code = exit_code_for(exc)
    return code if code else None


def history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Show the latest sync runs: when, source fingerprint, counts, outcome, report."""
    state = use(ctx, as_json)
    path = state_dir() / "history.sqlite"
    rows: list[dict[str, Any]] = []
    if path.exists():
        with History(path) as past:
            rows = [r.to_dict() for r in past.runs(limit=limit)]
    render.emit(state, {"history": str(path), "runs": rows}, lambda: _history_text(rows))


def _history_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no sync run recorded yet"
    lines = []
    for r in rows:
        fp = r["source_fingerprint"]
        source = f"{fp['members']} members, sha256:{(fp['sha256'] or '')[:12]}" \
            if fp["sha256"] else "source not read"
        counts = ", ".join(f"{r['counts'].get(k, 0)} {k}" for k in
                           ("create", "update", "move", "disable", "delete")) \
            if r["counts"] else "-"
        lines.append(f"#{r['id']:<5} {r['started_at']}  {r['outcome']:<13} exit "
                     f"{r['exit_code']}  {source}  [{counts}]")
        if r["message"]:
            lines.append(f"       {r['message']}")
        if r["report"]:
            lines.append(f"       report: {r['report']}")
    return "\n".join(lines)
