"""A Rich progress bar on stderr for `sync apply`, shown only to a human at a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..sync import ProgressEvent
from ._render import err_console

__all__ = ["apply_progress"]


@contextmanager
def apply_progress(
    *, enabled: bool, total: int
) -> Iterator[Callable[[ProgressEvent], None] | None]:
    """Yield a progress callback for ``apply_plan`` (None when nobody would see it)."""
    console = err_console()
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)

        def update(event: ProgressEvent) -> None:
            label = f"{event.step.op} {event.step.target}"
            bar.update(task, completed=event.completed, description=label[:50])

        yield update
