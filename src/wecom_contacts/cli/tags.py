"""`wecom-contacts tags …`: list, get, create, update, delete, add, remove."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group

from ..models.tags import MembershipResult
from . import _render as render
from ._context import JsonFlag, State, use
from ._errors import usage_error

app = typer.Typer(help="Tags (标签管理).", no_args_is_help=True)

TagId = Annotated[int, typer.Argument(help="Tag id.", show_default=False)]
Users = Annotated[
    list[str] | None, typer.Option("--user", "-u", metavar="USERID", help="Userid; repeatable.")
]
Depts = Annotated[
    list[int] | None,
    typer.Option("--department", "-d", metavar="ID", help="Department id; repeatable."),
]


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List every tag of the corp."""
    state = use(ctx, as_json)
    tags = state.client().tags.list()
    render.emit(state, tags, lambda: render.table(("id", "name"), [(t.id, t.name) for t in tags]))


@app.command("get")
def get(ctx: typer.Context, id: TagId, as_json: JsonFlag = False) -> None:
    """Show a tag's members and departments."""
    state = use(ctx, as_json)
    tag = state.client().tags.get(id)
    render.emit(
        state,
        tag,
        lambda: Group(
            f"tag {id}: {tag.name}",
            render.table(
                ("userid", "name"), [(u.userid, u.name) for u in tag.users], title="members"
            ),
            f"departments: {', '.join(map(str, tag.department_ids)) or '-'}",
        ),
    )


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tag name.", show_default=False)],
    id: Annotated[int | None, typer.Option("--id", help="Ask for this tag id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a tag and print its id."""
    state = use(ctx, as_json)
    new_id = state.client().tags.create(name, id=id)
    render.emit(state, {"tagid": new_id}, lambda: f"created tag {name} (id {new_id})")


@app.command("update")
def update(
    ctx: typer.Context,
    id: TagId,
    name: Annotated[str, typer.Argument(help="New name.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Rename a tag."""
    state = use(ctx, as_json)
    state.client().tags.update(id, name)
    render.emit(state, {"ok": True, "tagid": id}, lambda: f"renamed tag {id} to {name}")


@app.command("delete")
def delete(ctx: typer.Context, id: TagId, as_json: JsonFlag = False) -> None:
    """Delete a tag."""
    state = use(ctx, as_json)
    state.client().tags.delete(id)
    render.emit(state, {"ok": True, "tagid": id}, lambda: f"deleted tag {id}")


def _membership(state: State, verb: str, id: int, result: MembershipResult) -> None:
    if result.ok:
        render.emit(state, result, lambda: f"{verb} tag {id}")
        return
    render.emit(
        state,
        result,
        lambda: (
            f"{verb} tag {id}; refused users: {', '.join(result.invalid_users) or '-'}; "
            f"refused departments: {', '.join(map(str, result.invalid_departments)) or '-'}"
        ),
    )


def _need_members(users: list[str] | None, departments: list[int] | None) -> None:
    if not users and not departments:
        raise usage_error("give at least one --user or --department")


@app.command("add")
def add(
    ctx: typer.Context,
    id: TagId,
    user: Users = None,
    department: Depts = None,
    as_json: JsonFlag = False,
) -> None:
    """Add members and departments to a tag; lists any that WeCom refused."""
    state = use(ctx, as_json)
    _need_members(user, department)
    result = state.client().tags.add_members(
        id, userids=user or (), department_ids=department or ()
    )
    _membership(state, "updated", id, result)


@app.command("remove")
def remove(
    ctx: typer.Context,
    id: TagId,
    user: Users = None,
    department: Depts = None,
    as_json: JsonFlag = False,
) -> None:
    """Remove members and departments from a tag; lists any that WeCom refused."""
    state = use(ctx, as_json)
    _need_members(user, department)
    result = state.client().tags.remove_members(
        id, userids=user or (), department_ids=department or ()
    )
    _membership(state, "updated", id, result)
