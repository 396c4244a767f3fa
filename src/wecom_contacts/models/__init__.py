"""Response models, one module per API area."""

from ._base import WeComModel
from .departments import Department, DepartmentRef

__all__ = ["Department", "DepartmentRef", "WeComModel"]
