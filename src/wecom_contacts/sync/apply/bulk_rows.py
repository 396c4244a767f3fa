"""Plan steps as rows of WeCom's member import template: which steps fit, and their rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ...templates import MemberRow, TemplateError, write_members
from ..live.details import members_by_userid
from ..plan.types import Step

if TYPE_CHECKING:
    from ...client import Client

__all__ = ["JOB_PARAMS", "fits_template", "import_file", "live_members", "may_pass", "member_row"]

# user/create and user/update parameters the member template has a column for (batch.md §6.1;
# to_invite is the job's own; extattr when every attribute is non-empty text: a custom
# column). Not there: direct_leader, main_department, biz_mail, external_profile,
# external_position, avatar_mediaid and renames (new_userid).
JOB_PARAMS = frozenset({
    "userid", "name", "mobile", "email", "position", "gender", "alias", "address", "telephone",
    "enable", "department", "order", "is_leader_in_dept", "to_invite", "extattr",
})
_ROW_FIELDS = tuple(f.name for f in dataclasses.fields(MemberRow))
# WeCom documents that an absent column is not touched, not what an empty cell does (this
# library and its emulator read it as "keep"): a clear is sent as its own call
_TEXT = ("name", "mobile", "email", "position", "gender", "alias", "address", "telephone")
# an update that frees a userid, mobile or e-mail must keep its place before later rows
_FREES = frozenset({"new_userid", "mobile", "email", "biz_mail"})


def fits_template(step: Step) -> bool:
    """Can one row of the member template say everything this step sets?"""
    if step.op not in ("user.create", "user.update"):
        return False
    p = step.params
    if not p.keys() <= JOB_PARAMS or not p.keys() - {"userid", "to_invite"}:
        return False
    if any(p[k] in ("", None) for k in _TEXT if k in p):
        return False
    if "extattr" in p and _text_attrs(p["extattr"]) is None:
        return False
    return "gender" not in p or str(p["gender"]) in ("1", "2")


def _text_attrs(extattr: Any) -> dict[str, str] | None:
    """Custom attributes as template columns (name → text); None when one is not a
    non-empty text attribute (an empty cell would keep it, not clear it)."""
    columns: dict[str, str] = {}
    for attr in (extattr or {}).get("attrs") or []:
        value = (attr.get("text") or {}).get("value") if isinstance(attr, dict) else None
        if attr.get("type", 0) != 0 or not isinstance(value, str) or not value:
            return None
        columns[str(attr.get("name", ""))] = value
    return columns


def may_pass(step: Step) -> bool:
    """May rows of a job run before this single-call step that comes earlier in the plan?

    Creates and ordinary updates change nothing another member's row relies on (what a row
    does rely on is in its ``depends_on``, checked apart); renames and changes of a mobile or
    e-mail may free a value a later row takes, so they end the run.
    """
    if step.op == "user.create":
        return True
    return step.op == "user.update" and not step.params.keys() & _FREES


def member_row(params: dict[str, Any], live: dict[str, Any] | None) -> MemberRow:
    """The step's row. For a member that exists, every column holds the value it will have:
    the step's where it sets one, the live one elsewhere — so whether WeCom reads an empty
    cell as "keep" or as "clear", the row changes exactly what the step changes."""
    row = MemberRow.from_wire(live) if live is not None else MemberRow(str(params["userid"]), "")
    changes: dict[str, Any] = {k: v for k, v in params.items() if k in JOB_PARAMS - {"to_invite"}}
    changes["userid"] = str(params["userid"])
    # the step's attributes only: an empty custom cell leaves an attribute as it is
    changes["extattr"] = _text_attrs(params.get("extattr")) or {}
    if "department" in params:
        # leader flags and orders belong to the department list they come with
        count = len(params["department"])
        changes["is_leader_in_dept"] = list(params.get("is_leader_in_dept") or [0] * count)
        changes["order"] = list(params.get("order") or [])
    if "enable" in params:
        changes["enable"] = bool(params["enable"])
    if "gender" in params:
        changes["gender"] = str(params["gender"])
    return dataclasses.replace(row, **changes)


def import_file(rows: Sequence[MemberRow | None]) -> tuple[bytes | None, list[int]]:
    """The member file of the rows the template accepts, and their indices in ``rows``.

    A row that is None, or that the template refuses (a cell WeCom's single call may still
    take), is left out for a single call; None when no row is left.
    """
    # as plain mappings: the writer takes those too, without asdict's deep copy of each row
    present = {i: {f: getattr(row, f) for f in _ROW_FIELDS} for i, row in enumerate(rows)
               if row is not None}
    taken = list(present)
    while taken:
        try:
            return write_members([present[i] for i in taken]), taken
        except TemplateError as exc:
            bad = {taken[e.row - 2] for e in exc.errors if 2 <= e.row < len(taken) + 2}
            if not bad:
                raise
            taken = [i for i in taken if i not in bad]
    return None, []


def live_members(client: Client, userids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The members named (lower-cased userid → their record); absent ones are left out.

    ``user/get`` each or ``user/list`` per department, whichever is fewer calls; one export
    job where WeCom refuses detail reads (48009).
    """
    return members_by_userid(client, userids)
