"""Field labels and human values for a reviewer (性别 男/女, status words, department paths)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["LABELS", "human"]

# Wire name → what the admin console calls it (both languages, so either reader finds it).
LABELS: dict[str, str] = {
    "userid": "userid (账号)",
    "name": "name (姓名)",
    "alias": "alias (别名)",
    "mobile": "mobile (手机)",
    "email": "email (邮箱)",
    "biz_mail": "biz_mail (企业邮箱)",
    "position": "position (职务)",
    "gender": "gender (性别)",
    "telephone": "telephone (座机)",
    "address": "address (地址)",
    "external_position": "external_position (对外职务)",
    "extattr": "extattr (自定义字段)",
    "external_profile": "external_profile (对外属性)",
    "enable": "status (状态)",
    "departments": "departments (部门)",
    "main_department": "main_department (主部门)",
    "direct_leader": "direct_leader (直属上级)",
    "parent": "parent (上级部门)",
    "name_en": "name_en (英文名)",
    "order": "order (排序)",
    "users": "members (成员)",
}

_GENDER = {"0": "未定义", "1": "男 (male)", "2": "女 (female)"}


def human(field: str, value: Any) -> str | None:
    """A value as a reviewer reads it; None when there is none."""
    if value is None or value == "" or value == []:
        return None
    if field == "gender":
        return _GENDER.get(str(value), str(value))
    if field == "enable":
        on = value in (True, 1, "1", "true")
        return "enabled (启用)" if on else "disabled (禁用)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
