"""SCIM filters and attribute paths: parsed by ``scim2-filter-parser``, evaluated on resources.

The pinned parser turns ``filter=`` text into an AST; it ships transpilers to SQL and Django
queries only, so evaluating that AST against a SCIM resource (a dict, as this service renders
it) is done here. PATCH paths (``emails[type eq "work"].value``) are not filters: the small
splitter below cuts them into attribute, value filter and sub-attribute, and hands the part
in brackets to the same parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim2_filter_parser import ast as scim_ast  # type: ignore[import-untyped]
from scim2_filter_parser.lexer import SCIMLexer  # type: ignore[import-untyped]
from scim2_filter_parser.parser import SCIMParser  # type: ignore[import-untyped]

from .errors import invalid_filter, invalid_path
from .schemas import CORE_USER, ENTERPRISE_USER, GROUP

__all__ = ["Filter", "Path", "equality", "matches", "parse_filter", "parse_path"]

Filter = Any  # scim2_filter_parser.ast.Filter (untyped)
_CASE_EXACT = frozenset({"id", "externalid"})
_KNOWN_URNS = (ENTERPRISE_USER, CORE_USER, GROUP)
MAX_FILTER_LENGTH = 2000


def parse_filter(text: str) -> Filter:
    """The AST of a filter; a SCIM 400 ``invalidFilter`` saying what is wrong otherwise."""
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid_filter(f"filter longer than {MAX_FILTER_LENGTH} characters")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as exc:  # the parser raises bare ValueError / its own SCIMParserError
        raise invalid_filter(f"filter could not be parsed: {exc}") from None
    if tree is None:
        raise invalid_filter("filter is empty or incomplete")
    return tree


def _key(container: dict[str, Any], name: str) -> str | None:
    """The key of ``name`` in ``container``; SCIM attribute names are case-insensitive."""
    lowered = name.lower()
    return next((k for k in container if k.lower() == lowered), None)


def _values(resource: dict[str, Any], path: Any) -> list[Any]:
    """Every value the attribute path reaches in the resource (multi-valued flattened)."""
    if isinstance(path.attr_name, scim_ast.Filter):  # emails[type eq "work"].value
        inner = path.attr_name
        sub_name = inner.namespace.sub_attr.value if inner.namespace.sub_attr else "value"
        picked = [e for e in _elements(resource, inner.namespace) if matches(inner.expr, e)]
        found_values = [e[k] for e in picked if (k := _key(e, sub_name)) is not None]
        return [v for v in found_values if v is not None and v != ""]
    container: Any = resource
    if path.uri and path.uri != CORE_USER and path.uri != GROUP:
        key = _key(resource, path.uri)
        container = resource.get(key) if key else None
    if not isinstance(container, dict):
        return []
    key = _key(container, path.attr_name)
    if key is None:
        return []
    found = container[key]
    items = found if isinstance(found, list) else [found]
    sub = path.sub_attr.value if path.sub_attr is not None else None
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            sub_key = _key(item, sub or "value")
            if sub_key is not None:
                out.append(item[sub_key])
        elif sub is None:
            out.append(item)
    return [v for v in out if v is not None and v != "" and v != []]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(op: str, actual: Any, wanted: Any, exact: bool) -> bool:
    left, right = _as_text(actual), _as_text(wanted)
    if not exact or isinstance(actual, bool):
        left, right = left.lower(), right.lower()
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if op == "co":
        return right in left
    if op == "sw":
        return left.startswith(right)
    if op == "ew":
        return left.endswith(right)
    if op in ("gt", "ge", "lt", "le"):
        return {"gt": left > right, "ge": left >= right, "lt": left < right,
                "le": left <= right}[op]
    raise invalid_filter(f"unsupported operator {op!r}")


def _attr_expr(node: Any, resource: dict[str, Any]) -> bool:
    op = str(node.value).lower()
    values = _values(resource, node.attr_path)
    if op == "pr":
        return bool(values)
    wanted = node.comp_value.value if node.comp_value is not None else None
    exact = str(node.attr_path.attr_name).lower() in _CASE_EXACT
    if wanted is None:  # "eq null"
        return not values if op == "eq" else bool(values)
    if op == "ne":
        return all(_compare("ne", v, wanted, exact) for v in values)
    return any(_compare(op, v, wanted, exact) for v in values)


def matches(node: Any, resource: dict[str, Any]) -> bool:
    """Whether the resource satisfies the filter (RFC 7644 §3.4.2.2)."""
    if isinstance(node, scim_ast.Filter):
        if node.namespace is not None:  # emails[type eq "work"]: some element must match
            elements = _elements(resource, node.namespace)
            result = any(matches(node.expr, element) for element in elements)
        else:
            result = matches(node.expr, resource)
        return not result if node.negated else result
    if isinstance(node, scim_ast.LogExpr):
        if node.op == "and":
            return matches(node.expr1, resource) and matches(node.expr2, resource)
        return matches(node.expr1, resource) or matches(node.expr2, resource)
    if isinstance(node, scim_ast.AttrExpr):
        return _attr_expr(node, resource)
    raise invalid_filter(f"unsupported filter element {type(node).__name__}")


def _elements(resource: dict[str, Any], path: Any) -> list[dict[str, Any]]:
    container: Any = resource
    if path.uri == ENTERPRISE_USER:
        container = resource.get(ENTERPRISE_USER) or {}
    key = _key(container, path.attr_name)
    found = container.get(key) if key else None
    items = found if isinstance(found, list) else ([found] if found else [])
    return [item for item in items if isinstance(item, dict)]


def equality(node: Any) -> tuple[str, str] | None:
    """``(attribute, value)`` when the filter is one plain ``attr eq "value"``, else None."""
    if not isinstance(node, scim_ast.Filter) or node.negated or node.namespace is not None:
        return None
    expr = node.expr
    if isinstance(expr, scim_ast.Filter):
        return equality(expr)
    if not isinstance(expr, scim_ast.AttrExpr) or str(expr.value).lower() != "eq":
        return None
    path = expr.attr_path
    if not isinstance(path.attr_name, str) or path.sub_attr is not None \
            or path.uri not in (None, CORE_USER, GROUP):
        return None
    if expr.comp_value is None or not isinstance(expr.comp_value.value, str):
        return None
    return path.attr_name.lower(), expr.comp_value.value


@dataclass(frozen=True)
class Path:
    """A PATCH path: ``[urn:]attr[<filter>][.sub]``."""

    attr: str
    uri: str | None = None
    value_filter: Filter | None = None
    sub: str | None = None


def _split_urn(text: str) -> tuple[str | None, str]:
    for urn in _KNOWN_URNS:
        if text.lower().startswith(urn.lower() + ":"):
            return urn, text[len(urn) + 1:]
        if text.lower() == urn.lower():
            return urn, ""
    if text.lower().startswith("urn:"):
        raise invalid_path(f"path {text!r} names a schema this service does not hold")
    return None, text


def parse_path(text: str) -> Path:
    """Split a PATCH path; a SCIM 400 ``invalidPath`` when it is malformed."""
    uri, rest = _split_urn(text.strip())
    if not rest:
        raise invalid_path(f"path {text!r} names no attribute")
    bracket = rest.find("[")
    if bracket == -1:
        attr, _, sub = rest.partition(".")
        if not attr.replace("_", "a").replace("$", "a").isalnum():
            raise invalid_path(f"path {text!r}: {attr!r} is not an attribute name")
        return Path(attr=attr, uri=uri, sub=sub or None)
    close = _closing_bracket(rest, bracket)
    attr = rest[:bracket]
    inner = rest[bracket + 1:close]
    tail = rest[close + 1:]
    if tail and not tail.startswith("."):
        raise invalid_path(f"path {text!r}: unexpected {tail!r} after ']'")
    return Path(attr=attr, uri=uri, value_filter=_path_filter(inner, text), sub=tail[1:] or None)


def _path_filter(inner: str, text: str) -> Filter:
    try:
        return parse_filter(inner)
    except Exception:
        raise invalid_path(f"path {text!r}: the value filter [{inner}] is not valid") from None


def _closing_bracket(text: str, start: int) -> int:
    quoted = False
    escaped = False
    for index in range(start + 1, len(text)):
        char = text[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "]" and not quoted:
            return index
    raise invalid_path(f"path {text!r}: '[' without ']'")
