"""`wecom-contacts sync plan|apply`: desired state → plan → journaled, resumable apply."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .._private import write_private
from ..sources import loader
from ..sync import (
    DEFAULT_THRESHOLD,
    ApplyInterrupted,
    CapVerdict,
    DesiredDirectory,
    ImportJobRunner,
    JournalState,
    LiveDirectory,
    Plan,
    PlanOptions,
    apply_sources,
    apply_status,
    make_plan,
    read_live,
    render_plan,
    with_departments_from_members,
)
from ..sync.files import is_saved_plan
from ..sync.plan.caps import enforce_caps
from . import _render as render
from . import _sync_review as review
from ._context import JsonFlag, State, use
from ._errors import EXIT_FAILED_STEPS, EXIT_INTERRUPTED, EXIT_REFUSED, CliFailure
from ._progress import apply_progress, phases
from ._read_via import ReadVia, ReadViaFlag, via

__all__ = ["app"]

app = typer.Typer(help="Directory sync: desired state → plan → apply.", no_args_is_help=True)

_DEFAULTS = PlanOptions()
Sources = Annotated[
    list[Path],
    typer.Argument(
        help="Desired state: a YAML or JSON file, WeCom's CSV import files or a workbook in "
        "their columns, or a mapping file naming an HR export (docs/sources.md).",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]
PlanOrSources = Annotated[
    list[Path],
    typer.Argument(
        help="A plan saved by `sync plan -o`, or desired-state file(s) or a mapping file to "
        "plan and apply.",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]
MappingFlag = Annotated[
    Path | None,
    typer.Option(
        "--mapping", "-m", metavar="MAPPING",
        help="Read the data file (.csv, .xlsx) through this mapping (docs/sources.md).",
        exists=True, dir_okay=False,
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
    bool | None,
    typer.Option("--allow-deletes", help="Lift the deletion caps: the plan may be applied."),
]
MaxDeletes = Annotated[
    int | None,
    typer.Option(
        "--max-deletes",
        help="Member deletes, member disables, department deletes and tag deletes allowed "
        f"whatever the size, each (default: {_DEFAULTS.max_deletes}).",
    ),
]
MaxRatio = Annotated[
    float | None,
    typer.Option(
        "--max-delete-ratio",
        help="Above --max-deletes, the share of those in scope allowed "
        f"(default: {_DEFAULTS.max_delete_ratio}).",
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


FromMembers = Annotated[
    bool,
    typer.Option(
        "--departments-from-members",
        help="The department tree is the union of the members' department paths: missing "
        "ones are created, others deleted once empty (caps apply). For a desired-state file "
        "without a departments section (e.g. WeCom's member CSV); a YAML/JSON file may say "
        "`departments: from-members` instead.",
    ),
]


def _loader(mapping: Path | None, from_members: bool) -> Callable[..., DesiredDirectory]:
    load = loader(mapping)
    if not from_members:
        return load
    return lambda *sources: with_departments_from_members(load(*sources))


@app.command("plan")
def plan(
    ctx: typer.Context,
    sources: Sources,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="PLAN", help="Save the plan (JSON).")
    ] = None,
    mapping: MappingFlag = None,
    departments_from_members: FromMembers = False,
    subtree: Subtree = None,
    protect: Protect = None,
    disable_missing: DisableMissing = None,
    allow_deletes: AllowDeletes = None,
    max_deletes: MaxDeletes = None,
    max_delete_ratio: MaxRatio = None,
    invite: Invite = None,
    detail: review.Detail = False,
    html: review.Html = None,
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Show what `sync apply` would change: a summary, the risky changes, then the rest.

    A plan over a deletion cap is still shown, with the cap, the numbers and the flag
    that lifts it; `sync apply` refuses it (exit 4). JSON: "changes", the plan, "review"
    (docs/schemas/plan-review-v1.schema.json) and "caps".
    """
    state = use(ctx, as_json)
    options = PlanOptions(
        **_options(
            subtree, protect, disable_missing, allow_deletes, max_deletes, max_delete_ratio, invite
        )
    )
    desired, live, result = _plan_from(state, sources, options, read_via,
                                       _loader(mapping, departments_from_members))
    verdict = review.evaluate(result)
    if output is not None:
        write_private(output, result.to_json())
    if html is not None:
        review.write_html(html, result, verdict, live=live, desired=desired)
    render.emit(state, review.plan_json(result, verdict, live=live, desired=desired),
                lambda: _plan_text(result, verdict, output, html, detail, live, desired))


