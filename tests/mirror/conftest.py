"""Mirror test helpers: a small seeded company and row-level views of a SQL mirror."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

COMPANY: dict[str, Any] = {
    "departments": [
        {"id": 1, "name": "总部", "parentid": 0},
        {"id": 2, "name": "研发中心", "parentid": 1, "order": 10},
        {"id": 3, "name": "市场部", "parentid": 1, "order": 5},
        {"id": 4, "name": "后端组", "parentid": 2},
    ],
    "users": [
        {"userid": "zhangsan", "name": "张三", "department": [2, 4], "is_leader_in_dept": [1, 0],
         "mobile": "13800000001", "email": "zhangsan@example.com", "position": "架构师"},
        {"userid": "lisi", "name": "李四", "department": [4], "mobile": "13800000002"},
        {"userid": "wangwu", "name": "王五", "department": [3], "email": "wangwu@example.com"},
        {"userid": "zhaoliu", "name": "赵六", "department": [3], "mobile": "13800000004"},
        {"userid": "sunqi", "name": "孙七", "department": [1], "mobile": "13800000005"},
        {"userid": "zhouba", "name": "周八", "department": [2], "mobile": "13800000006"},
        {"userid": "wujiu", "name": "吴九", "department": [4], "mobile": "13800000007"},
        {"userid": "zhengshi", "name": "郑十", "department": [3], "mobile": "13800000008"},
        {"userid": "chen", "name": "陈一", "department": [2], "mobile": "13800000009"},
        {"userid": "lin", "name": "林二", "department": [4], "mobile": "13800000010"},
        {"userid": "he", "name": "何三", "department": [3], "mobile": "13800000011"},
        {"userid": "gao", "name": "高四", "department": [2], "mobile": "13800000012"},
    ],
    "tags": [
        {"tagid": 1, "tagname": "值班", "userlist": ["zhangsan", "lisi"], "partylist": [3]},
    ],
}


def rows(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The result of a query against the mirror, as plain tuples."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def wait_for(check: Any, *, timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``check()`` until it returns something truthy; fail after ``timeout`` seconds (a
    safety net against hanging, not a speed requirement)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value {value!r}")
        time.sleep(0.05)


def callback_keys() -> tuple[str, str]:
    """A fresh callback Token and 43-character EncodingAESKey."""
    import secrets
    import string

    token = secrets.token_hex(8)
    key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(43))
    return token, key
