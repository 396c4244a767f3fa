"""The desired-state schema: plain data → DesiredDirectory, or a SchemaError naming the place."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..._fieldrules import (
    DEPARTMENT_MAX_DEPTH,
    USERID_BYTES,
    department_name_problem,
    member_column_accepted,
    member_field_problem,
    tag_name_problem,
    text_problem,
)
from .derive import DERIVED, departments_from_members
from .model import (
    UNIQUE_FIELDS,
    DeptRef,
    DesiredDepartment,
    DesiredDirectory,
    DesiredTag,
    DesiredUser,
    Membership,
    join_path,
    split_path,
    unique_key,
)

__all__ = [
    "MEMBER_FIELDS",
    "KeyPath",
    "SchemaError",
    "check_department_count",
    "check_member_column",
    "check_member_field",
    "department_ref",
    "parse_document",
]

KeyPath = tuple[str | int, ...]

_USERID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_@.\-]*$")
_DEPT_FORBIDDEN = set('\\:*?"<>|')
_TEXT_FIELDS = ("alias", "mobile", "email", "biz_mail", "position", "telephone", "address",
                "external_position")
_USER_KEYS = frozenset(
    {"userid", "name", "previous_userid", "departments", "main_department", "direct_leader",
     "gender", "enable", "extattr", "external_profile", "avatar_mediaid", *_TEXT_FIELDS}
)
_GENDER = {"1": "1", "2": "2", "male": "1", "female": "2", "m": "1", "f": "2", "男": "1",
           "女": "2"}


class SchemaError(Exception):
    """One problem at ``path`` (e.g. ``("users", 3, "mobile")``)."""

    def __init__(self, path: KeyPath, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(message)

    @property
    def field(self) -> str | None:
        names = [p for p in self.path if isinstance(p, str)]
        return names[-1] if len(names) > 1 else None


def _mapping(value: Any, path: KeyPath, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SchemaError(path, f"{what} must be a mapping, not {_kind(value)}")
    return value


def _list(value: Any, path: KeyPath, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SchemaError(path, f"{what} must be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _unknown_keys(item: dict[str, Any], allowed: frozenset[str], path: KeyPath) -> None:
    for key in item:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            raise SchemaError((*path, str(key)), f"unknown field {key!r} (expected one of: {hint})")


def _text(value: Any, path: KeyPath, *, max_len: int | None = None) -> str:
    # YAML reads an unquoted 13800000000 as a number; a number is accepted for any text field
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SchemaError(path, f"{path[-1]} must be text, not {_kind(value)}")
    text = str(value).strip()
    if max_len is not None and len(text) > max_len:
        raise SchemaError(path, f"{path[-1]} is {len(text)} characters long (at most {max_len})")
    return text


def _int(value: Any, path: KeyPath, *, minimum: int = 0) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(path, f"{path[-1]} must be a whole number, not {_kind(value)}")
    if value < minimum or value >= 2**32:
        raise SchemaError(path, f"{path[-1]} must be between {minimum} and 2^32-1, not {value}")
    return value


def _bool(value: Any, path: KeyPath) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    raise SchemaError(path, f"{path[-1]} must be true or false, not {value!r}")


def _userid(value: Any, path: KeyPath) -> str:
    text = _text(value, path)
    if not text or len(text.encode()) > USERID_BYTES or not _USERID.match(text):
        raise SchemaError(
            path, f"{text!r} is not a valid userid (1-64 ASCII letters, digits, _ - @ . "
            "starting with a letter or digit)",
        )
    return text


def _wecom_accepts(field: str, text: str, path: KeyPath) -> str:
    """``text`` if WeCom would take it for ``field`` (the rules every format shares)."""
    problem = member_field_problem(field, text)
    if problem is not None:
        raise SchemaError(path, f"{field} {problem}")
    return text


def _no_control_characters(value: dict[str, Any], path: KeyPath) -> dict[str, Any]:
    todo: list[tuple[Any, KeyPath]] = [(value, path)]
    while todo:
        current, where = todo.pop()
        if isinstance(current, dict):
            todo.extend((v, (*where, str(k))) for k, v in current.items())
        elif isinstance(current, list):
            todo.extend((v, (*where, i)) for i, v in enumerate(current))
        elif isinstance(current, str) and (problem := text_problem(current)) is not None:
            raise SchemaError(where, f"{where[-1]} {problem}")
    return value


def _dept_path(value: Any, path: KeyPath, root: str | None) -> tuple[str, ...]:
    parts = split_path(_text(value, path))
    for part in parts:
        if not part:
            raise SchemaError(path, f"department path {value!r} has an empty name")
        if _DEPT_FORBIDDEN & set(part):
            raise SchemaError(path, f"department name {part!r} contains one of \\ : * ? \" < > |")
        if len(part) > 64:
            raise SchemaError(path, f"department name {part!r} is longer than 64 characters")
        problem = department_name_problem(part)
        if problem is not None:
            raise SchemaError(path, f"department name {part!r} {problem}")
    if root is not None and parts[0] != root:
        raise SchemaError(
            path, f"department path {value!r} must start with the root department {root!r}"
        )
    if len(parts) > DEPARTMENT_MAX_DEPTH:  # refused here, not half-way through an apply
        raise SchemaError(path, f"department path {value!r} is {len(parts)} levels deep; WeCom "
                          f"allows {DEPARTMENT_MAX_DEPTH} (the root is level 1)")
    return parts


def _dept_ref(value: Any, path: KeyPath, root: str | None) -> DeptRef:
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(value, path, minimum=1)
    return join_path(_dept_path(value, path, root))


def _departments(items: list[Any], origin: Callable[[KeyPath], str]) -> list[DesiredDepartment]:
    allowed = frozenset({"path", "id", "name_en", "order", "previous_path"})
    result: list[DesiredDepartment] = []
    by_path: dict[tuple[str, ...], DesiredDepartment] = {}
    position: dict[tuple[str, ...], int] = {}  # index in result
    ids: set[int] = set()
    root: str | None = None
    for i, raw in enumerate(items):
        path: KeyPath = ("departments", i)
        item = _mapping(raw, path, "a department")
        _unknown_keys(item, allowed, path)
        if "path" not in item:
            raise SchemaError(path, "a department needs a path (e.g. 总部/研发中心)")
        parts = _dept_path(item["path"], (*path, "path"), root)
        root = parts[0]
        if parts in by_path and by_path[parts].origin != "implied":
            raise SchemaError((*path, "path"), f"department {join_path(parts)!r} is listed twice")
        dept = DesiredDepartment(parts, origin=origin(path))
        if "id" in item:
            dept.id = _int(item["id"], (*path, "id"), minimum=1)
            if dept.id in ids:
                raise SchemaError((*path, "id"), f"department id {dept.id} is used twice")
            if (dept.id == 1) != (len(parts) == 1):
                raise SchemaError((*path, "id"), "id 1 is the root department, and only it")
            ids.add(dept.id)
        if "name_en" in item:
            dept.name_en = _text(item["name_en"], (*path, "name_en"), max_len=64)
            problem = department_name_problem(dept.name_en, allow_empty=True)
            if problem is not None:
                raise SchemaError((*path, "name_en"), f"name_en {problem}")
        if "order" in item:
            dept.order = _int(item["order"], (*path, "order"))
        if "previous_path" in item:
            prev = _dept_path(item["previous_path"], (*path, "previous_path"), root)
            dept.previous_path = prev if prev != parts else None
        if parts in by_path:  # an ancestor implied by an earlier, deeper path
            result[position[parts]] = dept
        else:
            for depth in range(1, len(parts)):
                if parts[:depth] not in by_path:
                    implied = DesiredDepartment(parts[:depth], origin="implied")
                    by_path[parts[:depth]] = implied
                    position[parts[:depth]] = len(result)
                    result.append(implied)
            position[parts] = len(result)
            result.append(dept)
        by_path[parts] = dept
    result.sort(key=lambda d: len(d.path))  # parents first: stable, so file order otherwise
    return result


def _membership(raw: Any, path: KeyPath, root: str | None) -> Membership:
    if isinstance(raw, dict):
        _unknown_keys(raw, frozenset({"department", "leader", "order"}), path)
        if "department" not in raw:
            raise SchemaError(path, "a department entry needs 'department' (a path or an id)")
        member = Membership(_dept_ref(raw["department"], (*path, "department"), root))
        if "leader" in raw:
            member.leader = _bool(raw["leader"], (*path, "leader"))
        if "order" in raw:
            member.order = _int(raw["order"], (*path, "order"))
        return member
    return Membership(_dept_ref(raw, path, root))


# the member fields check_member_field takes, in the order a user's fields are kept
MEMBER_FIELDS: tuple[str, ...] = ("userid", "name", *_TEXT_FIELDS, "gender", "enable",
                                  "extattr", "external_profile")


def check_member_field(key: str, value: Any, path: KeyPath) -> Any:
    """One of a member's ``MEMBER_FIELDS`` as every desired-state format takes it: the value
    kept (trimmed text, gender ``"1"``/``"2"``, enable a bool), or SchemaError at ``path``
    (whose last item names the field). A source that builds members itself (a mapping)
    checks each value here, as a document's user is checked."""
    if key == "userid":
        return _userid(value, path)
    if key == "name":
        name = _text(value, path, max_len=64)
        if not name:
            raise SchemaError(path, "name must not be empty")
        return _wecom_accepts("name", name, path)
    if key in _TEXT_FIELDS:
        limit = 128 if key in ("position", "address") else 64
        return _wecom_accepts(key, _text(value, path, max_len=limit), path)
    if key == "gender":
        gender = _GENDER.get(str(value).strip().lower())
        if gender is None:
            raise SchemaError(path, f"gender must be male/female (or 1/2, 男/女), "
                              f"not {value!r}")
        return gender
    if key == "enable":
        return _bool(value, path)
    if key in ("extattr", "external_profile"):
        return _no_control_characters(_mapping(value, path, key), path)
    raise ValueError(f"not a member field: {key!r}")


