"""Department rules (departments.md): names, ids, order, depth, node counts, cycles, deletion."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ApiError
from ..store.records import Department
from .common import check_int32, check_uint32

# `\ : * ? " < > |` are refused in department names (60009)
FORBIDDEN_NAME_CHARS = frozenset('\\:*?"<>|')


def check_name(name: str | None, *, max_len: int, key: str = "name") -> str:
    """Non-empty, at most max_len characters (60001), no forbidden character (60009)."""
    if not name:
        raise ApiError(60001, f"{key} is empty")
    if len(name) > max_len:
        raise ApiError(60001, f"{key} longer than {max_len} characters")
    bad = sorted(set(name) & FORBIDDEN_NAME_CHARS)
    if bad:
        raise ApiError(60009, f"{key} contains {''.join(bad)!r}")
    return name


def check_new_id(dept_id: int, existing: Department | None) -> int:
    """A caller-chosen id must be > 1 and unused (60008)."""
    check_int32(dept_id, "id")
    if dept_id <= 1:
        raise ApiError(60008, "id must be greater than 1")
    if existing is not None:
        raise ApiError(60008, f"department {dept_id} exists")
    return dept_id


def check_order(order: int) -> int:
    return check_uint32(order, "order")


def check_sibling_names(
    name: str | None,
    name_en: str | None,
    siblings: Iterable[Department],
    *,
    exclude_id: int | None,
    case_sensitive: bool,
    name_en_unique: bool,
) -> None:
    """Siblings (same parent) must not share a name (60008); name_en too when switched on."""

    def same(a: str, b: str) -> bool:
        return a == b if case_sensitive else a.lower() == b.lower()

    for sib in siblings:
        if sib.id == exclude_id:
            continue
        if name is not None and same(sib.name, name):
            raise ApiError(60008, f"a sibling department is already named {name!r}")
        if name_en_unique and name_en and sib.name_en and same(sib.name_en, name_en):
            raise ApiError(60008, f"a sibling department already has name_en {name_en!r}")


def check_depth(parent_level: int, subtree_height: int, max_depth: int) -> None:
    """parent_level (root = 1) plus the height of what goes under it must fit (81002)."""
    if parent_level + subtree_height > max_depth:
        raise ApiError(81002, f"more than {max_depth} levels")


def check_node_room(node_count: int, limit: int, dept_id: int) -> None:
    """Sub-departments plus members directly under one department (81001)."""
    if node_count >= limit:
        raise ApiError(81001, f"department {dept_id} already holds {node_count} nodes")


def check_no_cycle(dept_id: int, new_parent_chain: list[int]) -> None:
    """The new parent must be neither the department nor one of its descendants (60010)."""
    if dept_id in new_parent_chain:
        raise ApiError(60010, f"department {dept_id} cannot move under itself or a descendant")


def check_deletable(dept_id: int, *, members: int, children: int) -> None:
    """Root (60007), members (60005) and sub-departments (60006) block deletion."""
    if dept_id == 1:
        raise ApiError(60007)
    if members:
        raise ApiError(60005, f"department {dept_id} has {members} members")
    if children:
        raise ApiError(60006, f"department {dept_id} has {children} sub-departments")
