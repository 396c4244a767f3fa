"""`wecom-contacts sync plan|apply`: desired state → plan → journaled, resumable apply."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..sync import (
    DEFAULT_THRESHOLD,
    ImportJobRunner,
    Plan,
    PlanOptions,
    apply_plan,
    load_desired,
    make_plan,
    read_journal,
    read_live,
    render_plan,
)
from ..sync.apply.journal import JournalState
from ..sync.files import ApplyFiles, is_saved_plan, read_plan
from . import _render as render
from ._context import JsonFlag, State, use
from ._errors import EXIT_FAILED_STEPS, EXIT_INTERRUPTED, EXIT_REFUSED, CliFailure, usage_error
from ._progress import apply_progress
from ._read_via import ReadVia, ReadViaFlag, via

__all__ = ["app"]

app = typer.Typer(help="Directory sync: desired state → plan → apply.", no_args_is_help=True)

_DEFAULTS = PlanOptions()
Sources = Annotated[
    list[Path],
    typer.Argument(
        help="Desired state: a YAML or JSON file, or WeCom's CSV import files.",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]
PlanOrSources = Annotated[
    list[Path],
    typer.Argument(
        help="A plan saved by `sync plan -o`, or desired-state file(s) to plan and apply.",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]
Subtree = Annotated[
    str | None,
    typer.Option("--subtree", help="Manage only this department (path or id) and below it."),
]
Protect = Annotated[
    list[str] | None,
    typer.Option("--protect", metavar="USERID", help="Never touch this member; repeatable."),
]
DisableMissing = Annotated[
    bool | None,
    typer.Option("--disable-missing", help="Disable members missing from the file, not delete."),
]
AllowDeletes = Annotated[
    bool | None, typer.Option("--allow-deletes", help="Lift the deletion cap.")
]
MaxDeletes = Annotated[
    int | None,
    typer.Option("--max-deletes", help=f"Deletion cap (default: {_DEFAULTS.max_deletes})."),
]
MaxRatio = Annotated[
    float | None,
    typer.Option(
        "--max-delete-ratio",
        help=f"Deletion cap as a share of the scope (default: {_DEFAULTS.max_delete_ratio}).",
    ),
]
Invite = Annotated[
    bool | None, typer.Option("--invite/--no-invite", help="Let WeCom invite new members.")
]
BulkThreshold = Annotated[
    int,
    typer.Option(
        "--bulk-threshold",
        metavar="N",
        min=0,
        help="Send runs of at least N member creates/updates as one import job "
        "(batch/syncuser); 0 sends every step as its own call.",
    ),
]


def _options(
    subtree: str | None,
    protect: list[str] | None,
    disable_missing: bool | None,
    allow_deletes: bool | None,
    max_deletes: int | None,
    max_ratio: float | None,
    invite: bool | None,
) -> dict[str, Any]:
    """The plan options given on the command line (the library's names)."""
    given = {
        "subtree": int(subtree) if subtree and subtree.isdigit() else subtree,
        "protected_users": frozenset(protect) if protect else None,
        "disable_instead_of_delete": disable_missing,
        "allow_deletes": allow_deletes,
        "max_deletes": max_deletes,
        "max_delete_ratio": max_ratio,
        "to_invite": invite,
    }
    return {k: v for k, v in given.items() if v is not None}


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {"changes": len(plan.steps), **plan.to_dict()}


@app.command("plan")
def plan(
    ctx: typer.Context,
    sources: Sources,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="PLAN", help="Save the plan (JSON).")
    ] = None,
    subtree: Subtree = None,
    protect: Protect = None,
    disable_missing: DisableMissing = None,
    allow_deletes: AllowDeletes = None,
    max_deletes: MaxDeletes = None,
    max_delete_ratio: MaxRatio = None,
    invite: Invite = None,
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Show what `sync apply` would change (JSON: "changes" and the steps)."""
    state = use(ctx, as_json)
    desired = load_desired(*sources)
    options = PlanOptions(
        **_options(
            subtree, protect, disable_missing, allow_deletes, max_deletes, max_delete_ratio, invite
        )
    )
    live = read_live(state.client(), subtree=options.subtree, via=via(read_via))
    result = make_plan(desired, live, options)
    if output is not None:
        output.write_text(result.to_json(), encoding="utf-8")
    render.emit(state, _plan_json(result), lambda: _plan_text(result, output))


def _plan_text(result: Plan, output: Path | None) -> str:
    text = render_plan(result).rstrip("\n")
    if output is not None and not result.is_empty:
        text += f"\nSaved the plan to {output}; apply it with: wecom-contacts sync apply {output}"
    return text


def _interactive() -> bool:
    return sys.stdin.isatty()


def _resolve(
    state: State, sources: list[Path], resume: bool, journal: Path | None, options: dict[str, Any],
    read_via: ReadVia,
) -> tuple[Plan, ApplyFiles, bool]:
    """The plan to apply, its files, and whether the drift check is still needed."""
    if len(sources) == 1 and is_saved_plan(sources[0]):
        if options:
            raise usage_error("plan options belong to `sync plan`; a saved plan keeps its own")
        saved = read_plan(sources[0])
        return saved, ApplyFiles.for_plan(sources[0], saved, journal), True
    settings = state.settings()
    files = ApplyFiles.for_desired(sources, f"{settings.corp_id}@{settings.base_url}", journal)
    assert files.plan is not None
    if resume:
        if not files.plan.exists():
            raise usage_error(f"nothing to resume: no earlier apply of {sources[0]} was found")
        return read_plan(files.plan), files, True
    files.discard()
    desired = load_desired(*sources)
    live = read_live(state.client(), subtree=options.get("subtree"), via=via(read_via))
    made = make_plan(desired, live, PlanOptions(**options))
    return made, files, False


@app.command("apply")
def apply(
    ctx: typer.Context,
    sources: PlanOrSources,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an apply that was interrupted or failed.")
    ] = False,
    journal: Annotated[
        Path | None, typer.Option("--journal", metavar="PATH", help="Journal file (SQLite).")
    ] = None,
    subtree: Subtree = None,
    protect: Protect = None,
    disable_missing: DisableMissing = None,
    allow_deletes: AllowDeletes = None,
    max_deletes: MaxDeletes = None,
    max_delete_ratio: MaxRatio = None,
    invite: Invite = None,
    bulk_threshold: BulkThreshold = DEFAULT_THRESHOLD,
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Apply a saved plan, or plan a desired-state file and apply it.

    Asks for confirmation only on a terminal, never with --yes. Every step is journaled
    (default: in $WECOM_STATE_DIR, else ~/.local/state/wecom-contacts); after an
    interruption or failed steps, run the same command with --resume. Long runs of member
    creates and updates go through WeCom's import job (--bulk-threshold).
    """
    state = use(ctx, as_json)
    options = _options(
        subtree, protect, disable_missing, allow_deletes, max_deletes, max_delete_ratio, invite
    )
    todo, files, check = _resolve(state, sources, resume, journal, options, read_via)
    if todo.is_empty:
        render.emit(state, {"changes": 0, "ok": True}, lambda: render_plan(todo).rstrip("\n"))
        return
    if not state.json:
        typer.echo(render_plan(todo).rstrip("\n"))
    if not yes and _interactive() and not typer.confirm("Apply these changes?", err=True):
        raise CliFailure("not applied: the confirmation was declined", EXIT_REFUSED)
    files.prepare()
    if files.plan is not None:
        files.plan.write_text(todo.to_json(), encoding="utf-8")
    try:
        with apply_progress(enabled=not state.json, total=len(todo.steps)) as progress:
            report = apply_plan(
                state.client(),
                todo,
                files.journal,
                resume=resume,
                progress=progress,
                check=check,
                bulk=ImportJobRunner(threshold=bulk_threshold) if bulk_threshold else None,
                read_via=via(read_via),
            )
    except KeyboardInterrupt:
        raise CliFailure(
            "interrupted; the journal records every step: run the same command with --resume",
            EXIT_INTERRUPTED,
            details={"journal": str(files.journal)},
        ) from None
    render.emit(state, {"changes": len(todo.steps), **report.to_dict()}, report.summary)
    if not report.ok:
        raise CliFailure(
            f"{report.failed} step(s) failed and {report.skipped} were skipped; fix the cause, "
            "then run the same command with --resume",
            EXIT_FAILED_STEPS,
            details={"journal": str(files.journal)},
        )


