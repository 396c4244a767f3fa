"""No import circles in src/: no module imports a module that imports it, directly or around.

The graph is import-linter's own (grimp), TYPE_CHECKING imports included: a circle that only
type checkers follow still ties the two modules together. Imports inside a function body are
left out: they run after both modules exist (the lazy ``tokens.RedisTokenStore`` is one), which
is what breaking a circle that way is for. The layer and emulator rules are import-linter
contracts in pyproject.toml (``lint-imports``, run by ``make lint``).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import grimp

PACKAGE = "wecom_contacts"


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=False, cache_dir=None)


def _module_level_lines(path: Path) -> set[int]:
    """Lines of the imports run at import time: module level, and in if / try / with there."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lines: set[int] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.add(node.lineno)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for name in ("body", "orelse", "finalbody"):
                stack.extend(getattr(node, name, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                stack.extend(handler.body)
    return lines


def _path_of(module: str) -> Path:
    # found on disk, not imported: the check must report a circle, not trip over one
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def import_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """importer -> the modules it imports at import time."""
    edges: dict[str, set[str]] = {m: set() for m in graph.modules}
    for importer in graph.modules:
        top = _module_level_lines(_path_of(importer))
        for imported in graph.find_modules_directly_imported_by(importer):
            details = graph.get_import_details(importer=importer, imported=imported)
            if any(d["line_number"] in top for d in details):
                edges[importer].add(imported)
    return edges


def circles(edges: dict[str, set[str]]) -> Iterator[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(v: str) -> Iterator[list[str]]:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                yield from visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                yield sorted(component)

    for v in sorted(edges):
        if v not in index:
            yield from visit(v)


def test_no_module_imports_a_module_that_imports_it() -> None:
    found = list(circles(import_edges(_graph())))
    assert not found, "import circles:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


def test_the_check_sees_a_circle() -> None:
    # the finder itself: a -> b -> c -> a is one circle, d -> a is not part of it
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert list(circles(edges)) == [["a", "b", "c"]]
