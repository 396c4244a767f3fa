"""A Rich progress bar on stderr for `sync apply`, shown only to a human at a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..sync import ProgressEvent
from ._render import err_console

__all__ = ["apply_progress"]


@contextmanager
def apply_progress(*, enabled: bool) -> Iterator[Callable[[ProgressEvent], None] | None]:
    """Yield a progress callback for an apply (None when nobody would see it).

    The bar appears with the first settled step (events carry the total), so nothing is drawn
    while the plan is shown and confirmed.
    """
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
    bar = Progress(*columns, console=console, transient=True)
    tasks: list[TaskID] = []

    def update(event: ProgressEvent) -> None:
        if not tasks:
            bar.start()
            tasks.append(bar.add_task("", total=event.total))
        label = f"{event.step.op} {event.step.target}"
        bar.update(tasks[0], completed=event.completed, description=label[:50])

    try:
        yield update
    finally:
        if tasks:
            bar.stop()
