"""ApiError and the English errmsg texts the emulator answers with."""

from __future__ import annotations

# English texts as seen in real responses where known (README.md "observed"), else a short
# translation of errors.md. Clients must decide on errcode; these only help humans.
ERRMSG: dict[int, str] = {
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40031: "all list invalid",
    40032: "invalid userid list size",
    40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
    40035: "invalid args size",
    40056: "invalid agentid",
    40058: "invalid Request Parameter",
    40063: "some parameters are empty",
    40066: "invalid partylist",
    40068: "invalid tagid",
    40070: "all list invalid ",
    40071: "UserTag Name Already Exist",
    40072: "invalid tagname size",
    40073: "invalid openid",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    41009: "missing userid",
    41017: "missing tagid",
    41018: "missing tagname",
    41019: "missing department",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "api freq out of limit",
    45024: "account number exceeds limit",
    45029: "response size out of limit",
    45033: "api concurrent out of limit",
    46004: "user no exist",
    48002: "api forbidden",
    48009: "api forbidden, contacts sync may not read details from a newly added ip",
    50100: "invalid cursor",
    60001: "invalid party name length",
    60003: "department not found",
    60004: "parent department not found",
    60005: "department contains user",
    60006: "department contains sub-department",
    60007: "not allow to delete root department",
    60008: "department existed",
    60009: "department name contains invalid characters",
    60010: "department has cycle relation",
    60011: "no privilege to access/modify contact/party/agent",
    60102: "userid existed",
    60103: "mobile invalid",
    60104: "mobile existed",
    60105: "email invalid",
    60106: "email existed",
    60110: "user department size exceeds limit",
    60111: "userid not found",
    60112: "invalid username",
    60127: "missing department",
    60129: "mobile and email can not be both empty",
    60132: "is_leader_in_dept size mismatch",
    60143: "biz_mail invalid",
    60144: "biz_mail can not be modified",
    60145: "biz_mail existed",
    81001: "department node count exceeds limit",
    81002: "department level exceeds limit",
    81003: "tag node count exceeds limit",
    81011: "no privilege to operate the tag",
    81014: "too many users or parties in one call",
    81015: "email domain must match the corp mail domain",
    81017: "request item count exceeds limit",
    82001: "user, party and tag all empty or invalid",
    82002: "invalid partyid list size",
    82003: "invalid tagid list size",
    90100: "invalid attr type",
    90101: "invalid text attr length",
    90102: "invalid web attr title length",
    90103: "invalid web attr url",
    90104: "invalid miniprogram attr title length",
    90105: "invalid miniprogram attr pagepath",
    90106: "invalid external attr parameter",
    93000: "invalid webhook url",
    301005: "not allow to delete creator",
    301012: "invalid position",
    301013: "invalid telephone",
    301036: "not allow to modify userid",
}


class ApiError(Exception):
    """A WeCom errcode to answer with; `detail` says which field or value was wrong."""

    def __init__(self, errcode: int, detail: str = "", *, warn: bool = False) -> None:
        super().__init__(f"{errcode}: {detail}" if detail else str(errcode))
        self.errcode = errcode
        self.detail = detail
        # the body could not be parsed: errmsg gets "Warning: wrong json format."
        self.warn = warn


def errmsg_text(errcode: int) -> str:
    """The English text for an errcode; codes outside this table (an injected fault, say)
    take the English meaning from the project's errcode table, which is plain data."""
    if errcode in ERRMSG:
        return ERRMSG[errcode]
    from .._errcodes import ERRCODES

    info = ERRCODES.get(errcode)
    return info.en if info is not None else f"error {errcode}"
