"""The endpoint table (the ledger): every Contacts API path with its client method and doc link."""

from dataclasses import dataclass
from typing import Final, Literal

_DOC: Final = "https://developer.work.weixin.qq.com/document/path/"


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str  # WeCom path relative to /cgi-bin/, e.g. "department/create"
    method: Literal["GET", "POST"]
    area: str  # "auth", "departments", "users", "tags", "corp", "media", "batch", "export"
    client_method: str  # dotted public name, e.g. "departments.create"
    idempotent: bool  # safe to resend after an ambiguous failure (timeout, dropped connection)
    doc: str  # official doc URL
    title: str  # short English description


# Order and paths follow the endpoint index of ../shared/wecom-api/README.md; doc links are the
# self-built-app pages named in the "Sources" of each topic file. `area` is the client resource
# that owns the method (so batch/invite, which DESIGN.md puts on users.invite, is "users").
#
# Idempotency: reads, deletes and updates that set absolute values are safe to resend (a resent
# delete at worst answers "not found"). The rest, row by row:
# - department/create, user/create, tag/create: not safe; a resend may create a second object
#   (server-assigned id) or answer "already exists" for the first one, which the pipeline must
#   then report as such instead of applying the create twice.
# - batch/invite: not safe; every call sends SMS / e-mail notices again and spends the daily
#   invitation budget of the members involved.
# - batch/syncuser, replaceuser, replaceparty: not safe; only one import runs at a time, so a
#   resend either fails with 302008 while the first job runs (and that job's id is lost) or runs
#   the import a second time, using up one of the 5 kept job results.
# - media/upload: safe; a duplicate upload only leaves an unused temporary file that expires
#   after 3 days, and nothing in the directory changes.
# - export/*: safe; exports only read, a duplicate job just produces a second set of files.
# - tag/addtagusers, tag/deltagusers: safe; tag membership is a set, so adding or removing the
#   same members again converges on the same state (only the invalid-list report may differ).
# - user/update: safe, it sets absolute values; a resent rename (new_userid) can only fail with
#   "not found" for the old userid, it cannot rename twice.
# - user/authsucc: safe; it marks the member as verified, which is a state, not an increment.
ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint("gettoken", "GET", "auth", "tokens.fetch", True, _DOC + "91039",
             "get an access_token for a corp id and secret"),
    # departments
    Endpoint("department/create", "POST", "departments", "departments.create", False,
             _DOC + "90205", "create a department"),
    Endpoint("department/update", "POST", "departments", "departments.update", True,
             _DOC + "90206", "update a department (name, parent, order)"),
    Endpoint("department/delete", "GET", "departments", "departments.delete", True,
             _DOC + "90207", "delete an empty department"),
    Endpoint("department/list", "GET", "departments", "departments.list", True,
             _DOC + "90208", "list departments with details (legacy, slow)"),
    Endpoint("department/simplelist", "GET", "departments", "departments.simple_list", True,
             _DOC + "95350", "list department ids, parents and order"),
    Endpoint("department/get", "GET", "departments", "departments.get", True,
             _DOC + "95351", "read one department"),
    # users
    Endpoint("user/create", "POST", "users", "users.create", False,
             _DOC + "90195", "create a member"),
    Endpoint("user/get", "GET", "users", "users.get", True,
             _DOC + "90196", "read one member"),
    # users.enable / users.disable also call user/update (with enable=1/0).
    Endpoint("user/update", "POST", "users", "users.update", True,
             _DOC + "90197", "update a member (only the fields given)"),
    Endpoint("user/delete", "GET", "users", "users.delete", True,
             _DOC + "90198", "delete a member"),
    Endpoint("user/batchdelete", "POST", "users", "users.batch_delete", True,
             _DOC + "90199", "delete up to 200 members at once"),
    Endpoint("user/simplelist", "GET", "users", "users.simple_list", True,
             _DOC + "90200", "list a department's members (userid, name, departments)"),
    Endpoint("user/list", "GET", "users", "users.list", True,
             _DOC + "90201", "list a department's members with details"),
    Endpoint("user/list_id", "POST", "users", "users.list_ids", True,
             _DOC + "96067", "page through (userid, department) pairs of the whole corp"),
    Endpoint("user/convert_to_openid", "POST", "users", "users.to_openid", True,
             _DOC + "90202", "convert a userid to an openid"),
    Endpoint("user/convert_to_userid", "POST", "users", "users.to_userid", True,
             _DOC + "90202", "convert an openid to a userid"),
    Endpoint("user/authsucc", "GET", "users", "users.auth_succ", True,
             _DOC + "90203", "confirm a joining member's verification"),
    Endpoint("user/getuserid", "POST", "users", "users.get_userid_by_mobile", True,
             _DOC + "95402", "find a userid by mobile number"),
    Endpoint("user/get_userid_by_email", "POST", "users", "users.get_userid_by_email", True,
             _DOC + "95895", "find a userid by e-mail"),
    Endpoint("user/get_active_stat", "POST", "users", "users.active_count", True,
             _DOC + "92714", "count the corp's active members on a day"),
    Endpoint("batch/invite", "POST", "users", "users.invite", False,
             _DOC + "90975", "invite members, departments or tags to join"),
    Endpoint("corp/get_join_qrcode", "GET", "corp", "corp.join_qrcode", True,
             _DOC + "91714", "get the join-the-corp QR code link"),
    # media/upload is the only multipart call; `type` travels in the query string.
    Endpoint("media/upload", "POST", "media", "media.upload", True,
             _DOC + "90253", "upload a temporary media file (import CSVs use type=file)"),
    # batch import jobs
    Endpoint("batch/syncuser", "POST", "batch", "batch.sync_users", False,
             _DOC + "90980", "start an incremental member import"),
    Endpoint("batch/replaceuser", "POST", "batch", "batch.replace_users", False,
             _DOC + "90981", "start a full member replacement import"),
    Endpoint("batch/replaceparty", "POST", "batch", "batch.replace_departments", False,
             _DOC + "90982", "start a full department replacement import"),
    Endpoint("batch/getresult", "GET", "batch", "batch.get_result", True,
             _DOC + "90983", "read an import job's status and result"),
    # tags
    Endpoint("tag/create", "POST", "tags", "tags.create", False,
             _DOC + "90210", "create a tag"),
    Endpoint("tag/update", "POST", "tags", "tags.update", True,
             _DOC + "90211", "rename a tag"),
    Endpoint("tag/delete", "GET", "tags", "tags.delete", True,
             _DOC + "90212", "delete a tag"),
    Endpoint("tag/get", "GET", "tags", "tags.get", True,
             _DOC + "90213", "read a tag's members and departments"),
    Endpoint("tag/addtagusers", "POST", "tags", "tags.add_members", True,
             _DOC + "90214", "add members and departments to a tag"),
    Endpoint("tag/deltagusers", "POST", "tags", "tags.remove_members", True,
             _DOC + "90215", "remove members and departments from a tag"),
    Endpoint("tag/list", "GET", "tags", "tags.list", True,
             _DOC + "90216", "list tags"),
    # export jobs
    Endpoint("export/simple_user", "POST", "export", "export.simple_users", True,
             _DOC + "94849", "start an export of members (userid, name, departments)"),
    Endpoint("export/user", "POST", "export", "export.users", True,
             _DOC + "94851", "start an export of members with details"),
    Endpoint("export/department", "POST", "export", "export.departments", True,
             _DOC + "94852", "start an export of departments"),
    Endpoint("export/taguser", "POST", "export", "export.tag_users", True,
             _DOC + "94853", "start an export of a tag's members"),
    Endpoint("export/get_result", "GET", "export", "export.get_result", True,
             _DOC + "94854", "read an export job's status and file links"),
)

BY_PATH: Final[dict[str, Endpoint]] = {e.path: e for e in ENDPOINTS}


def endpoint(path: str) -> Endpoint:
    """Return the row for a path relative to /cgi-bin/ (a leading "/cgi-bin/" is accepted)."""
    key = path.split("?", 1)[0].strip("/").removeprefix("cgi-bin/")
    try:
        return BY_PATH[key]
    except KeyError:
        raise KeyError(f"unknown WeCom endpoint {path!r}: not in the endpoint table") from None
