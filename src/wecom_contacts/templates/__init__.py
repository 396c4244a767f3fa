"""WeCom's batch-import CSV templates: write rows as the file WeCom expects, read it back.

Every rule a row can break without asking the server is checked before upload, and a
``TemplateError`` lists each bad cell by row (the header is row 1) and column.
"""

from ._csv import RowError, TemplateError, as_utf8, join_list, split_list
from .departments import DEPARTMENT_HEADER, DepartmentRow, read_departments, write_departments
from .members import MEMBER_HEADER, MemberRow, read_members, write_members

__all__ = [
    "DEPARTMENT_HEADER",
    "MEMBER_HEADER",
    "DepartmentRow",
    "MemberRow",
    "RowError",
    "TemplateError",
    "as_utf8",
    "join_list",
    "read_departments",
    "read_members",
    "split_list",
    "write_departments",
    "write_members",
]
