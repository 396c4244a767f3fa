"""`wecom-contacts departments …`: list, tree, get, create, update, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _render as render
from ._context import JsonFlag, use

app = typer.Typer(help="Departments (部门管理).", no_args_is_help=True)

DeptId = Annotated[int, typer.Argument(help="Department id.", show_default=False)]
Under = Annotated[
    int | None,
    typer.Option("--id", help="Only this department and its descendants (default: all)."),
]
Name = Annotated[str | None, typer.Option("--name", help="New name.")]
NameEn = Annotated[str | None, typer.Option("--name-en", help="English name.")]
Order = Annotated[
    int | None, typer.Option("--order", help="Order among siblings (larger sorts first).")
]

COLUMNS = ("id", "name", "name_en", "parentid", "order")


@app.command("list")
def list_(ctx: typer.Context, id: Under = None, as_json: JsonFlag = False) -> None:
    """List departments (JSON: a list of department objects)."""
    state = use(ctx, as_json)
    departments = state.client().departments.list(id)
    rows = [(d.id, d.name, d.name_en, d.parent_id, d.order) for d in departments]
    render.emit(state, departments, lambda: render.table(COLUMNS, rows))


@app.command("tree")
def tree(ctx: typer.Context, id: Under = None, as_json: JsonFlag = False) -> None:
    """Show departments as a tree.

    JSON: nested department objects, each with a "children" list.
    """
    state = use(ctx, as_json)
    departments = state.client().departments.list(id)
    if state.json:
        render.print_json(render.nested(departments))
    else:
        render.console().print(render.department_tree(departments))


@app.command("get")
def get(ctx: typer.Context, id: DeptId, as_json: JsonFlag = False) -> None:
    """Show one department."""
    state = use(ctx, as_json)
    department = state.client().departments.get(id)
    render.emit(state, department, lambda: render.record_table(department.raw))


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Department name.", show_default=False)],
    parent_id: Annotated[
        int, typer.Option("--parent-id", "--parent", help="Parent department id.")
    ] = 1,
    order: Order = None,
    id: Annotated[
        int | None, typer.Option("--id", help="Ask for this id (default: WeCom picks).")
    ] = None,
    name_en: NameEn = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a department and print its id."""
    state = use(ctx, as_json)
    new_id = state.client().departments.create(name, parent_id, order=order, id=id, name_en=name_en)
    render.emit(state, {"id": new_id}, lambda: f"created department {name} (id {new_id})")


@app.command("update")
def update(
    ctx: typer.Context,
    id: DeptId,
    name: Name = None,
    name_en: NameEn = None,
    parent_id: Annotated[
        int | None, typer.Option("--parent-id", "--parent", help="Move under this department.")
    ] = None,
    order: Order = None,
    as_json: JsonFlag = False,
) -> None:
    """Change only the given fields of a department."""
    state = use(ctx, as_json)
    state.client().departments.update(
        id, name=name, name_en=name_en, parent_id=parent_id, order=order
    )
    render.emit(state, {"ok": True, "id": id}, lambda: f"updated department {id}")


@app.command("delete")
def delete(ctx: typer.Context, id: DeptId, as_json: JsonFlag = False) -> None:
    """Delete an empty department that has no children."""
    state = use(ctx, as_json)
    state.client().departments.delete(id)
    render.emit(state, {"ok": True, "id": id}, lambda: f"deleted department {id}")
