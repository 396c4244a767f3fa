"""The `wecom-contacts` command line: the Typer app, its command groups and `main()`."""

from __future__ import annotations

import typer

from . import (
    callback,
    demo,
    departments,
    emulator,
    export,
    jobs,
    mirror,
    scim,
    source,
    sync,
    sync_run,
    tags,
    users,
)
from ._context import global_options
from ._errors import ErrorMappingGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="wecom-contacts",
    cls=ErrorMappingGroup,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(global_options)
app.add_typer(departments.app, name="departments")
app.add_typer(users.app, name="users")
app.add_typer(tags.app, name="tags")
app.add_typer(jobs.app, name="jobs")
app.command("export")(export.export)
sync.app.command("run")(sync_run.run)
sync.app.command("history")(sync_run.history)
app.add_typer(sync.app, name="sync")
app.add_typer(source.app, name="source")
app.add_typer(callback.app, name="callback")
app.add_typer(emulator.app, name="emulator")
app.add_typer(scim.app, name="scim")
app.add_typer(mirror.app, name="mirror")
app.command("demo")(demo.demo)


def main() -> None:
    """Console-script entry point."""
    app()