def check_member_column(key: str, texts: list[str]) -> list[str] | None:
    """``texts`` when ``check_member_field(key, t, ...)`` keeps every one of them as it is
    (the usual column of a source: trimmed, valid text), decided a column at a time; None
    means "check value by value" (a value may be refused, or kept changed)."""
    if not texts or set(map(type, texts)) != {str} or \
            not all(map(str.__eq__, texts, map(str.strip, texts))):
        return None
    if key == "userid":
        # the pattern takes ASCII only: a matching userid's length is its length in bytes
        accepted = all(map(_USERID.match, texts)) and max(map(len, texts)) <= USERID_BYTES
    elif key == "name" or key in _TEXT_FIELDS:
        accepted = member_column_accepted(key, texts)
    else:
        return None
    return texts if accepted else None


def check_department_count(entries: list[Any], path: KeyPath) -> None:
    if not entries or len(entries) > 100:
        raise SchemaError(path, "a user needs 1 to 100 departments")


def department_ref(value: Any, path: KeyPath) -> DeptRef:
    """A department a member names (a path or an id), checked as in a document's user."""
    return _dept_ref(value, path, None)


def _user(item: dict[str, Any], path: KeyPath, root: str | None, origin: str) -> DesiredUser:
    _unknown_keys(item, _USER_KEYS, path)
    for required in ("userid", "name"):
        if required not in item:
            raise SchemaError(path, f"a user needs {required!r}")
    user = DesiredUser(check_member_field("userid", item["userid"], (*path, "userid")), {},
                       origin=origin)
    for key in MEMBER_FIELDS[1:]:
        if key in item:
            user.fields[key] = check_member_field(key, item[key], (*path, key))
    if "previous_userid" in item:
        prev = _userid(item["previous_userid"], (*path, "previous_userid"))
        user.previous_userid = prev if prev.lower() != user.userid.lower() else None
    if "departments" in item:
        entries = _list(item["departments"], (*path, "departments"), "departments")
        check_department_count(entries, (*path, "departments"))
        user.departments = [
            _membership(raw, (*path, "departments", j), root) for j, raw in enumerate(entries)
        ]
    if "main_department" in item:
        user.main_department = _dept_ref(item["main_department"], (*path, "main_department"),
                                         root)
    if "direct_leader" in item:
        leaders = _list(item["direct_leader"], (*path, "direct_leader"), "direct_leader")
        if len(leaders) > 5:
            raise SchemaError((*path, "direct_leader"), "at most 5 direct leaders")
        user.direct_leader = [
            _userid(v, (*path, "direct_leader", j)) for j, v in enumerate(leaders)
        ]
    if "avatar_mediaid" in item:
        user.avatar_mediaid = _wecom_accepts(
            "avatar_mediaid", _text(item["avatar_mediaid"], (*path, "avatar_mediaid")),
            (*path, "avatar_mediaid"))
    return user


