"""`wecom-contacts users …`: members — list, get, create, update, delete, find, invite, …"""

from __future__ import annotations

from typing import Annotated

import typer

from . import _render as render
from ._context import JsonFlag, use
from ._errors import usage_error
from ._user_fields import (
    Address,
    Alias,
    BizMail,
    Departments,
    DirectLeaders,
    Email,
    ExtPosition,
    GenderOpt,
    LeaderIn,
    MainDept,
    Mobile,
    Orders,
    Position,
    Telephone,
    UserId,
    fields_for,
)

app = typer.Typer(help="Members (成员管理).", no_args_is_help=True)


USER_COLUMNS = ("userid", "name", "department", "position", "mobile", "email", "status")
STATUS = {1: "active", 2: "disabled", 4: "inactive", 5: "left"}


@app.command("list")
def list_(
    ctx: typer.Context,
    department_id: Annotated[int, typer.Argument(help="Department id.")] = 1,
    fetch_child: Annotated[
        bool, typer.Option("--fetch-child", "-r", help="Include sub-departments' members.")
    ] = False,
    simple: Annotated[
        bool, typer.Option("--simple", help="Only userid, name and departments (user/simplelist).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List a department's members."""
    state = use(ctx, as_json)
    users = state.client().users
    members = (users.simple_list if simple else users.list)(department_id, fetch_child=fetch_child)
    rows = [
        [
            getattr(u, c, None) if c != "status" else STATUS.get(getattr(u, c, 0) or 0)
            for c in USER_COLUMNS
        ]
        for u in members
    ]
    render.emit(state, members, lambda: render.table(USER_COLUMNS, rows))


@app.command("get")
def get(ctx: typer.Context, userid: UserId, as_json: JsonFlag = False) -> None:
    """Show one member with every field the secret may see."""
    state = use(ctx, as_json)
    user = state.client().users.get(userid)
    render.emit(state, user, lambda: render.record_table(user.raw))


@app.command("create")
def create(
    ctx: typer.Context,
    userid: UserId,
    name: Annotated[str, typer.Argument(help="Display name.", show_default=False)],
    department: Departments = None,
    mobile: Mobile = None,
    email: Email = None,
    position: Position = None,
    alias: Alias = None,
    gender: GenderOpt = None,
    telephone: Telephone = None,
    main_department: MainDept = None,
    leader_in: LeaderIn = None,
    order: Orders = None,
    direct_leader: DirectLeaders = None,
    biz_mail: BizMail = None,
    address: Address = None,
    external_position: ExtPosition = None,
    invite: Annotated[
        bool, typer.Option("--invite/--no-invite", help="Send WeCom's invitation.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Create a member.

    WeCom needs a mobile number or an e-mail address. Without --department the member
    joins the root department (1).
    """
    state = use(ctx, as_json)
    fields = fields_for(
        department or [1],
        leader_in,
        order,
        gender,
        mobile=mobile,
        email=email,
        position=position,
        alias=alias,
        telephone=telephone,
        main_department=main_department,
        direct_leader=direct_leader,
        biz_mail=biz_mail,
        address=address,
        external_position=external_position,
    )
    state.client().users.create(userid, name, to_invite=invite, **fields)
    render.emit(state, {"ok": True, "userid": userid}, lambda: f"created member {userid}")


@app.command("update")
def update(
    ctx: typer.Context,
    userid: UserId,
    name: Annotated[str | None, typer.Option("--name", help="New display name.")] = None,
    new_userid: Annotated[
        str | None, typer.Option("--new-userid", help="Rename the userid (once).")
    ] = None,
    department: Departments = None,
    mobile: Mobile = None,
    email: Email = None,
    position: Position = None,
    alias: Alias = None,
    gender: GenderOpt = None,
    telephone: Telephone = None,
    main_department: MainDept = None,
    leader_in: LeaderIn = None,
    order: Orders = None,
    direct_leader: DirectLeaders = None,
    biz_mail: BizMail = None,
    address: Address = None,
    external_position: ExtPosition = None,
    as_json: JsonFlag = False,
) -> None:
    """Change only the given fields of a member."""
    state = use(ctx, as_json)
    fields = fields_for(
        department,
        leader_in,
        order,
        gender,
        name=name,
        new_userid=new_userid,
        mobile=mobile,
        email=email,
        position=position,
        alias=alias,
        telephone=telephone,
        main_department=main_department,
        direct_leader=direct_leader,
        biz_mail=biz_mail,
        address=address,
        external_position=external_position,
    )
    state.client().users.update(userid, **fields)
    render.emit(state, {"ok": True, "userid": userid}, lambda: f"updated member {userid}")


@app.command("delete")
def delete(
    ctx: typer.Context,
    userids: Annotated[
        list[str],
        typer.Argument(help="Userid(s); several use user/batchdelete."),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Delete one member, or several in one call (up to 200)."""
    state = use(ctx, as_json)
    users = state.client().users
    if len(userids) == 1:
        users.delete(userids[0])
    else:
        users.batch_delete(userids)
    render.emit(state, {"ok": True, "userids": userids}, lambda: f"deleted {', '.join(userids)}")


@app.command("enable")
def enable(ctx: typer.Context, userid: UserId, as_json: JsonFlag = False) -> None:
    """Enable a member."""
    state = use(ctx, as_json)
    state.client().users.enable(userid)
    render.emit(state, {"ok": True, "userid": userid}, lambda: f"enabled {userid}")


@app.command("disable")
def disable(ctx: typer.Context, userid: UserId, as_json: JsonFlag = False) -> None:
    """Disable a member (they can no longer sign in)."""
    state = use(ctx, as_json)
    state.client().users.disable(userid)
    render.emit(state, {"ok": True, "userid": userid}, lambda: f"disabled {userid}")


@app.command("find")
def find(
    ctx: typer.Context,
    mobile: Annotated[str | None, typer.Option("--mobile", help="Find by mobile number.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Find by e-mail address.")] = None,
    personal: Annotated[
        bool, typer.Option("--personal", help="--email is a personal, not a corporate, address.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Find a member by mobile number or e-mail address; prints the userid."""
    state = use(ctx, as_json)
    if (mobile is None) == (email is None):
        raise usage_error("give exactly one of --mobile and --email")
    users = state.client().users
    if mobile is not None:
        userid = users.get_userid_by_mobile(mobile)
    else:
        assert email is not None
        userid = users.get_userid_by_email(email, email_type=2 if personal else 1)
    render.emit(state, {"userid": userid}, lambda: userid)


@app.command("to-openid")
def to_openid(ctx: typer.Context, userid: UserId, as_json: JsonFlag = False) -> None:
    """Print the openid of a member."""
    state = use(ctx, as_json)
    openid = state.client().users.to_openid(userid)
    render.emit(state, {"userid": userid, "openid": openid}, lambda: openid)


@app.command("to-userid")
def to_userid(
    ctx: typer.Context,
    openid: Annotated[str, typer.Argument(help="An openid.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Print the userid of an openid."""
    state = use(ctx, as_json)
    userid = state.client().users.to_userid(openid)
    render.emit(state, {"openid": openid, "userid": userid}, lambda: userid)


@app.command("invite")
def invite(
    ctx: typer.Context,
    user: Annotated[
        list[str] | None, typer.Option("--user", "-u", metavar="USERID", help="Userid; repeatable.")
    ] = None,
    department: Annotated[
        list[int] | None,
        typer.Option("--department", "-d", metavar="ID", help="Department id; repeatable."),
    ] = None,
    tag: Annotated[
        list[int] | None, typer.Option("--tag", "-t", metavar="ID", help="Tag id; repeatable.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Invite members, departments or tags; lists what WeCom refused."""
    state = use(ctx, as_json)
    if not (user or department or tag):
        raise usage_error("give at least one --user, --department or --tag")
    result = state.client().users.invite(
        users=user or (), departments=department or (), tags=tag or ()
    )
    refused = result.invalid_users or result.invalid_departments or result.invalid_tags
    render.emit(
        state,
        result,
        lambda: (
            "invited"
            if not refused
            else f"invited; refused users {result.invalid_users}, departments "
            f"{result.invalid_departments}, tags {result.invalid_tags}"
        ),
    )
