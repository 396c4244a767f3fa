"""Output: JSON (WeCom's wire field names) for machines, Rich tables and trees for humans."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..models.departments import Department
from ._context import State

__all__ = [
    "console",
    "department_tree",
    "emit",
    "err_console",
    "print_json",
    "record_table",
    "table",
]


def console() -> Console:
    """A console on the current stdout (looked up per call, so test runners can capture it)."""
    return Console(highlight=False, soft_wrap=False)


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def _default(value: Any) -> Any:
    raw = getattr(value, "raw", None)
    if isinstance(raw, dict):
        return raw
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def print_json(data: Any) -> None:
    """JSON to stdout, UTF-8 unescaped; models print as their wire dict (``.raw``)."""
    typer.echo(to_json(data))


def emit(state: State, data: Any, human: Callable[[], RenderableType | str]) -> None:
    """Print ``data`` as JSON when --json is on, else the human rendering."""
    if state.json:
        print_json(data)
        return
    rendered = human()
    if isinstance(rendered, str):
        typer.echo(rendered)
    else:
        console().print(rendered)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> Table:
    """A plain table; ``None`` cells are blank, lists are comma-joined."""
    result = Table(*columns, title=title, show_edge=False, header_style="bold")
    for row in rows:
        result.add_row(*(Text(_cell(v)) for v in row))
    return result


def record_table(record: Mapping[str, Any]) -> Table:
    """One object as a two-column field/value table (wire field names)."""
    result = Table("field", "value", show_edge=False, header_style="bold")
    for key, value in record.items():
        nested_value = isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
        )
        shown = json.dumps(value, ensure_ascii=False) if nested_value else _cell(value)
        result.add_row(Text(key), Text(shown))
    return result


def _label(dept: Department) -> str:
    english = f" ({dept.name_en})" if dept.name_en else ""
    return f"{escape(dept.name)}{escape(english)} [dim]#{dept.id}[/dim]"


def department_tree(departments: Sequence[Department]) -> RenderableType:
    """Departments as a tree, siblings in WeCom's order (larger ``order`` first)."""
    children: dict[int, list[Department]] = {}
    for dept in departments:
        children.setdefault(dept.parent_id, []).append(dept)
    known = {d.id for d in departments}
    roots = sorted((d for d in departments if d.parent_id not in known), key=lambda d: d.id)
    top = Tree("departments", hide_root=True)

    def walk(node: Tree, parent: int) -> None:
        for dept in sorted(children.get(parent, []), key=lambda d: (-d.order, d.id)):
            walk(node.add(_label(dept)), dept.id)

    for root in roots:
        walk(top.add(_label(root)), root.id)
    return top


def nested(departments: Sequence[Department]) -> list[dict[str, Any]]:
    """The tree as JSON: each department's wire dict with a ``children`` list."""
    children: dict[int, list[Department]] = {}
    for dept in departments:
        children.setdefault(dept.parent_id, []).append(dept)
    known = {d.id for d in departments}

    def node(dept: Department) -> dict[str, Any]:
        kids = sorted(children.get(dept.id, []), key=lambda d: (-d.order, d.id))
        return {**dept.raw, "children": [node(k) for k in kids]}

    return [node(d) for d in sorted(departments, key=lambda d: d.id) if d.parent_id not in known]