def _plan_from(state: State, sources: list[Path], options: PlanOptions, read_via: ReadVia,
               load: Callable[..., DesiredDirectory],
               ) -> tuple[DesiredDirectory, LiveDirectory, Plan]:
    """`plan_from_files`, each step shown while it runs; the desired and live directories
    are kept for the review (members' names, departments)."""
    with phases(enabled=not state.json) as steps:
        steps.start(f"reading {', '.join(p.name for p in sources)}")
        desired = load(*sources)
        steps.start("reading the live directory")
        live = read_live(state.client(), subtree=options.subtree, via=via(read_via),
                         progress=steps.advance)
        steps.start(f"planning {len(desired.users or ())} members against {len(live.users)}")
        made = make_plan(desired, live, options)
    return desired, live, made


def _plan_text(result: Plan, verdict: CapVerdict, output: Path | None, html: Path | None,
               detail: bool, live: LiveDirectory, desired: DesiredDirectory) -> str:
    text = review.plan_text(result, verdict, detail=detail, live=live, desired=desired)
    if html is not None:
        text += f"\nWrote the HTML report to {html}"
    if output is not None and not result.is_empty:
        text += f"\nSaved the plan to {output}; apply it with: wecom-contacts sync apply {output}"
    return text


_CAP_OPTIONS = frozenset({"allow_deletes", "max_deletes", "max_delete_ratio"})


def _interactive() -> bool:
    return sys.stdin.isatty()


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
    mapping: MappingFlag = None,
    departments_from_members: FromMembers = False,
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
    caps = review.CapFlags(allow_deletes, max_deletes, max_delete_ratio)
    load = _loader(mapping, departments_from_members)
    saved = len(sources) == 1 and is_saved_plan(sources[0])
    if saved:
        # the cap flags approve a saved plan; other plan options belong to `sync plan`
        options = {k: v for k, v in options.items() if k not in _CAP_OPTIONS}

    def confirm(todo: Plan) -> bool:
        verdict = review.evaluate(todo, caps)
        if not state.json:
            # the file names the members the plan changes (a saved plan names only some)
            desired = None if saved else load(*sources)
            typer.echo(review.plan_text(todo, verdict, detail=False, desired=desired))
        if not resume:
            enforce_caps(verdict)  # exit 4, naming the cap, the numbers and the flag
        return yes or not _interactive() or typer.confirm("Apply these changes?", err=True)

    try:
        with apply_progress(enabled=not state.json) as progress:
            done = apply_sources(
                state.client(),
                sources,
                target=_target(state),
                journal=journal,
                resume=resume,
                options=PlanOptions(**options) if options else None,
                confirm=confirm,
                progress=progress,
                bulk=ImportJobRunner(threshold=bulk_threshold) if bulk_threshold else None,
                read_via=via(read_via),
                load=load,
                allow_deletes=allow_deletes,
                max_deletes=max_deletes,
                max_delete_ratio=max_delete_ratio,
            )
    except ApplyInterrupted as exc:
        raise CliFailure(
            "interrupted; the journal records every step: run the same command with --resume",
            EXIT_INTERRUPTED,
            details={"journal": str(exc.journal)},
        ) from None
    todo, report = done.plan, done.report
    if todo.is_empty:
        render.emit(state, {"changes": 0, "ok": True}, lambda: render_plan(todo).rstrip("\n"))
        return
    if done.already_applied:
        render.emit(
            state, {"changes": len(todo.steps), "ok": True, "already_applied": True,
                    "journal": str(done.journal)},
            lambda: f"Already applied: all {len(todo.steps)} steps of this plan are done "
                    f"(journal {done.journal}); nothing to do.")
        return
    if report is None:
        raise CliFailure("not applied: the confirmation was declined", EXIT_REFUSED)
    render.emit(state, {"changes": len(todo.steps), **report.to_dict()}, report.summary)
    if not report.ok:
        raise CliFailure(
            f"{report.failed} step(s) failed and {report.skipped} were skipped; fix the cause, "
            "then run the same command with --resume",
            EXIT_FAILED_STEPS,
            details={"journal": str(done.journal)},
        )


def _target(state: State) -> str:
    """The directory applied to, as the journal path knows it: ``corp_id@base_url``."""
    settings = state.settings()
    return f"{settings.corp_id}@{settings.base_url}"


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
    # (the settings only matter when the journal path is worked out from the sources)
    target = _target(state) if sources and journal is None else ""
    found = apply_status(sources or [], target=target, journal=journal)
    render.emit(state, found.to_dict(), lambda: _status_text(found))
    if not found.finished:
        raise CliFailure(
            f"{found.total - found.counts.get('done', 0)} of {found.total} step(s) not done; "
            "run the same `sync apply` with --resume", EXIT_FAILED_STEPS,
        )


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
