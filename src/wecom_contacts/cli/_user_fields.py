"""Member options shared by `users create` and `users update`, and their translation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

import typer

from ._errors import usage_error


class Gender(str, Enum):
    male = "male"
    female = "female"


_GENDER: dict[Gender, Literal["1", "2"]] = {Gender.male: "1", Gender.female: "2"}

UserId = Annotated[str, typer.Argument(help="The member's userid.", show_default=False)]
Departments = Annotated[
    list[int] | None,
    typer.Option("--department", "-d", metavar="ID", help="Department id; repeat for several."),
]
LeaderIn = Annotated[
    list[int] | None,
    typer.Option(
        "--leader-in", metavar="ID", help="Department (one of --department) the member leads."
    ),
]
Orders = Annotated[
    list[int] | None,
    typer.Option("--order", metavar="N", help="Order in each --department, in the same order."),
]
DirectLeaders = Annotated[
    list[str] | None,
    typer.Option(
        "--direct-leader", metavar="USERID", help="Userid of a direct leader; repeatable."
    ),
]
Mobile = Annotated[str | None, typer.Option("--mobile", help="Mobile number.")]
Email = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
Position = Annotated[str | None, typer.Option("--position", help="Job title.")]
Alias = Annotated[str | None, typer.Option("--alias", help="Alias.")]
GenderOpt = Annotated[Gender | None, typer.Option("--gender", help="male or female.")]
Telephone = Annotated[str | None, typer.Option("--telephone", help="Landline number.")]
MainDept = Annotated[int | None, typer.Option("--main-department", help="Main department id.")]
BizMail = Annotated[str | None, typer.Option("--biz-mail", help="Corporate mailbox address.")]
Address = Annotated[str | None, typer.Option("--address", help="Office address.")]
ExtPosition = Annotated[
    str | None, typer.Option("--external-position", help="Title shown to external contacts.")
]


def fields_for(
    department: list[int] | None,
    leader_in: list[int] | None,
    order: list[int] | None,
    gender: Gender | None,
    **given: Any,
) -> dict[str, Any]:
    """CLI options → the library's keyword arguments (None means "not given")."""
    if leader_in and not department:
        raise usage_error("--leader-in needs the member's --department list")
    if leader_in and department and not set(leader_in) <= set(department):
        raise usage_error("every --leader-in must also be given as --department")
    if order and (not department or len(order) != len(department)):
        raise usage_error("give one --order per --department")
    flags = (
        [1 if d in set(leader_in) else 0 for d in department] if leader_in and department else None
    )
    return {
        "department": department or None,
        "is_leader_in_dept": flags,
        "order": order or None,
        "gender": _GENDER[gender] if gender else None,
        **{k: (v or None) if isinstance(v, list) else v for k, v in given.items()},
    }
