"""PATCH (RFC 7644 §3.5.2) applied to a resource as a dict: add / replace / remove, paths, filters.

The service renders the current WeCom record as SCIM, applies the operations here, and then
writes only what differs; so this module never talks to WeCom. ``op`` is matched without
regard to case because Entra ID sends ``"Replace"`` and ``"Add"``.
"""

from __future__ import annotations

import copy
from typing import Any

from scim2_filter_parser import ast as scim_ast  # type: ignore[import-untyped]

from .errors import ScimError, invalid_path, invalid_syntax, invalid_value
from .filter import Path, matches, parse_path
from .schemas import CORE_USER, ENTERPRISE_USER, GROUP, PATCH_OP

__all__ = ["apply_patch"]

_OPS = ("add", "replace", "remove")
MAX_OPERATIONS = 1000


def apply_patch(resource: dict[str, Any], body: Any) -> dict[str, Any]:
    """A copy of ``resource`` with the PatchOp request ``body`` applied."""
    if not isinstance(body, dict):
        raise invalid_syntax("a PATCH body is a JSON object")
    if PATCH_OP not in (body.get("schemas") or []):
        raise invalid_syntax(f"a PATCH body must list the schema {PATCH_OP}")
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise invalid_syntax("Operations must be a non-empty list")
    if len(operations) > MAX_OPERATIONS:
        raise invalid_value(f"at most {MAX_OPERATIONS} Operations per request")
    result = copy.deepcopy(resource)
    for index, operation in enumerate(operations):
        where = f"Operations[{index}]"
        if not isinstance(operation, dict):
            raise invalid_syntax(f"{where} is not an object")
        op = str(operation.get("op", "")).lower()
        if op not in _OPS:
            raise invalid_syntax(f"{where}.op {operation.get('op')!r} is not add, replace "
                                 "or remove")
        raw_path = operation.get("path")
        value = operation.get("value")
        if raw_path is None or raw_path == "":
            if op == "remove":
                raise ScimError(400, f"{where}: remove needs a path", "noTarget")
            if not isinstance(value, dict):
                raise invalid_value(f"{where}: without a path, value must be an object")
            _apply_object(result, op, value)
        elif isinstance(raw_path, str):
            _apply(result, op, parse_path(raw_path), value, where)
        else:
            raise invalid_path(f"{where}.path must be a string")
    return result


def _apply_object(resource: dict[str, Any], op: str, value: dict[str, Any]) -> None:
    for key, item in value.items():
        if key == "schemas":
            continue
        if key in (ENTERPRISE_USER, CORE_USER, GROUP):
            if not isinstance(item, dict):
                raise invalid_value(f"value of {key} must be an object")
            for sub_key, sub_item in item.items():
                _apply(resource, op, Path(attr=sub_key, uri=key), sub_item, key)
            continue
        _apply(resource, op, parse_path(key), item, key)


def _key(container: dict[str, Any], name: str) -> str:
    lowered = name.lower()
    return next((k for k in container if k.lower() == lowered), name)


def _container(resource: dict[str, Any], path: Path, create: bool) -> dict[str, Any] | None:
    if path.uri == ENTERPRISE_USER:
        found = resource.get(ENTERPRISE_USER)
        if not isinstance(found, dict):
            if not create:
                return None
            found = resource[ENTERPRISE_USER] = {}
        return found
    return resource


def _same_element(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return str(a.get("value", "")).lower() == str(b.get("value", "")).lower() and (
            a.get("type") == b.get("type") or not b.get("type") or "value" in b)
    return bool(a == b)


def _apply(resource: dict[str, Any], op: str, path: Path, value: Any, where: str) -> None:
    container = _container(resource, path, create=op != "remove")
    if container is None:
        return
    key = _key(container, path.attr)
    current = container.get(key)
    if path.value_filter is not None:
        _apply_filtered(container, key, op, path, value, where)
        return
    if path.sub is not None:
        if op == "remove":
            if isinstance(current, dict):
                current.pop(_key(current, path.sub), None)
            return
        target = current if isinstance(current, dict) else {}
        target[_key(target, path.sub)] = value
        container[key] = target
        return
    if op == "remove":
        if isinstance(current, list) and value is not None:
            drop = value if isinstance(value, list) else [value]
            container[key] = [e for e in current if not any(_same_element(e, d) for d in drop)]
        else:
            container.pop(key, None)
        return
    if op == "add" and (isinstance(current, list) or isinstance(value, list)):
        items = list(current or []) if isinstance(current, list) else []
        for new in value if isinstance(value, list) else [value]:
            items = [e for e in items if not _same_element(e, new)] + [new]
        container[key] = items
    elif isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        container[key] = value


def _apply_filtered(container: dict[str, Any], key: str, op: str, path: Path, value: Any,
                    where: str) -> None:
    current = container.get(key)
    elements = current if isinstance(current, list) else []
    hits = [e for e in elements if isinstance(e, dict) and matches(path.value_filter, e)]
    if op == "remove":
        if path.sub is None:
            container[key] = [e for e in elements if e not in hits]
        else:
            for element in hits:
                element.pop(_key(element, path.sub), None)
        return
    if not hits:
        # Entra ID replaces emails[type eq "work"].value whether or not a work e-mail exists.
        new = _element_from_filter(path.value_filter)
        if not new:
            raise ScimError(400, f"{where}: no {path.attr} element matches the filter",
                            "noTarget")
        elements = [*elements, new]
        container[key] = elements
        hits = [new]
    for element in hits:
        if path.sub is not None:
            element[_key(element, path.sub)] = value
        elif isinstance(value, dict):
            element.update(value)
        else:
            raise invalid_value(f"{where}: value for {path.attr}[...] must be an object")


def _element_from_filter(node: Any) -> dict[str, Any]:
    """``type eq "work" and primary eq true`` → ``{"type": "work", "primary": "true"}``."""
    if isinstance(node, scim_ast.Filter) and not node.negated and node.namespace is None:
        return _element_from_filter(node.expr)
    if isinstance(node, scim_ast.LogExpr) and node.op == "and":
        return {**_element_from_filter(node.expr1), **_element_from_filter(node.expr2)}
    if (isinstance(node, scim_ast.AttrExpr) and str(node.value).lower() == "eq"
            and node.attr_path.sub_attr is None and node.comp_value is not None):
        return {node.attr_path.attr_name: node.comp_value.value}
    return {}
