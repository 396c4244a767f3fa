"""The WeCom errcode table as data: kind, official Chinese title, English meaning and a hint."""

from dataclasses import dataclass
from typing import Final, Literal

ErrorKind = Literal[
    "token", "rate_limit", "busy", "not_found", "conflict", "invalid_argument", "permission",
    "other",
]


@dataclass(frozen=True, slots=True)
class ErrcodeInfo:
    code: int
    kind: ErrorKind
    zh: str  # official Chinese title
    en: str  # English meaning
    hint: str  # what the caller should check / do (one short sentence, English)
    # A business call answered with this code drops its token, fetches a new one and resends
    # once (the pipeline reads this; nothing else decides it). Never on `gettoken` itself.
    refresh_token: bool = False


# Source: ../shared/wecom-api/errors.md (global page path/90313 crawled 2024-04-08, WxJava 2025-01).
# Kinds follow the meaning, not the number range. Judgement calls:
# - bad or missing credentials (40001, 40013, 40091, 41002, 41004, 45031, 2000002) are
#   "permission"; only a bad/expired/missing access_token (40014, 42001, 41001) is "token".
# - refresh_token=True on 40014 and 42001 (the token is bad or expired) and on 40001: from a
#   business API, 40001 means the token predates a secret reset, so one fresh token fixes it;
#   from `gettoken` itself it means the secret is wrong, and a credential error is never
#   retried (errors.md, 40001). 41001 (token missing) is the client's own bug: not refreshed.
# - suite-token codes (40082, 42009) are "other": this client never sends a suite token, so
#   refetching its access_token would not help.
# - quotas that waiting does not lift (45024, 81001, 81003) and the replaceuser deletion brake
#   (45026) are "other", not "rate_limit", so nothing backs off and retries them.
# - operations the API never allows (deleting the root department or the corp creator) are
#   "invalid_argument"; changes the object's current state forbids (non-empty department,
#   e-mail already fixed, an import already running) are "conflict".
ERRCODES: Final[dict[int, ErrcodeInfo]] = {
    # --- system / auth / generic parameters ---
    -1: ErrcodeInfo(
        -1, "busy", "系统繁忙", "system busy",
        "Transient server fault: retry with backoff, at most 3 times.",
    ),
    0: ErrcodeInfo(0, "other", "请求成功", "success", "Nothing to do."),
    6000: ErrcodeInfo(
        6000, "busy", "数据版本冲突", "data version conflict (concurrent modification)",
        "Another write touched the same data: wait briefly, re-read if needed, and retry.",
    ),
    40001: ErrcodeInfo(
        40001, "permission", "不合法的secret参数",
        "invalid secret (missing, not matching corpid, reset, or app disabled)",
        "Check the secret belongs to this corp id, was not reset, and its app is enabled.",
        refresh_token=True,
    ),
    40003: ErrcodeInfo(
        40003, "invalid_argument", "无效的UserID",
        "invalid userid (bad format, not in directory, or GET used for a POST API)",
        "Check the userid is 1-64 letters/digits/'-'/'_'/'.', exists, and POST APIs get POST.",
    ),
    40013: ErrcodeInfo(
        40013, "permission", "不合法的CorpID", "invalid corpid",
        "Check corp_id against 我的企业 → 企业信息 in the admin console.",
    ),
    40014: ErrcodeInfo(
        40014, "token", "不合法的access_token",
        "invalid access token (expired, garbled or wrong token type)",
        "Drop the cached token and fetch a new one; never share tokens between secrets.",
        refresh_token=True,
    ),
    40031: ErrcodeInfo(
        40031, "invalid_argument", "不合法的UserID列表",
        "invalid userid list (misspelt or outside scope; all invalid on tag/deltagusers)",
        "Check each userid is spelt right and inside the app's visible scope.",
    ),
    40032: ErrcodeInfo(
        40032, "invalid_argument", "不合法的UserID列表长度",
        "userid list too long (batch delete max 200)",
        "Send at most 200 userids per user/batchdelete call; split longer lists.",
    ),
    40033: ErrcodeInfo(
        40033, "invalid_argument", "不合法的请求字符",
        "illegal characters: body must not contain \\uXXXX escapes",
        "Serialise JSON with ensure_ascii=False and send raw UTF-8.",
    ),
    40035: ErrcodeInfo(
        40035, "invalid_argument", "不合法的参数",
        "invalid argument (lists empty, too long, or given as strings)",
        "Send lists as JSON arrays, not both empty, at most 1000 users and 100 departments.",
    ),
    40054: ErrcodeInfo(
        40054, "invalid_argument", "不合法的子菜单url域名", "invalid sub-menu URL domain",
        "Use a URL on one of the app's trusted domains.",
    ),
    40056: ErrcodeInfo(
        40056, "invalid_argument", "不合法的agentid", "invalid agentid",
        "Check the agentid is an app of this corp (应用管理 in the admin console).",
    ),
    40057: ErrcodeInfo(
        40057, "invalid_argument", "不合法的callbackurl或者callbackurl验证失败",
        "invalid callback URL / verification failed",
        "Check the callback URL is reachable from WeCom and echoes the decrypted echostr.",
    ),
    40058: ErrcodeInfo(
        40058, "invalid_argument", "不合法的参数",
        "invalid parameter (bad JSON, value or array too long, required value empty)",
        "Check required fields, value types and lengths, and that POST APIs get a JSON body.",
    ),
    40059: ErrcodeInfo(
        40059, "invalid_argument", "不合法的上报地理位置标志位",
        "invalid location-report flag (must be 0/1)",
        "Send 0 or 1 for the location-report flag.",
    ),
    40063: ErrcodeInfo(
        40063, "invalid_argument", "参数为空",
        "required parameter missing (also wrong HTTP method / body sent as form or query)",
        "Check the required field is set and the body is JSON sent with POST.",
    ),
    40066: ErrcodeInfo(
        40066, "invalid_argument", "不合法的部门列表",
        "invalid department list (empty, or an id not in the directory)",
        "Give a non-empty department id list whose ids all exist (department/simplelist).",
    ),
    40068: ErrcodeInfo(
        40068, "not_found", "不合法的标签/标签组ID", "invalid tag id (missing or non-existent)",
        "Check the tag id exists (tag/list) and is sent as an integer.",
    ),
    40070: ErrcodeInfo(
        40070, "invalid_argument", "指定的标签范围节点全部无效",
        "all given tag members invalid (tag/addtagusers)",
        "Check the userids/department ids exist and are inside the app's visible scope.",
    ),
    40071: ErrcodeInfo(
        40071, "conflict", "不合法的标签名字", "tag name already exists",
        "Tag names are unique: reuse the existing tag (tag/list) or choose another name.",
    ),
    40072: ErrcodeInfo(
        40072, "invalid_argument", "不合法的标签名字长度",
        "tag name empty or longer than 32 characters",
        "Give a tag name of 1-32 characters.",
    ),
    40073: ErrcodeInfo(
        40073, "not_found", "不合法的openid", "invalid openid (does not exist)",
        "Check the openid came from user/convert_to_openid for this corp.",
    ),
    40082: ErrcodeInfo(
        40082, "other", "不合法的suite_token", "invalid suite_access_token (third-party only)",
        "Third-party suite tokens are not used by this client: check the API being called.",
    ),
    40091: ErrcodeInfo(
        40091, "permission", "secret不合法", "secret belongs to another corp",
        "Pair each secret with the corp id it was issued for.",
    ),
    41001: ErrcodeInfo(
        41001, "token", "缺少access_token参数",
        "access_token missing (must be in URL, not body)",
        "Fetch a token and pass it as the access_token query parameter, not in the body.",
    ),
    41002: ErrcodeInfo(
        41002, "permission", "缺少corpid参数", "corpid missing",
        "Pass corpid to gettoken (check the configured corp id is not empty).",
    ),
    41004: ErrcodeInfo(
        41004, "permission", "缺少secret参数", "secret missing",
        "Pass corpsecret to gettoken (check the configured secret is not empty).",
    ),
    41009: ErrcodeInfo(
        41009, "invalid_argument", "缺少userid参数", "userid missing",
        "Pass a non-empty userid.",
    ),
    42001: ErrcodeInfo(
        42001, "token", "access_token已过期", "access token expired",
        "Drop the cached token, fetch a new one and resend once.",
        refresh_token=True,
    ),
    42009: ErrcodeInfo(
        42009, "other", "suite_access_token已过期", "suite token expired (third-party only)",
        "Third-party suite tokens are not used by this client: check the API being called.",
    ),
    43004: ErrcodeInfo(
        43004, "other", "指定的userid未绑定微信或未关注微信插件（原企业号）",
        "member not bound to WeChat / not following the WeChat plug-in",
        "The member must log in with WeChat or follow the WeChat plug-in before an openid exists.",
    ),
    45009: ErrcodeInfo(
        45009, "rate_limit", "接口调用超过限制", "API call frequency limit exceeded",
        "Back off (blocks last as long as the exceeded window) and cache tokens, not refetch.",
    ),
    45029: ErrcodeInfo(
        45029, "invalid_argument", "回包大小超过上限", "response too large",
        "Query department by department instead of using fetch_child=1.",
    ),
    45031: ErrcodeInfo(
        45031, "permission", "企业corpsecret不够安全，请重置",
        "corp secret not secure enough, reset it",
        "Reset the secret in the admin console and configure the new one.",
    ),
    45033: ErrcodeInfo(
        45033, "rate_limit", "接口并发调用超过限制",
        "too many concurrent calls to the same API by one corp",
        "Lower the number of parallel calls to this API and retry with backoff.",
    ),
    46004: ErrcodeInfo(
        46004, "not_found", "指定的用户不存在",
        "user does not exist (also: mobile/e-mail lookup found nobody visible)",
        "Check the value and the app's scope; misses over 20% of head-count block it a day.",
    ),
    48001: ErrcodeInfo(
        48001, "permission", "API功能未授权", "API feature not authorised",
        "Enable or authorise this API for the app in the admin console.",
    ),
    48002: ErrcodeInfo(
        48002, "permission", "API接口无权限调用",
        "API not permitted for this token (e.g. contacts writes without the contacts-sync secret)",
        "For writes use the contacts-sync secret with 'API 编辑通讯录' enabled.",
    ),
    48005: ErrcodeInfo(
        48005, "other", "API接口已废弃", "API deprecated",
        "Move to the documented replacement API.",
    ),
    48006: ErrcodeInfo(
        48006, "permission", "接口权限被收回",
        "API permission revoked (app unused for a long time)",
        "Re-enable the app or re-grant its API permission in the admin console.",
    ),
    48008: ErrcodeInfo(
        48008, "permission", "API接口无权限调用，通讯录编辑授权只能调用部分通讯录接口",
        "contacts-edit authorisation allows only some contacts APIs",
        "Call this API with the contacts-sync secret instead.",
    ),
    48009: ErrcodeInfo(
        48009, "permission",
        "API接口无权限调用，为保障企业数据安全，不再允许通讯录同步助手从新增IP读取通讯录详情",
        "contacts-sync tool may no longer read directory details from newly added IPs",
        "Call from an IP trusted before 2022-08-15, or read through user/list_id, "
        "department/simplelist or the export jobs (wecom_contacts.sync does that by itself).",
    ),
    50002: ErrcodeInfo(
        50002, "permission", "成员不在权限范围", "member outside the app's / admin group's scope",
        "Add the member to the app's visible scope (or the admin group's range).",
    ),
    50003: ErrcodeInfo(
        50003, "permission", "应用已禁用", "app disabled",
        "Enable the app in the admin console.",
    ),
    50100: ErrcodeInfo(
        50100, "invalid_argument", "分页查询的游标无效", "invalid paging cursor",
        "Pass next_cursor exactly as returned, or restart paging without a cursor.",
    ),
    60011: ErrcodeInfo(
        60011, "permission", "指定的成员/部门/标签参数无权限",
        "no privilege on the given member/department/tag",
        "Check the object is in the app's scope and, for tags, was created by this app.",
    ),
    60020: ErrcodeInfo(
        60020, "permission", "不安全的访问IP", "caller IP not in the trusted-IP list",
        "Add the caller's public IP to 企业可信IP and wait about a minute.",
    ),
    60021: ErrcodeInfo(
        60021, "permission", "userid不在应用可见范围内", "userid outside app visibility",
        "Add the member to the app's visible scope, or call with a secret that sees them.",
    ),
    60031: ErrcodeInfo(
        60031, "permission", "当前应用已禁止调用API", "this app is barred from calling APIs",
        "Check the app's API status in the admin console.",
    ),
    301002: ErrcodeInfo(
        301002, "permission", "无权限操作指定的应用", "token has no rights on the given agentid",
        "Use the secret of the app whose agentid is given.",
    ),
    2000002: ErrcodeInfo(
        2000002, "permission", "CorpId参数无效", "corpid does not exist",
        "Copy the corp id from 我的企业 → 企业信息 in the admin console.",
    ),
    # --- departments ---
    60001: ErrcodeInfo(
        60001, "invalid_argument", "部门长度不符合限制", "department name empty or too long",
        "Give a department name of 1-32 characters.",
    ),
    60003: ErrcodeInfo(
        60003, "not_found", "部门ID不存在", "department id missing or not found",
        "Check the department id exists (department/simplelist).",
    ),
    60004: ErrcodeInfo(
        60004, "not_found", "父部门不存在", "parent department missing or not found",
        "Create the parent department first, or check parentid.",
    ),
    60005: ErrcodeInfo(
        60005, "conflict", "部门下存在成员", "department still has members",
        "Move or delete the department's members first.",
    ),
    60006: ErrcodeInfo(
        60006, "conflict", "部门下存在子部门", "department still has sub-departments",
        "Delete the sub-departments first (leaves before parents).",
    ),
    60007: ErrcodeInfo(
        60007, "invalid_argument", "不允许删除根部门", "root department cannot be deleted",
        "Never delete the root department (its parentid is 0).",
    ),
    60008: ErrcodeInfo(
        60008, "conflict", "部门已存在", "department id or name already exists",
        "Reuse the existing department, or pick an unused id / a name unique among siblings.",
    ),
    60009: ErrcodeInfo(
        60009, "invalid_argument", "部门名称含有非法字符",
        'name contains forbidden characters (\\ : * ? " < > |)',
        'Remove \\ : * ? " < > | from the department name.',
    ),
    60010: ErrcodeInfo(
        60010, "invalid_argument", "部门存在循环关系",
        "parent would create a cycle (parent = itself or a descendant)",
        "Choose a parent that is not the department itself or one of its descendants.",
    ),
    60123: ErrcodeInfo(
        60123, "not_found", "无效的部门id", "invalid department id (not in directory)",
        "Check the department id exists (department/simplelist).",
    ),
    60124: ErrcodeInfo(
        60124, "not_found", "无效的父部门id", "invalid parent department id",
        "Check parentid names an existing department.",
    ),
    60125: ErrcodeInfo(
        60125, "invalid_argument", "非法部门名字",
        "illegal department name (empty, >64 bytes, or forbidden chars)",
        'Give a non-empty name of at most 64 bytes without \\ : * ? " < > |.',
    ),
    60127: ErrcodeInfo(
        60127, "invalid_argument", "缺少department参数", "department parameter missing",
        "Pass department as a non-empty int array, e.g. [1].",
    ),
    81001: ErrcodeInfo(
        81001, "other", "部门下的节点数超过限制（3W）",
        "more than 30,000 nodes under one department",
        "Split the department: at most 30,000 direct members plus sub-departments.",
    ),
    81002: ErrcodeInfo(
        81002, "invalid_argument", "部门最多15层", "more than 15 levels",
        "Flatten the tree: departments nest at most 15 levels deep.",
    ),
    # --- members ---
    41019: ErrcodeInfo(
        41019, "invalid_argument", "缺少 department 参数",
        "department missing (must be an int array, not a string)",
        "Pass department as a JSON int array, e.g. [1], not a string.",
    ),
    45024: ErrcodeInfo(
        45024, "other", "账号数量超过上限", "corp member quota reached",
        "Verify or expand the corp, or delete unused accounts, before creating more.",
    ),
    60102: ErrcodeInfo(
        60102, "conflict", "UserID已存在", "userid already exists",
        "Userids compare case-insensitively: update the existing member or pick another id.",
    ),
    60103: ErrcodeInfo(
        60103, "invalid_argument", "手机号码不合法", "invalid mobile",
        "Give a mobile of at most 32 characters of digits, '+' and '-'.",
    ),
    60104: ErrcodeInfo(
        60104, "conflict", "手机号码已存在", "mobile already used by another member",
        "Find the member holding it with user/getuserid, or use another number.",
    ),
    60105: ErrcodeInfo(
        60105, "invalid_argument", "邮箱不合法", "invalid e-mail",
        "Give a syntactically valid e-mail of at most 64 characters.",
    ),
    60106: ErrcodeInfo(
        60106, "conflict", "邮箱已存在", "e-mail already used",
        "Find the member holding it with user/get_userid_by_email (email_type=2).",
    ),
    60107: ErrcodeInfo(
        60107, "invalid_argument", "微信号不合法", "invalid WeChat id (legacy field weixinid)",
        "Drop the legacy weixinid field.",
    ),
    60110: ErrcodeInfo(
        60110, "invalid_argument", "用户所属部门数量超过限制",
        "too many departments for one member",
        "Give a member fewer departments (current docs allow 100; the error text says 20).",
    ),
    60111: ErrcodeInfo(
        60111, "not_found", "UserID不存在", "userid not found",
        "Check the member has not left or been deleted and is inside the app's scope.",
    ),
    60112: ErrcodeInfo(
        60112, "invalid_argument", "成员name参数不合法", "invalid name (empty or > 64 characters)",
        "Give a member name of 1-64 characters.",
    ),
    60129: ErrcodeInfo(
        60129, "invalid_argument", "成员手机和邮箱都为空", "both mobile and e-mail empty",
        "Give at least a mobile or an e-mail when creating a member.",
    ),
    60132: ErrcodeInfo(
        60132, "invalid_argument", "is_leader_in_dept和department的元素个数不一致",
        "is_leader_in_dept and department lengths differ",
        "Send one is_leader_in_dept entry per department entry, in the same order.",
    ),
    60136: ErrcodeInfo(
        60136, "not_found", "记录不存在", "record not found",
        "Re-read the object: it was probably deleted or never existed.",
    ),
    60141: ErrcodeInfo(
        60141, "invalid_argument", "个人邮箱非法，且没有手机号",
        "personal e-mail invalid and no mobile given",
        "Fix the personal e-mail or also give a mobile number.",
    ),
    60142: ErrcodeInfo(
        60142, "conflict", "个人邮箱更新失败", "personal e-mail exists, cannot update",
        "Leave email out of the update: the existing personal e-mail cannot be replaced.",
    ),
    60143: ErrcodeInfo(
        60143, "invalid_argument", "企业邮箱非法", "corporate e-mail invalid or already exists",
        "Check biz_mail syntax, that it is in the corp mail domain, and that nobody uses it.",
    ),
    60144: ErrcodeInfo(
        60144, "conflict", "企业邮箱更新失败", "corporate e-mail can no longer be changed",
        "Leave biz_mail out of the update: it can no longer be changed for this member.",
    ),
    60145: ErrcodeInfo(
        60145, "conflict", "企业邮箱已存在", "corporate e-mail already used",
        "Find the holder with user/get_userid_by_email (email_type=1) or use another address.",
    ),
    60146: ErrcodeInfo(
        60146, "not_found", "未找到手机号", "mobile not found",
        "Check the mobile number and that its member is inside the app's scope.",
    ),
    60147: ErrcodeInfo(
        60147, "not_found", "未找到邮箱", "e-mail not found",
        "Check the address and email_type (1 = corporate biz_mail, 2 = personal e-mail).",
    ),
    60148: ErrcodeInfo(
        60148, "not_found", "未找到企业邮箱", "corporate e-mail not found",
        "Check the biz_mail address; for a personal address use email_type=2.",
    ),
    81015: ErrcodeInfo(
        81015, "invalid_argument", "邮箱域名需要跟企业邮箱域名一致",
        "e-mail domain must match the corp mail domain",
        "Use an address in the corp's mail domain for biz_mail.",
    ),
    90100: ErrcodeInfo(
        90100, "invalid_argument", "非法的对外属性类型", "invalid external attribute type",
        "external_attr type must be 0 (text), 1 (web) or 2 (mini-program).",
    ),
    90101: ErrcodeInfo(
        90101, "invalid_argument", "对外属性：文本类型长度不合法",
        "external text attribute too long (≤12 UTF-8 chars)",
        "Shorten the external text attribute value to at most 12 characters.",
    ),
    90102: ErrcodeInfo(
        90102, "invalid_argument", "对外属性：网页类型标题长度不合法",
        "external web title too long (≤12)",
        "Shorten the external web attribute title to at most 12 characters.",
    ),
    90103: ErrcodeInfo(
        90103, "invalid_argument", "对外属性：网页url不合法", "invalid external web URL",
        "Give a full http(s) URL for the external web attribute.",
    ),
    90104: ErrcodeInfo(
        90104, "invalid_argument", "对外属性：小程序类型标题长度不合法",
        "mini-program title too long (≤12)",
        "Shorten the mini-program attribute title to at most 12 characters.",
    ),
    90105: ErrcodeInfo(
        90105, "invalid_argument", "对外属性：小程序类型pagepath不合法",
        "invalid mini-program pagepath",
        "Check the mini-program pagepath is a page of that mini-program.",
    ),
    90106: ErrcodeInfo(
        90106, "invalid_argument", "对外属性：请求参数不合法",
        "invalid external-profile parameters",
        "Check external_profile against the documented structure (see users.md §3).",
    ),
    301005: ErrcodeInfo(
        301005, "invalid_argument", "不允许删除创建者", "the corp creator cannot be deleted",
        "Remove the corp creator from the userids to delete.",
    ),
    301012: ErrcodeInfo(
        301012, "invalid_argument", "参数 position 不合法", "position > 128 characters",
        "Shorten position to at most 128 characters.",
    ),
    301013: ErrcodeInfo(
        301013, "invalid_argument", "参数 telephone 不合法", "telephone not 1-32 digits/'-'",
        "Give telephone as 1-32 characters of digits and '-'.",
    ),
    301014: ErrcodeInfo(
        301014, "invalid_argument", "参数 english_name 不合法",
        "english_name empty, >64 bytes, or bad chars",
        "Give english_name of 1-64 bytes without special characters (legacy; prefer alias).",
    ),
    301015: ErrcodeInfo(
        301015, "invalid_argument", "参数 mediaid 不合法",
        "avatar_mediaid invalid (must come from media/upload type image)",
        "Upload the avatar with media/upload?type=image and pass the fresh media_id.",
    ),
    301021: ErrcodeInfo(
        301021, "not_found", "参数 userid 无效", "at least one userid not in directory",
        "Check every userid in the list exists; drop those that have left.",
    ),
    301036: ErrcodeInfo(
        301036, "invalid_argument", "不允许更新该用户的userid", "userid cannot be changed",
        "Leave out new_userid: only system-generated userids can be changed, and only once.",
    ),
    # --- tags ---
    41017: ErrcodeInfo(
        41017, "invalid_argument", "缺少tagid参数", "tagid missing",
        "Pass tagid as an integer.",
    ),
    41018: ErrcodeInfo(
        41018, "invalid_argument", "缺少标签名", "tag name missing",
        "Pass a non-empty tagname.",
    ),
    81003: ErrcodeInfo(
        81003, "other", "标签下节点个数超过30000个", "more than 30,000 nodes in a tag",
        "Keep a tag under 30,000 users plus departments: tag whole departments or split it.",
    ),
    81011: ErrcodeInfo(
        81011, "permission", "无权限操作标签", "no permission on the tag",
        "Only the app that created the tag may change it: use that app's secret.",
    ),
    81012: ErrcodeInfo(
        81012, "invalid_argument", "缺失可见范围", "no userid / department / tag given",
        "Give at least one userid, department id or tag id.",
    ),
    81014: ErrcodeInfo(
        81014, "invalid_argument", "标签添加成员，单次添加user或party过多",
        "too many users/departments in one add call",
        "Send at most 1000 userids and 100 department ids per call; split the list.",
    ),
    81017: ErrcodeInfo(
        81017, "invalid_argument", "请求个数超过限制", "too many items in request",
        "Split the request into smaller batches.",
    ),
    # --- invite / batch / media ---
    82001: ErrcodeInfo(
        82001, "invalid_argument", "指定的成员/部门/标签全部为空", "user, party and tag all empty",
        "Give at least one valid userid, department id or tag id.",
    ),
    82002: ErrcodeInfo(
        82002, "invalid_argument", "不合法的PartyID列表长度", "too many department ids (>100)",
        "Send at most 100 department ids per call.",
    ),
    82003: ErrcodeInfo(
        82003, "invalid_argument", "不合法的TagID列表长度", "too many tag ids (>100)",
        "Send at most 100 tag ids per call.",
    ),
    40004: ErrcodeInfo(
        40004, "invalid_argument", "不合法的媒体文件类型", "invalid media file type",
        "Match the file format to type (image JPG/PNG, voice AMR, video MP4).",
    ),
    40005: ErrcodeInfo(
        40005, "invalid_argument", "不合法的type参数", "invalid type",
        "Use type=image, voice, video or file (file for import CSVs).",
    ),
    40006: ErrcodeInfo(
        40006, "invalid_argument", "不合法的文件大小", "invalid file size",
        "Upload more than 5 bytes and stay within the size limit of the media type.",
    ),
    40007: ErrcodeInfo(
        40007, "not_found", "不合法的media_id参数", "invalid or expired media_id (3-day lifetime)",
        "Upload the file again (media_id lives 3 days) and use the new id.",
    ),
    41006: ErrcodeInfo(
        41006, "invalid_argument", "缺少media_id参数", "media_id missing",
        "Pass the media_id returned by media/upload.",
    ),
    44001: ErrcodeInfo(
        44001, "invalid_argument", "多媒体文件为空", "empty media file",
        "Send the file in a multipart part named 'media' with non-empty content.",
    ),
    45001: ErrcodeInfo(
        45001, "invalid_argument", "多媒体文件大小超过限制", "media file too large (file 20 MB)",
        "Keep files under 20 MB (image and video 10 MB, voice 2 MB).",
    ),
    40088: ErrcodeInfo(
        40088, "not_found", "jobid不存在", "jobid does not exist",
        "Check the jobid was returned by this corp's import call, unaltered.",
    ),
    40089: ErrcodeInfo(
        40089, "not_found", "批量任务的结果已清理",
        "job result purged (only the latest 5 jobs are kept)",
        "Read job results soon after completion: only the latest 5 are kept.",
    ),
    40092: ErrcodeInfo(
        40092, "invalid_argument", "导入文件存在不合法的内容",
        "import file invalid (empty, or required fields missing)",
        "Check the CSV is UTF-8 in the template format with userid, name, department, contact.",
    ),
    45026: ErrcodeInfo(
        45026, "other", "触发删除用户数的保护", "member-deletion safety brake triggered",
        "Check the replaceuser file lists every member; delete large numbers in steps instead.",
    ),
    302003: ErrcodeInfo(
        302003, "invalid_argument", "批量导入任务的文件中userid有重复",
        "duplicate userid in the file",
        "Remove duplicate userids (compared case-insensitively) from the import file.",
    ),
    302004: ErrcodeInfo(
        302004, "invalid_argument", "组织架构不合法",
        "invalid structure (not a tree, duplicate or empty id, empty name, sibling name clash)",
        "Check the department file forms one tree with unique ids and named departments.",
    ),
    302005: ErrcodeInfo(
        302005, "busy", "批量导入系统失败，请重新尝试导入", "import system failure, retry",
        "Submit the import job again a little later.",
    ),
    302006: ErrcodeInfo(
        302006, "invalid_argument", "批量导入任务的文件中partyid有重复",
        "duplicate department id in the file",
        "Remove duplicate department ids from the import file.",
    ),
    302007: ErrcodeInfo(
        302007, "invalid_argument", "批量导入任务的文件中，同一个部门下有两个子部门名字一样",
        "two sibling departments with the same name",
        "Rename one of the sibling departments that share a name.",
    ),
    302008: ErrcodeInfo(
        302008, "conflict", "已经有一个导入任务在进行中，需要等待上一个任务完成后再能调用",
        "another import job is running",
        "Wait for the running import job to finish (batch/getresult) before submitting again.",
    ),
    # --- not contacts, listed for completeness ---
    86001: ErrcodeInfo(
        86001, "invalid_argument", "参数 chatid 不合法", "invalid chatid",
        "Check the chatid was returned by the app group-chat API.",
    ),
    45002: ErrcodeInfo(
        45002, "invalid_argument", "消息内容大小超过限制", "message content too large",
        "Shorten the message content.",
    ),
    60012: ErrcodeInfo(
        60012, "invalid_argument", "不允许删除默认应用", "default app (id 0) cannot be deleted",
        "Do not delete the default app (agentid 0).",
    ),
}

# English errmsg phrases the real server is seen to send (README.md "Observed real-world details",
# errors.md, official samples). Real failures append ", hint: [...], from ip: ..., more info at
# ...". Codes not listed here fall back to ErrcodeInfo.en.
REAL_ERRMSG: Final[dict[int, str]] = {
    0: "ok",
    40001: "invalid credential",
    40031: "all list invalid",
    40035: "invalid args size",
    40058: "invalid Request Parameter",
    # The trailing space is in the official tag/addtagusers sample.
    40070: "all list invalid ",
    40071: "UserTag Name Already Exist",
    41001: "access_token missing",
    42001: "access_token expired",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    60020: "not allow to access from your ip",
    60102: "userid existed",
    60111: "userid not found",
}


def lookup(code: int) -> ErrcodeInfo:
    """Return the table row for ``code``; unknown codes get kind "other" and a doc link."""
    info = ERRCODES.get(code)
    if info is not None:
        return info
    return ErrcodeInfo(
        code, "other", "", "unknown errcode",
        f"see https://open.work.weixin.qq.com/devtool/query?e={code}",
    )
