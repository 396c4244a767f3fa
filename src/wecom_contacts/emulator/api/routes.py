"""The emulated /cgi-bin endpoints: HTTP method, handler, who may call it, success errmsg."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..context import Ctx
from ..rules.common import Params
from .handlers import (
    batch,
    departments,
    export,
    media,
    messages,
    tags,
    user_misc,
    user_reads,
    users,
)

Handler = Callable[[Ctx, Params], dict[str, Any]]
# read: any secret, limited to its scope; write: contacts-sync only (apps get
# app_write_errcode); tag_write: any secret, ownership checked per tag; sync_only: reads
# reserved to contacts-sync (apps get sync_only_api_errcode)
Access = Literal["read", "write", "tag_write", "sync_only"]

GETTOKEN = "/cgi-bin/gettoken"


@dataclass(frozen=True)
class Endpoint:
    method: Literal["GET", "POST"]
    handler: Handler
    access: Access = "read"
    success: str = "ok"
    # config switch that turns this into a detail read refused (48009) to contacts-sync
    detail_switch: str | None = None
    lookup: bool = False  # failed lookups count towards the one-day block
    changes_directory: bool = False
    multipart: bool = False  # media/upload: a form-data body instead of JSON

    @property
    def writes(self) -> bool:
        return self.changes_directory or self.access in ("write", "tag_write")


_DETAIL = "block_new_ip_detail_reads"

ENDPOINTS: dict[str, Endpoint] = {
    "/cgi-bin/department/create": Endpoint("POST", departments.create, "write", "created"),
    "/cgi-bin/department/update": Endpoint("POST", departments.update, "write", "updated"),
    "/cgi-bin/department/delete": Endpoint("GET", departments.delete, "write", "deleted"),
    "/cgi-bin/department/list": Endpoint("GET", departments.list_, detail_switch=_DETAIL),
    "/cgi-bin/department/simplelist": Endpoint("GET", departments.simplelist),
    "/cgi-bin/department/get": Endpoint("GET", departments.get, detail_switch=_DETAIL),
    "/cgi-bin/user/create": Endpoint("POST", users.create, "write", "created"),
    "/cgi-bin/user/get": Endpoint("GET", user_reads.get, detail_switch=_DETAIL),
    "/cgi-bin/user/update": Endpoint("POST", users.update, "write", "updated"),
    "/cgi-bin/user/delete": Endpoint("GET", users.delete, "write", "deleted"),
    "/cgi-bin/user/batchdelete": Endpoint("POST", users.batchdelete, "write", "deleted"),
    "/cgi-bin/user/simplelist": Endpoint(
        "GET", user_reads.simplelist, detail_switch="block_new_ip_simplelist"
    ),
    "/cgi-bin/user/list": Endpoint("GET", user_reads.list_, detail_switch=_DETAIL),
    "/cgi-bin/user/list_id": Endpoint("POST", user_reads.list_id, "sync_only"),
    "/cgi-bin/user/convert_to_openid": Endpoint("POST", user_misc.convert_to_openid),
    "/cgi-bin/user/convert_to_userid": Endpoint("POST", user_misc.convert_to_userid),
    "/cgi-bin/user/authsucc": Endpoint("GET", user_misc.authsucc, changes_directory=True),
    "/cgi-bin/user/getuserid": Endpoint("POST", user_misc.getuserid, lookup=True),
    "/cgi-bin/user/get_userid_by_email": Endpoint(
        "POST", user_misc.get_userid_by_email, lookup=True
    ),
    "/cgi-bin/user/get_active_stat": Endpoint("POST", user_misc.get_active_stat, "sync_only"),
    "/cgi-bin/batch/invite": Endpoint("POST", user_misc.invite),
    "/cgi-bin/corp/get_join_qrcode": Endpoint("GET", user_misc.join_qrcode, "sync_only"),
    # application messages are recorded in the inbox (GET /_emulator/messages)
    "/cgi-bin/message/send": Endpoint("POST", messages.send),
    "/cgi-bin/tag/create": Endpoint("POST", tags.create, "tag_write", "created"),
    "/cgi-bin/tag/update": Endpoint("POST", tags.update, "tag_write", "updated"),
    "/cgi-bin/tag/delete": Endpoint("GET", tags.delete, "tag_write", "deleted"),
    "/cgi-bin/tag/get": Endpoint("GET", tags.get),
    "/cgi-bin/tag/addtagusers": Endpoint("POST", tags.addtagusers, "tag_write"),
    "/cgi-bin/tag/deltagusers": Endpoint("POST", tags.deltagusers, "tag_write", "deleted"),
    "/cgi-bin/tag/list": Endpoint("GET", tags.list_),
    # media/upload answers errmsg "" in the official sample (batch.md §4)
    "/cgi-bin/media/upload": Endpoint("POST", media.upload, success="", multipart=True),
    "/cgi-bin/batch/syncuser": Endpoint("POST", batch.syncuser, "write"),
    "/cgi-bin/batch/replaceuser": Endpoint("POST", batch.replaceuser, "write"),
    "/cgi-bin/batch/replaceparty": Endpoint("POST", batch.replaceparty, "write"),
    "/cgi-bin/batch/getresult": Endpoint("GET", batch.getresult),
    "/cgi-bin/export/simple_user": Endpoint("POST", export.simple_user),
    "/cgi-bin/export/user": Endpoint("POST", export.user),
    "/cgi-bin/export/department": Endpoint("POST", export.department),
    "/cgi-bin/export/taguser": Endpoint("POST", export.taguser),
    "/cgi-bin/export/get_result": Endpoint("GET", export.get_result),
}
