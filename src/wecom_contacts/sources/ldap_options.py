"""The ``type: ldap`` input block, checked: server, TLS, bind, and one search per entity.

    input:
      type: ldap
      url: ldaps://dc1.corp.example
      ca_file: corp-ca.pem          # relative to the mapping file
      bind_dn: CN=svc-wecom,OU=Service,DC=corp,DC=example
      password_env: WECOM_LDAP_PASSWORD
      members: {base: "OU=Staff,DC=corp,DC=example", filter: "(objectClass=user)",
                attributes: [sAMAccountName, displayName, mail, manager]}
      groups: {base: "OU=Groups,DC=corp,DC=example"}
      departments: {base: "OU=Staff,DC=corp,DC=example"}   # OUs as department records

Every mistake is a SourceError at the option's line in the mapping file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .base import InputSpec, SourceError

__all__ = ["GroupSearch", "LdapOptions", "Search", "parse_options"]

TlsMode = Literal["ldaps", "starttls", "none"]
_TOP = frozenset({"type", "url", "tls", "ca_file", "bind_dn", "password_env", "password",
                  "page_size", "timeout", "size_limit", "members", "groups", "departments"})
_SEARCH = frozenset({"base", "filter", "scope", "attributes"})
_GROUPS = _SEARCH | {"name", "membership"}


@dataclass(frozen=True)
class Search:
    base: str
    filter: str
    scope: Literal["subtree", "one"]
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class GroupSearch(Search):
    name: str  # the attribute naming the tag
    membership: Literal["memberOf", "member"]


@dataclass(frozen=True)
class LdapOptions:
    url: str
    tls: TlsMode
    ca_file: Path | None
    bind_dn: str | None
    password: str | None
    page_size: int
    timeout: float
    size_limit: int
    members: Search
    groups: GroupSearch | None
    departments: Search | None = None  # OU entries as department records


def _text(spec: InputSpec, opts: Mapping[str, Any], key: str, where_key: str,
          default: str | None = None) -> str | None:
    value = opts.get(key, default)
    if value is not None and not isinstance(value, str):
        raise SourceError(f"{key} must be text", where=spec.where_of(where_key), field=key)
    return value


def _number(spec: InputSpec, key: str, default: int, *, low: int, high: int) -> int:
    raw = spec.options.get(key)
    if raw is None:
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SourceError(f"{key} must be a whole number from {low} to {high}, not {raw!r}",
                          where=spec.where_of(key), field=key)
    return value


def _search(spec: InputSpec, key: str, allowed: frozenset[str],
            default_filter: str) -> tuple[Search, Mapping[str, Any]]:
    block = spec.options.get(key)
    if not isinstance(block, Mapping):
        raise SourceError(f"{key}: give a mapping with base (and filter, attributes)",
                          where=spec.where_of(key), field=key)
    unknown = sorted(set(block) - allowed)
    if unknown:
        raise SourceError(f"{key}: unknown option {unknown[0]!r} (known: "
                          f"{', '.join(sorted(allowed))})", where=spec.where_of(key),
                          field=unknown[0])
    base = _text(spec, block, "base", key)
    if not base:
        raise SourceError(f"{key}: base (the DN to search under) is required",
                          where=spec.where_of(key), field="base")
    flt = _text(spec, block, "filter", key, default_filter) or default_filter
    if not (flt.startswith("(") and flt.endswith(")")):
        raise SourceError(f"{key}: the filter must be in parentheses, like {default_filter}",
                          where=spec.where_of(key), field="filter")
    scope = _text(spec, block, "scope", key, "subtree")
    if scope not in ("subtree", "one"):
        raise SourceError(f"{key}: scope is subtree or one, not {scope!r}",
                          where=spec.where_of(key), field="scope")
    attrs = block.get("attributes", [] if key != "members" else None)
    if not isinstance(attrs, list) or not all(isinstance(a, str) and a for a in attrs) \
            or (key == "members" and not attrs):
        raise SourceError(f"{key}: attributes is the list of the attributes the mapping "
                          "reads (so that each name is checked against the server's schema)",
                          where=spec.where_of(key), field="attributes")
    return Search(base, flt, scope, tuple(attrs)), block  # type: ignore[arg-type]


def parse_options(spec: InputSpec) -> LdapOptions:
    opts = spec.options
    unknown = sorted(set(opts) - _TOP)
    if unknown:
        raise SourceError(f"unknown ldap option {unknown[0]!r} (known: "
                          f"{', '.join(sorted(_TOP - {'type', 'password'}))})",
                          where=spec.where_of(unknown[0]), field=unknown[0])
    if "password" in opts:
        raise SourceError("the password does not go in the mapping file: put it in an "
                          "environment variable and name it in password_env",
                          where=spec.where_of("password"), field="password")
    url = _text(spec, opts, "url", "url") or ""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("ldap", "ldaps"):
        raise SourceError(f"url must start with ldap:// or ldaps://, not {url!r}",
                          where=spec.where_of("url" if url else None), field="url")
    tls = _text(spec, opts, "tls", "tls", "ldaps" if scheme == "ldaps" else "starttls")
    if tls not in ("ldaps", "starttls", "none") or (tls == "ldaps") != (scheme == "ldaps"):
        raise SourceError(f"tls is ldaps (with an ldaps:// url), starttls or none (with "
                          f"ldap://), not {tls!r}", where=spec.where_of("tls"), field="tls")
    ca = _text(spec, opts, "ca_file", "ca_file")
    ca_file = (spec.base_dir / ca) if ca else None
    if ca_file is not None and not ca_file.is_file():
        raise SourceError(f"the CA file {str(ca_file)!r} does not exist",
                          where=spec.where_of("ca_file"), field="ca_file")
    bind_dn = _text(spec, opts, "bind_dn", "bind_dn")
    env = _text(spec, opts, "password_env", "password_env")
    password = None
    if env:
        password = os.environ.get(env)
        if not password:
            raise SourceError(f"the environment variable {env} (password_env) is not set",
                              where=spec.where_of("password_env"), field="password_env")
    if bind_dn and password is None:
        raise SourceError("bind_dn needs password_env (the variable holding its password)",
                          where=spec.where_of("bind_dn"), field="password_env")
    if password is not None and tls == "none":
        raise SourceError("a password is never sent in clear: use ldaps:// or tls: starttls",
                          where=spec.where_of("tls"), field="tls")
    members, _ = _search(spec, "members", _SEARCH, "(objectClass=user)")
    groups = None
    if opts.get("groups") is not None:
        base, block = _search(spec, "groups", _GROUPS, "(objectClass=group)")
        name = _text(spec, block, "name", "groups", "cn") or "cn"
        membership = _text(spec, block, "membership", "groups", "memberOf")
        if membership not in ("memberOf", "member"):
            raise SourceError(f"groups: membership is memberOf or member, not {membership!r}",
                              where=spec.where_of("groups"), field="membership")
        groups = GroupSearch(base.base, base.filter, base.scope, base.attributes, name,
                             membership)  # type: ignore[arg-type]
    departments = None
    if opts.get("departments") is not None:
        departments, _ = _search(spec, "departments", _SEARCH,
                                 "(objectClass=organizationalUnit)")
    return LdapOptions(
        url=url, tls=tls, ca_file=ca_file, bind_dn=bind_dn, password=password,  # type: ignore[arg-type]
        page_size=_number(spec, "page_size", 500, low=1, high=100_000),
        timeout=float(_number(spec, "timeout", 30, low=1, high=3600)),
        size_limit=_number(spec, "size_limit", 0, low=0, high=10_000_000),
        members=members, groups=groups, departments=departments)
