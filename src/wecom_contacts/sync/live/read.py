"""read_live and export_directory: the live directory read through the client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..desired.document import dump_directory
from ..plan.scope import scope_for
from ..plan.types import PlanOptions
from .details import ReadProgress, ReadVia, department_records, member_records
from .model import LiveDepartment, LiveDirectory, LiveTag, user_from_wire

if TYPE_CHECKING:
    from ...client import Client

__all__ = ["export_directory", "read_live"]


def read_live(client: Client, *, subtree: str | int | None = None,
              via: ReadVia = "auto", progress: ReadProgress | None = None) -> LiveDirectory:
    """Read departments, members and tags (``tag/list`` + ``tag/get``).

    ``via="lists"`` reads ``department/list`` and ``user/list`` per department;
    ``via="export"`` one ``export/department`` and one ``export/user`` job (a few calls
    whatever the size, but WeCom takes a while to build the files); ``"auto"`` (the
    default) the lists, switching to the export jobs when WeCom refuses detail reads to
    this IP (48009: contacts-sync secrets on IPs added since 2022-08-15).

    With ``subtree``, only members of that subtree's departments are kept (the department
    tree itself is always read whole). ``progress(done, total)``: departments whose members
    were read, for a progress bar.
    """
    records, used = department_records(client, via=via)
    departments = [
        LiveDepartment(int(d["id"]), str(d.get("name", "")), int(d.get("parentid", 0)),
                       int(d.get("order", 0)), d.get("name_en") or None)
        for d in records
    ]
    live = LiveDirectory.from_records(departments)
    wanted = sorted(live.departments)
    if subtree is not None:
        scope = scope_for(live, PlanOptions(subtree=subtree))
        if scope.departments is not None:
            wanted = sorted(scope.departments)
    # detail reads refused for the departments are refused for the members too
    members_via: ReadVia = "export" if used == "export" else via
    for key, raw in member_records(client, wanted, via=members_via,
                                   progress=progress).items():
        live.users[key] = user_from_wire(raw)
    for tag in client.tags.list():
        members = client.tags.get(tag.id)
        live.tags[tag.id] = LiveTag(
            tag.id, members.name or tag.name, [m.userid for m in members.users],
            list(members.department_ids),
        )
    return live


def export_directory(client: Client, fmt: str = "yaml", *,
                     subtree: str | int | None = None, via: ReadVia = "auto") -> str:
    """The live directory in a desired-state format: ``yaml``, ``json``, ``csv-members`` or
    ``csv-departments``. Planning the export against the same directory gives no change."""
    live = read_live(client, subtree=subtree, via=via)
    return dump_directory(live, fmt, PlanOptions(subtree=subtree))