def _users(items: list[Any], root: str | None, origin: Callable[[KeyPath], str]
           ) -> list[DesiredUser]:
    users: list[DesiredUser] = []
    seen: set[str] = set()
    owners: dict[tuple[str, str], DesiredUser] = {}
    for i, raw in enumerate(items):
        path: KeyPath = ("users", i)
        user = _user(_mapping(raw, path, "a user"), path, root, origin(path))
        # WeCom compares userids case-insensitively
        if user.userid.lower() in seen:
            raise SchemaError((*path, "userid"), f"userid {user.userid!r} is listed twice")
        seen.add(user.userid.lower())
        for name in UNIQUE_FIELDS:
            value = user.fields.get(name)
            if not value:
                continue
            other = owners.setdefault(unique_key(name, value), user)
            if other is not user:  # WeCom would refuse the second one (60104 / 60106 / 60145)
                raise SchemaError((*path, name), f"{name} {value!r} is also given to user "
                                  f"{other.userid!r} ({other.origin}); no two members may "
                                  "share it")
        users.append(user)
    return users


def _tags(items: list[Any], root: str | None, origin: Callable[[KeyPath], str]
          ) -> list[DesiredTag]:
    allowed = frozenset({"name", "id", "users", "departments"})
    tags: list[DesiredTag] = []
    names: set[str] = set()
    ids: set[int] = set()
    for i, raw in enumerate(items):
        path: KeyPath = ("tags", i)
        item = _mapping(raw, path, "a tag")
        _unknown_keys(item, allowed, path)
        if "name" not in item:
            raise SchemaError(path, "a tag needs a name")
        tag = DesiredTag(_text(item["name"], (*path, "name"), max_len=32), origin=origin(path))
        problem = tag_name_problem(tag.name) if tag.name else None
        if problem is not None:
            raise SchemaError((*path, "name"), f"tag name {tag.name!r} {problem}")
        if not tag.name or tag.name in names:
            raise SchemaError((*path, "name"), f"tag name {tag.name!r} is empty or listed twice")
        names.add(tag.name)
        if "id" in item:
            tag.id = _int(item["id"], (*path, "id"), minimum=1)
            if tag.id in ids:
                raise SchemaError((*path, "id"), f"tag id {tag.id} is used twice")
            ids.add(tag.id)
        if "users" in item:
            raw_users = _list(item["users"], (*path, "users"), "users")
            tag.users = [_userid(v, (*path, "users", j)) for j, v in enumerate(raw_users)]
        if "departments" in item:
            raw_depts = _list(item["departments"], (*path, "departments"), "departments")
            tag.departments = [
                _dept_ref(v, (*path, "departments", j), root) for j, v in enumerate(raw_depts)
            ]
        tags.append(tag)
    return tags


