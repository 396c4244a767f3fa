"""Emulator settings: defaults follow the WeCom docs; each unconfirmed behaviour is a switch."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union


@dataclass(frozen=True)
class RateWindow:
    """At most `limit` events within any `seconds`-long window; exceeding blocks for `seconds`."""

    seconds: float
    limit: int


@dataclass(frozen=True)
class AppSecret:
    """A self-built app's secret: reads limited to its visible scope, no contact writes."""

    secret: str
    name: str
    visible_departments: tuple[int, ...] = ()
    visible_users: tuple[str, ...] = ()
    # None: follow EmulatorConfig.hide_sensitive_fields_for_apps
    hide_sensitive: bool | None = None


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator can be told; see docs/emulator.md for the reasoning per switch."""

    corp_id: str = "ww0000000000emulator"
    secret: str = "emulator-sync-secret"
    sync_secret_name: str = "contacts-sync"
    db_path: str | None = None
    apps: tuple[AppSecret, ...] = ()

    # tokens
    token_lifetime: int = 7200
    token_expires_in: Literal["remaining", "full"] = "remaining"

    # request parsing
    reject_unicode_escapes: bool = True
    type_mismatch: Literal["ignore", "reject"] = "ignore"
    errmsg_details: bool = True

    # departments
    root_department_name: str = "总部"
    dept_name_max_len: int = 64
    dept_name_case_sensitive: bool = True
    dept_name_en_unique: bool = True
    dept_default_order: int = 0
    max_department_depth: int = 15
    max_nodes_per_department: int = 30000
    max_departments: int = 30000

    # users
    member_quota: int = 100000
    max_user_departments: int = 100
    userid_case_insensitive_lookup: bool = True
    user_department_missing_errcode: int = 41019
    biz_mail_counts_as_contact: bool = False
    batchdelete_invalid_errcode: int = 60111
    validate_main_department: bool = True
    honour_fetch_child: bool = True
    max_list_users: int | None = None
    list_id_default_limit: int = 10000
    openid_requires_activation: bool = True
    new_userid_policy: Literal["system_only", "once"] = "system_only"
    biz_mail_domain: str | None = None
    creator_userid: str | None = None
    extattr_names: tuple[str, ...] | None = None
    external_text_max_len: int = 32
    active_stat_max_days: int = 30
    invite_all_invalid_errcode: int = 82001
    join_qrcode_default_size: int = 1

    # tags
    max_tags: int = 3000
    max_tag_nodes: int = 30000
    tag_name_case_sensitive: bool = True
    tag_id_in_use_errcode: int = 40068
    tag_count_errcode: int = 81017

    # media, import and export jobs (batch.md §4-§5, export.md, limits.md §3)
    media_lifetime: int = 259200
    # False: jobs wait (status 1 / 0) until POST /_emulator/jobs/advance
    job_auto_advance: bool = True
    # None: a job runs in the background as fast as it can; N: about N rows a second
    job_rows_per_second: float | None = None
    job_results_kept: int = 5
    # a department id in a member file that does not exist: created under "其他（待设置部门）"
    # (documented since 2024-05) or refused with 40066 on that row
    import_missing_department: Literal["create", "reject"] = "create"
    export_min_block_size: int = 10000
    export_max_block_size: int = 1000000
    export_file_lifetime: int = 7200

    # outgoing callbacks (callbacks.md §5, §9); defaults for POST /_emulator/callback
    # seconds between attempts at one event; WeCom does not document its pace (unconfirmed)
    callback_retry_interval: float = 1.0
    # the post-2022-08-15 rule for newly configured URLs: members UserID and Department only
    callback_minimal_fields: bool = False
    # WeCom does not call a secret back for its own API writes; True delivers them too
    callback_echo_own_changes: bool = False

    # permissions and restrictions
    sync_secret_read_only: bool = False
    app_write_errcode: int = 60011
    sync_only_api_errcode: int = 48002
    hide_sensitive_fields_for_apps: bool = True
    block_new_ip_detail_reads: bool = False
    block_new_ip_simplelist: bool = False

    # frequency limits (limits.md §1-§3)
    rate_limits: tuple[RateWindow, ...] = (RateWindow(60, 10000), RateWindow(3600, 150000))
    concurrency_limit: int | None = None
    debug_rate_limit: RateWindow = RateWindow(60, 5)
    gettoken_failure_limit: RateWindow = RateWindow(3600, 2000)
    # 20% of member_quota failed lookups per day blocks getuserid / get_userid_by_email
    lookup_failure_limit: RateWindow = RateWindow(86400, 20000)

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON (secrets of apps left out)."""
        data = dataclasses.asdict(self)
        data.pop("secret")
        data["apps"] = [a.name for a in self.apps]
        return data


# Fields that define identity or storage: fixed for the life of a server.
FIXED_FIELDS = frozenset({"corp_id", "secret", "sync_secret_name", "db_path", "apps"})


def config_with_changes(base: EmulatorConfig, changes: dict[str, Any]) -> EmulatorConfig:
    """Apply JSON changes (POST /_emulator/config) with type checks; raises ValueError."""
    hints = typing.get_type_hints(EmulatorConfig)
    known = {f.name for f in dataclasses.fields(EmulatorConfig)}
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in known:
            raise ValueError(f"unknown setting {name!r}")
        if name in FIXED_FIELDS:
            raise ValueError(f"setting {name!r} cannot change while the server runs")
        values[name] = _coerce(hints[name], raw, name)
    return dataclasses.replace(base, **values)


def _coerce(tp: Any, raw: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], raw, where)
    if origin is Literal:
        if raw not in args:
            raise ValueError(f"{where}: expected one of {list(args)}")
        return raw
    if origin is tuple:
        if not isinstance(raw, list):
            raise ValueError(f"{where}: expected a list")
        return tuple(_coerce(args[0], item, f"{where}[{i}]") for i, item in enumerate(raw))
    if tp is RateWindow:
        if not isinstance(raw, dict) or set(raw) != {"seconds", "limit"}:
            raise ValueError(f'{where}: expected {{"seconds": number, "limit": int}}')
        return RateWindow(
            _coerce(float, raw["seconds"], where + ".seconds"),
            _coerce(int, raw["limit"], where + ".limit"),
        )
    if tp is bool:
        if not isinstance(raw, bool):
            raise ValueError(f"{where}: expected true or false")
        return raw
    if tp is int:
        if type(raw) is not int:
            raise ValueError(f"{where}: expected an integer")
        return raw
    if tp is float:
        if type(raw) not in (int, float):
            raise ValueError(f"{where}: expected a number")
        return float(raw)
    if tp is str:
        if not isinstance(raw, str):
            raise ValueError(f"{where}: expected a string")
        return raw
    raise ValueError(f"{where}: cannot be set over JSON")  # pragma: no cover
