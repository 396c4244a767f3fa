"""extattr and external_profile shapes (users.md §3); errors 90100-90106."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError


def _obj(value: Any, where: str, code: int = 40058) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(code, f"{where} must be an object")
    return value


def _text(value: Any, where: str, code: int = 40058) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(code, f"{where} must be a string")
    return value


def _attr_type(attr: dict[str, Any]) -> int:
    kind = attr.get("type")
    if kind is None:
        # older samples leave type out; the payload key says what it is
        for guess, key in ((0, "text"), (1, "web"), (2, "miniprogram")):
            if key in attr:
                return guess
    if type(kind) is not int or kind not in (0, 1, 2):
        raise ApiError(90100, f"attribute type {kind!r} is not 0, 1 or 2")
    return kind


def check_attr(raw: Any, where: str, *, text_max: int, code: int = 40058) -> dict[str, Any] | None:
    """One attribute, normalised; None when a web/mini-program attribute is being cleared."""
    attr = _obj(raw, where, code)
    name = _text(attr.get("name"), where + ".name", code)
    if not name:
        raise ApiError(code, f"{where}.name is required")
    kind = _attr_type(attr)
    if kind == 0:
        text = _obj(attr.get("text", {}), where + ".text", code)
        value = _text(text.get("value"), where + ".text.value", code)
        if len(value) > text_max:
            raise ApiError(90101, f"{where}.text.value longer than {text_max} characters")
        return {"type": 0, "name": name, "text": {"value": value}}
    if kind == 1:
        web = _obj(attr.get("web", {}), where + ".web", code)
        url = _text(web.get("url"), where + ".web.url", code)
        title = _text(web.get("title"), where + ".web.title", code)
        if not url and not title:
            return None
        if not url.startswith(("http://", "https://")):
            raise ApiError(90103, f"{where}.web.url must start with http:// or https://")
        if not title or len(title) > 12:
            raise ApiError(90102, f"{where}.web.title must be 1-12 characters")
        return {"type": 1, "name": name, "web": {"url": url, "title": title}}
    mini = _obj(attr.get("miniprogram", {}), where + ".miniprogram", code)
    appid = _text(mini.get("appid"), where + ".miniprogram.appid", code)
    title = _text(mini.get("title"), where + ".miniprogram.title", code)
    pagepath = _text(mini.get("pagepath"), where + ".miniprogram.pagepath", 90105)
    if not appid and not title:
        return None
    if not title or len(title) > 12:
        raise ApiError(90104, f"{where}.miniprogram.title must be 1-12 characters")
    return {
        "type": 2,
        "name": name,
        "miniprogram": {"appid": appid, "pagepath": pagepath, "title": title},
    }


def merge_extattr(
    current: dict[str, Any] | None, raw: dict[str, Any], *, names: tuple[str, ...] | None
) -> dict[str, Any]:
    """Given attributes replace same-named ones; unknown names (when the console defines a
    list) are ignored silently, as WeCom does; a cleared web attribute is removed."""
    attrs = raw.get("attrs", [])
    if not isinstance(attrs, list):
        raise ApiError(40058, "extattr.attrs must be an array")
    merged = {a["name"]: a for a in (current or {}).get("attrs", [])}
    for i, item in enumerate(attrs):
        where = f"extattr.attrs[{i}]"
        name = item.get("name") if isinstance(item, dict) else None
        if names is not None and name not in names:
            continue
        attr = check_attr(item, where, text_max=64)
        if attr is None:
            merged.pop(str(name), None)
        else:
            merged[attr["name"]] = attr
    return {"attrs": list(merged.values())}


def check_external_profile(raw: dict[str, Any], *, text_max: int) -> dict[str, Any]:
    """The whole external profile, replaced on update."""
    out: dict[str, Any] = {}
    if "external_corp_name" in raw:
        out["external_corp_name"] = _text(raw["external_corp_name"], "external_corp_name", 90106)
    if raw.get("wechat_channels") is not None:
        channels = _obj(raw["wechat_channels"], "wechat_channels", 90106)
        nickname = _text(channels.get("nickname"), "wechat_channels.nickname", 90106)
        out["wechat_channels"] = {"nickname": nickname, "status": 1 if nickname else 0}
    attrs = raw.get("external_attr", [])
    if not isinstance(attrs, list):
        raise ApiError(90106, "external_attr must be an array")
    checked = [
        check_attr(a, f"external_attr[{i}]", text_max=text_max, code=90106)
        for i, a in enumerate(attrs)
    ]
    out["external_attr"] = [a for a in checked if a is not None]
    return out
