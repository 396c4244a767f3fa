"""Helpers for the sync tests: desired state from YAML text, live directories from rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from wecom_contacts.sync import (
    DesiredDirectory,
    LiveDepartment,
    LiveDirectory,
    LiveTag,
    parse_desired,
    user_from_wire,
)


def desired(text: str) -> DesiredDirectory:
    return parse_desired(text, "yaml", source="test.yaml")


def live(
    departments: Sequence[tuple[int, str, int]],
    users: Sequence[dict[str, Any]] = (),
    tags: Sequence[tuple[int, str, list[str], list[int]]] = (),
) -> LiveDirectory:
    """``departments``: (id, name, parent id); root (1, "总部", 0) is added if missing."""
    rows = list(departments)
    if not any(d[0] == 1 for d in rows):
        rows.insert(0, (1, "总部", 0))
    return LiveDirectory.from_records(
        [LiveDepartment(i, n, p) for i, n, p in rows],
        [user_from_wire({"enable": 1, **u}) for u in users],
        [LiveTag(i, n, us, ds) for i, n, us, ds in tags],
    )


@pytest.fixture
def small_live() -> LiveDirectory:
    return live(
        [(2, "研发中心", 1), (3, "后端组", 2), (4, "市场部", 1)],
        [
            {"userid": "zhangsan", "name": "张三", "department": [3], "mobile": "13800000001",
             "position": "工程师"},
            {"userid": "lisi", "name": "李四", "department": [2], "is_leader_in_dept": [1],
             "mobile": "13800000002"},
            {"userid": "wangwu", "name": "王五", "department": [4], "email": "ww@example.com"},
        ],
        [(1, "经理", ["lisi"], [])],
    )


SMALL_DESIRED = """
departments:
  - path: 总部
  - path: 总部/研发中心
  - path: 总部/研发中心/后端组
  - path: 总部/市场部
users:
  - {userid: zhangsan, name: 张三, departments: [总部/研发中心/后端组], mobile: "13800000001",
     position: 工程师}
  - userid: lisi
    name: 李四
    departments: [{department: 总部/研发中心, leader: true}]
    mobile: "13800000002"
  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: ww@example.com}
tags:
  - {name: 经理, users: [lisi]}
"""
