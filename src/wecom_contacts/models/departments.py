"""Department models: ``department/list``, ``get`` and ``simplelist`` answers."""

from __future__ import annotations

from pydantic import Field

from ._base import WeComModel

__all__ = ["Department", "DepartmentRef"]


class Department(WeComModel):
    id: int
    name: str = ""
    name_en: str | None = None
    parent_id: int = Field(default=0, alias="parentid")
    order: int = 0
    department_leader: list[str] = Field(default_factory=list)


class DepartmentRef(WeComModel):
    """A department as ``simplelist`` returns it: ids and order only."""

    id: int
    parent_id: int = Field(default=0, alias="parentid")
    order: int = 0
