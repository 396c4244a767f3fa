"""Rich progress on stderr for long steps (reading, planning, applying), shown only to a human
at a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..sync import ProgressEvent
from ._render import err_console

__all__ = ["Phases", "apply_progress", "phases"]


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


class Phases:
    """A spinner line per long step (read the file, read the live directory, plan) with a
    count where the step knows one; nothing when no human would see it."""

    def __init__(self, bar: Progress | None) -> None:
        self._bar = bar
        self._task: TaskID | None = None

    def start(self, label: str, total: int | None = None) -> None:
        if self._bar is None:
            return
        self.finish()
        self._task = self._bar.add_task(label, total=total)

    def finish(self) -> None:
        """Mark the current step done (it stays listed, the next one goes below it)."""
        if self._bar is not None and self._task is not None:
            task = self._bar.tasks[-1]
            whole = task.total if task.total is not None else 1
            self._bar.update(self._task, total=whole, completed=whole)

    def advance(self, done: int, total: int) -> None:
        """Callback shape of ``read_live(progress=...)``: (departments read, of how many)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)


@contextmanager
def phases(*, enabled: bool) -> Iterator[Phases]:
    console = err_console()
    if not enabled or not console.is_terminal:
        yield Phases(None)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        steps = Phases(bar)
        yield steps
        steps.finish()
