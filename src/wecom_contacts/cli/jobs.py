"""`wecom-contacts jobs status|wait`: asynchronous import (batch) and export jobs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group, RenderableType

from ..models.batch import JobResult, JobStatus
from ..models.export import ExportResult, ExportStatus
from . import _render as render
from ._context import JsonFlag, use
from ._errors import EXIT_FAILED_STEPS, CliFailure

__all__ = ["app"]

app = typer.Typer(help="Import and export jobs (异步任务).", no_args_is_help=True)

JobId = Annotated[str, typer.Argument(help="The job id.", show_default=False)]
ExportFlag = Annotated[
    bool, typer.Option("--export", help="An export job (default: an import job).")
]


def _import_view(job_id: str, result: JobResult) -> RenderableType:
    status = JobStatus(result.status).name.lower() if result.status in (1, 2, 3) else result.status
    head = f"job {job_id} ({result.type or 'import'}): {status}, {result.percentage}%"
    if not result.finished:
        return head
    failed = result.failed_rows
    rows = [(r.userid or r.department_id, r.errcode, r.errmsg) for r in failed]
    summary = f"{result.total} rows, {len(failed)} refused"
    if not rows:
        return Group(head, summary)
    return Group(head, summary, render.table(("row", "errcode", "errmsg"), rows))


def _export_view(job_id: str, result: ExportResult) -> str:
    status = ExportStatus(result.status).name.lower() if 0 <= result.status <= 3 else result.status
    files = f", {len(result.files)} file(s)" if result.finished else ""
    return f"export job {job_id}: {status}{files}"


@app.command("status")
def status(
    ctx: typer.Context, job_id: JobId, export: ExportFlag = False, as_json: JsonFlag = False
) -> None:
    """Show a job's status and, once finished, the rows WeCom refused."""
    state = use(ctx, as_json)
    client = state.client()
    if export:
        exported = client.export.get_result(job_id)
        render.emit(state, exported, lambda: _export_view(job_id, exported))
        return
    result = client.batch.get_result(job_id)
    render.emit(state, result, lambda: _import_view(job_id, result))


@app.command("wait")
def wait(
    ctx: typer.Context,
    job_id: JobId,
    export: ExportFlag = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait at most.")] = 600,
    as_json: JsonFlag = False,
) -> None:
    """Wait until a job finishes; exit 5 if an import finished with refused rows."""
    state = use(ctx, as_json)
    client = state.client()
    if export:
        exported = client.export.wait(job_id, timeout=timeout)
        render.emit(state, exported, lambda: _export_view(job_id, exported))
        return
    result = client.batch.wait(job_id, timeout=timeout)
    render.emit(state, result, lambda: _import_view(job_id, result))
    if result.failed_rows:
        raise CliFailure(
            f"job {job_id} finished; WeCom refused {len(result.failed_rows)} row(s)",
            EXIT_FAILED_STEPS,
        )