@app.command("status")
def status(
    ctx: typer.Context,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            help="The plan or desired-state file(s) given to `sync apply` (or use --journal).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    journal: Annotated[
        Path | None, typer.Option("--journal", metavar="PATH", help="Journal file (SQLite).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show how far an apply got, from its journal (no call to WeCom).

    Counts steps by status and lists those not done, with their errors; exits 0 when every
    step is done, 5 when some are not (run `sync apply ... --resume`).
    """
    state = use(ctx, as_json)
    path = _journal_of(state, sources or [], journal)
    if not path.exists():
        raise usage_error(f"no apply journal at {path}: nothing was applied from this source "
                          "with these settings (or pass --journal PATH)")
    found = read_journal(path)
    render.emit(state, found.to_dict(), lambda: _status_text(found))
    if not found.finished:
        raise CliFailure(
            f"{found.total - found.counts.get('done', 0)} of {found.total} step(s) not done; "
            "run the same `sync apply` with --resume", EXIT_FAILED_STEPS,
        )


def _journal_of(state: State, sources: list[Path], journal: Path | None) -> Path:
    if journal is not None:
        return journal
    if not sources:
        raise usage_error("give the file(s) given to `sync apply`, or --journal PATH")
    if len(sources) == 1 and is_saved_plan(sources[0]):
        return ApplyFiles.for_plan(sources[0], read_plan(sources[0]), None).journal
    settings = state.settings()
    return ApplyFiles.for_desired(
        sources, f"{settings.corp_id}@{settings.base_url}", None).journal


def _status_text(found: JournalState) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in sorted(found.counts.items()) if n)
    lines = [f"{found.path}: {found.counts.get('done', 0)} of {found.total} steps done "
             f"({counts})"]
    for step in found.steps:
        error = step["error"] or {}
        if error.get("errcode"):  # the full message is in --json
            why = f": errcode {error['errcode']} ({error.get('meaning') or error.get('errmsg')})"
        else:
            why = f": {error.get('skipped') or error.get('message')}" if error else ""
        lines.append(f"  {step['status']:8} #{step['id']} {step['op']} {step['target']}{why}")
    for job_id, ids in found.open_jobs:
        lines.append(f"  import job {job_id} was running for {len(ids)} step(s)")
    return "\n".join(lines)