def parse_document(
    data: Any, *, origin: Callable[[KeyPath], str], source: str = ""
) -> DesiredDirectory:
    """Validate a whole document; ``origin(path)`` names an item's place for later messages."""
    doc = _mapping(data, (), "the document")
    _unknown_keys(doc, frozenset({"version", "departments", "users", "tags"}), ())
    if "version" in doc and doc["version"] != 1:
        raise SchemaError(("version",), f"unsupported version {doc['version']!r} (expected 1)")
    result = DesiredDirectory(source=source)
    derived = doc.get("departments") == DERIVED
    if doc.get("departments") is not None and not derived:
        if isinstance(doc["departments"], str):
            raise SchemaError(("departments",), f"departments must be a list, or "
                              f"{DERIVED!r} for the tree the members' paths name")
        items = _list(doc["departments"], ("departments",), "departments")
        result.departments = _departments(items, origin)
    root = result.root_name
    if root is None:  # no departments section: paths must still agree on one root
        root = _first_root(doc)
    if doc.get("users") is not None:
        result.users = _users(_list(doc["users"], ("users",), "users"), root, origin)
    if doc.get("tags") is not None:
        result.tags = _tags(_list(doc["tags"], ("tags",), "tags"), root, origin)
    if derived:
        if result.users is None:
            raise SchemaError(("departments",), f"departments: {DERIVED} needs a users section")
        result.departments = departments_from_members(result.users)
        result.departments_derived = True
    return result


def _first_root(doc: dict[str, Any]) -> str | None:
    for user in doc.get("users") or ():
        if isinstance(user, dict):
            for entry in user.get("departments") or ():
                ref = entry.get("department") if isinstance(entry, dict) else entry
                if isinstance(ref, str):
                    return split_path(ref)[0]
    return None
