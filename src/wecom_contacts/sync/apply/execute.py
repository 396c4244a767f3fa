"""Running one step as one client call, and reconciling a step whose outcome is unknown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..live.details import department_record, department_records, member_record
from ..live.model import attr_content, same_value
from ..plan.types import Step, is_ref

if TYPE_CHECKING:
    from ...client import Client

__all__ = ["IncompleteStep", "reconcile_step", "resolve_params", "run_step", "user_matches"]


class IncompleteStep(Exception):
    """WeCom accepted the call but refused part of it (tag members it calls invalid)."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        self.result = result
        super().__init__(message)


def resolve_params(value: Any, results: dict[int, dict[str, Any]]) -> Any:
    """Replace every ``{"$ref": n}`` by the id step n created; KeyError if it has none."""
    if is_ref(value):
        return int(results[int(value["$ref"])]["id"])
    if isinstance(value, dict):
        return {k: resolve_params(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_params(v, results) for v in value]
    return value


def _members_result(step: Step, invalid_users: list[str],
                    invalid_departments: list[int]) -> dict[str, Any]:
    result = {"invalid_users": invalid_users, "invalid_departments": invalid_departments}
    if invalid_users or invalid_departments:
        raise IncompleteStep(
            f"WeCom refused part of the change of tag {step.target}: users {invalid_users}, "
            f"departments {invalid_departments}", result,
        )
    return result


def run_step(client: Client, step: Step, p: dict[str, Any]) -> dict[str, Any]:
    """Send the step's one call; returns what it created (``{"id": n}``) or ``{}``."""
    op = step.op
    if op == "department.create":
        new_id = client.departments.create(p["name"], p["parent_id"], order=p.get("order"),
                                           id=p.get("id"), name_en=p.get("name_en"))
        return {"id": new_id}
    if op == "department.update":
        client.departments.update(p["id"], name=p.get("name"), name_en=p.get("name_en"),
                                  parent_id=p.get("parent_id"), order=p.get("order"))
    elif op == "department.delete":
        client.departments.delete(p["id"])
    elif op == "user.create":
        client.users.create(**p)
    elif op == "user.update":
        client.users.update(**p)
    elif op == "user.disable":
        client.users.disable(p["userid"])
    elif op == "user.delete":
        client.users.delete(p["userid"])
    elif op == "tag.create":
        return {"id": client.tags.create(p["name"], id=p.get("id"))}
    elif op == "tag.update":
        client.tags.update(p["id"], p["name"])
    elif op == "tag.delete":
        client.tags.delete(p["id"])
    elif op in ("tag.add_members", "tag.remove_members"):
        call = client.tags.add_members if op == "tag.add_members" else client.tags.remove_members
        res = call(p["id"], userids=p["userids"], department_ids=p["department_ids"])
        return _members_result(step, list(res.invalid_users), list(res.invalid_departments))
    else:
        raise ValueError(f"unknown step op {op!r}")
    return {}


def user_matches(raw: dict[str, Any], p: dict[str, Any]) -> bool:
    """Does the member as WeCom returns it (``raw``) hold every value ``p`` sets?"""
    for key, value in p.items():
        if key in ("userid", "new_userid", "to_invite", "avatar_mediaid"):
            continue
        have = raw.get(key)
        if key == "enable":
            have, value = bool(have if have is not None else 1), bool(value)
        elif key == "extattr":  # only the attributes sent; WeCom keeps the others
            have = {a.get("name"): a for a in (have or {}).get("attrs") or []}
            if any(attr_content(a) != attr_content(have.get(a.get("name")))
                   for a in value.get("attrs") or []):
                return False
            continue
        elif key == "direct_leader":
            have = sorted(str(u).lower() for u in have or [])
            value = sorted(str(u).lower() for u in value)
        if not same_value(have, value):
            return False
    return True


def reconcile_step(
    client: Client, step: Step, p: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Did ``step`` take effect? → (its result, ...) if so, else (None, params to send now).

    Used for a step found "running" after a crash and for calls whose outcome is unknown (a
    timeout, a dropped connection): a create is never resent blindly.
    """
    op = step.op
    if op == "department.create":
        records, _ = department_records(client)
        for dept in records:
            if int(dept.get("parentid", 0)) == p["parent_id"] and dept.get("name") == p["name"]:
                return {"id": int(dept["id"]), "reconciled": True}, p
        return None, p
    if op in ("department.update", "department.delete"):
        found = department_record(client, p["id"])
        if found is None:
            return ({"reconciled": True}, p) if op == "department.delete" else (None, p)
        if op == "department.delete":
            return None, p
        wire = {"name": found.get("name"), "name_en": found.get("name_en") or None,
                "parent_id": found.get("parentid"), "order": found.get("order", 0)}
        same = all(wire.get(k) == v for k, v in p.items() if k != "id")
        return ({"reconciled": True}, p) if same else (None, p)
    if op.startswith("user."):
        return _reconcile_user(client, op, p)
    if op in ("tag.create", "tag.update", "tag.delete"):
        tags = {t.id: t.name for t in client.tags.list()}
        if op == "tag.create":
            tag_id = next((i for i, n in tags.items() if n == p["name"]), None)
            return ({"id": tag_id, "reconciled": True}, p) if tag_id is not None else (None, p)
        done = tags.get(p["id"]) == p["name"] if op == "tag.update" else p["id"] not in tags
        return ({"reconciled": True}, p) if done else (None, p)
    members = client.tags.get(p["id"])
    users = {m.userid.lower() for m in members.users}
    depts = set(members.department_ids)
    wanted = op == "tag.add_members"
    done = all((u.lower() in users) == wanted for u in p["userids"]) and all(
        (d in depts) == wanted for d in p["department_ids"])
    return ({"invalid_users": [], "invalid_departments": [], "reconciled": True}, p) \
        if done else (None, p)


def _reconcile_user(client: Client, op: str, p: dict[str, Any]
                    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if op == "user.create":
        return ({"reconciled": True}, p) if member_record(client, p["userid"]) else (None, p)
    if op == "user.delete":
        gone = member_record(client, p["userid"]) is None
        return ({"reconciled": True}, p) if gone else (None, p)
    if op == "user.disable":
        raw = member_record(client, p["userid"])
        return ({"reconciled": True}, p) if raw is not None and not raw.get("enable", 1) \
            else (None, p)
    raw = None
    if "new_userid" in p:
        raw = member_record(client, p["new_userid"])
        if raw is not None:  # the rename happened: any resend must name the new userid
            p = {k: v for k, v in p.items() if k != "new_userid"}
            p["userid"] = raw["userid"]
    if raw is None:
        raw = member_record(client, p["userid"])
    if raw is not None and "new_userid" not in p and user_matches(raw, p):
        return {"reconciled": True}, p
    return None, p
