"""read_live and export_directory: the live directory read through the client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .document import dump_directory
from .live import LiveDepartment, LiveDirectory, LiveTag, user_from_wire
from .plan_types import PlanOptions
from .scope import scope_for

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["export_directory", "read_live"]


def read_live(client: Client, *, subtree: str | int | None = None) -> LiveDirectory:
    """Read departments (``department/list``), members (``user/list`` per department) and
    tags (``tag/list`` + ``tag/get``).

    With ``subtree``, members are read only for the departments of that subtree (the
    department tree itself is always read whole: one call).
    """
    departments = [
        LiveDepartment(d.id, d.name, d.parent_id, d.order, d.name_en or None)
        for d in client.departments.list()
    ]
    live = LiveDirectory.from_records(departments)
    wanted = sorted(live.departments)
    if subtree is not None:
        scope = scope_for(live, PlanOptions(subtree=subtree))
        if scope.departments is not None:
            wanted = sorted(scope.departments)
    for dept_id in wanted:
        # user/list per department: the documented way for big directories (45029 otherwise)
        for user in client.users.list(dept_id):
            key = user.userid.lower()
            if key not in live.users:
                live.users[key] = user_from_wire(user.raw)
    for tag in client.tags.list():
        members = client.tags.get(tag.id)
        live.tags[tag.id] = LiveTag(
            tag.id, members.name or tag.name, [m.userid for m in members.users],
            list(members.department_ids),
        )
    return live


def export_directory(client: Client, fmt: str = "yaml", *,
                     subtree: str | int | None = None) -> str:
    """The live directory in a desired-state format: ``yaml``, ``json``, ``csv-members`` or
    ``csv-departments``. Planning the export against the same directory gives no change."""
    live = read_live(client, subtree=subtree)
    return dump_directory(live, fmt, PlanOptions(subtree=subtree))
