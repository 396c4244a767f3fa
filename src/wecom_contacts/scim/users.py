"""/Users: SCIM User operations carried out on WeCom members through the client."""

from __future__ import annotations

import uuid
from typing import Any

from ..client import AsyncClient
from ..errors import NotFound, WeComError
from ..models import User
from .errors import from_wecom, invalid_value, not_found
from .filter import Filter, equality, matches
from .idmap import IdMap, IdRow
from .mapping import Fields, ScimConfig, user_fields, user_to_scim, wecom_fields
from .patch import apply_patch
from .schemas import ENTERPRISE_USER
from .writes import Departments, UnknownDepartment, read, reconciled

__all__ = ["UserService"]

_STR_FIELDS = ("name", "email", "mobile", "telephone", "position", "address")
# What a WeCom refusal during a user write is about (the SCIM attribute to name).
_ABOUT = {
    60111: f"{ENTERPRISE_USER}:manager (the direct leader is not a WeCom member)",
    46004: f"{ENTERPRISE_USER}:manager (the direct leader is not a WeCom member)",
    60104: 'phoneNumbers[type eq "mobile"]',
    60106: 'emails[type eq "work"]',
    60102: "userName",
    60103: 'phoneNumbers[type eq "mobile"].value',
    60105: 'emails[type eq "work"].value',
    301013: 'phoneNumbers[type eq "work"].value',
    60112: "displayName",
}


class UserService:
    def __init__(self, client: AsyncClient, config: ScimConfig, ids: IdMap, base_url: str
                 ) -> None:
        self.client = client
        self.config = config
        self.ids = ids
        self.base_url = base_url
        self.depts = Departments(client)

    # --- ids -------------------------------------------------------------------------------

    def scim_id(self, userid: str) -> str:
        row = self.ids.by_key("User", userid)
        if row is not None:
            return row.scim_id
        if self.ids.by_scim_id("User", userid) is not None:
            # Another member (renamed since) already has this userid as its SCIM id.
            fresh = IdRow("User", uuid.uuid4().hex, userid)
            self.ids.put(fresh)
            return fresh.scim_id
        return userid

    def userid(self, scim_id: str) -> str | None:
        row = self.ids.by_scim_id("User", scim_id)
        if row is not None:
            return row.key
        held = self.ids.by_key("User", scim_id)
        return None if held is not None else scim_id

    def external_id(self, scim_id: str) -> str | None:
        row = self.ids.by_scim_id("User", scim_id)
        return row.external_id if row else None

    def _remember(self, scim_id: str, userid: str, external_id: str | None) -> None:
        if scim_id != userid or external_id:
            self.ids.put(IdRow("User", scim_id, userid, external_id))
        elif self.ids.by_scim_id("User", scim_id) is not None:
            self.ids.delete("User", scim_id)

    # --- reading ---------------------------------------------------------------------------

    async def _get(self, userid: str) -> User | None:
        try:
            return await self.client.users.get(userid)
        except NotFound:
            return None
        except WeComError as exc:
            raise from_wecom(exc, "reading the user") from None

    async def _current(self, scim_id: str) -> tuple[str, User]:
        userid = self.userid(scim_id)
        user = await self._get(userid) if userid else None
        if user is None:
            raise not_found(f"User {scim_id} not found")
        return userid or "", user

    def render(self, user: User) -> dict[str, Any]:
        """The member as SCIM; its departments must be covered (``await _cover``) first."""
        scim_id = self.scim_id(user.userid)
        return user_to_scim(
            user, scim_id=scim_id, external_id=self.external_id(scim_id), config=self.config,
            department_path=self.depts.path,
            leader_ids=[self.scim_id(u) for u in user.direct_leader],
            location=f"{self.base_url}/Users/{scim_id}",
        )

    async def _cover(self, users: list[User]) -> None:
        await self.depts.load()
        await self.depts.cover(d for u in users for d in u.department)

    async def get(self, scim_id: str) -> dict[str, Any]:
        _, user = await self._current(scim_id)
        await self._cover([user])
        return self.render(user)

    async def search(self, tree: Filter | None) -> list[dict[str, Any]]:
        """Every User the filter matches, rendered; one member read when the filter allows."""
        users = await self._candidates(tree)
        await self._cover(users)
        rendered = [self.render(u) for u in users]
        return [r for r in rendered if tree is None or matches(tree, r)]

    async def _candidates(self, tree: Filter | None) -> list[User]:
        simple = equality(tree) if tree is not None else None
        if simple is not None and simple[0] in ("username", "id", "externalid"):
            attr, value = simple
            if attr == "username":
                userid: str | None = value
            elif attr == "id":
                userid = self.userid(value)
            else:
                row = self.ids.by_external_id("User", value)
                userid = row.key if row else None
            user = await self._get(userid) if userid else None
            return [user] if user is not None else []
        return await read("listing users", self.client.users.list(1, fetch_child=True))

    # --- writing ---------------------------------------------------------------------------

    async def _fields(self, resource: dict[str, Any]) -> tuple[str, Fields]:
        await self.depts.load()
        try:
            return user_fields(resource, self.config, self.depts.id_for, self._leader)
        except UnknownDepartment:
            await self.depts.load(max_age=0.0)  # made since the last read?
            return user_fields(resource, self.config, self.depts.id_for, self._leader)

    def _leader(self, scim_id: str) -> str:
        userid = self.userid(scim_id)
        if not userid:
            raise invalid_value(f"manager {scim_id} is not a known User id")
        return userid

    async def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        userid, fields = await self._fields(resource)
        external_id = _external_id(resource)
        if not fields["email"] and not fields["mobile"]:
            raise invalid_value("WeCom needs emails[type eq \"work\"] or "
                                "phoneNumbers[type eq \"mobile\"] on a new User")
        department = fields["department"] or self.config.default_department
        kwargs: dict[str, Any] = {k: fields[k] for k in _STR_FIELDS[1:] if fields[k]}
        if fields["employee_number"]:
            kwargs.update(self._extra(fields["employee_number"]))
        if fields["direct_leader"]:
            kwargs["direct_leader"] = fields["direct_leader"]
        if fields["enable"] is False:
            kwargs["enable"] = False

        async def write() -> None:
            await self.client.users.create(
                userid, fields["name"], department=[department], main_department=department,
                to_invite=self.config.to_invite, **kwargs)

        async def applied() -> bool | None:
            found = await self._get(userid)
            return True if found is not None and found.name == fields["name"] else None

        await reconciled("creating the user", write, applied, _ABOUT)
        scim_id = self.scim_id(userid)
        self._remember(scim_id, userid, external_id)
        created = User(userid=userid, name=fields["name"], department=[department],
                       main_department=department, enable=0 if fields["enable"] is False else 1,
                       direct_leader=fields["direct_leader"],
                       **{k: fields[k] or None for k in _STR_FIELDS[1:]},
                       **kwargs_extra(kwargs))
        await self._cover([created])
        return self.render(created)

    def _extra(self, number: str) -> dict[str, Any]:
        """The WeCom field that holds ``employeeNumber`` (empty clears it)."""
        target = self.config.employee_number
        if target is None:
            return {}
        if target == "alias":
            return {"alias": number}
        name = target.removeprefix("extattr:")
        return {"extattr": {"attrs": [{"type": 0, "name": name, "text": {"value": number}}]}}

    async def replace(self, scim_id: str, resource: dict[str, Any]) -> dict[str, Any]:
        userid, user = await self._current(scim_id)
        return await self._write(scim_id, userid, user, resource)

    async def patch(self, scim_id: str, body: Any) -> dict[str, Any]:
        userid, user = await self._current(scim_id)
        await self._cover([user])
        patched = apply_patch(self.render(user), body)
        return await self._write(scim_id, userid, user, patched)

    async def _write(self, scim_id: str, userid: str, user: User, resource: dict[str, Any]
                     ) -> dict[str, Any]:
        new_userid, fields = await self._fields(resource)
        if fields["department"] is None:  # a member always has one: keep it
            fields["department"] = wecom_fields(user, self.config)["department"]
        changes = self._changes(user, fields)
        if new_userid != userid:
            changes["new_userid"] = new_userid
        if changes:
            await self._update(userid, changes, new_userid)
        self._remember(scim_id, new_userid, _external_id(resource))
        merged = user.model_copy(update=self._model_update(user, changes, new_userid))
        await self._cover([merged])
        return self.render(merged)

    def _changes(self, user: User, fields: Fields) -> dict[str, Any]:
        live = wecom_fields(user, self.config)
        changes: dict[str, Any] = {}
        for key in _STR_FIELDS:
            if fields[key] != live[key]:
                changes[key] = fields[key]
        if fields["enable"] is not None and fields["enable"] != live["enable"]:
            changes["enable"] = fields["enable"]
        if fields["direct_leader"] != live["direct_leader"]:
            changes["direct_leader"] = fields["direct_leader"]
        if fields["department"] != live["department"]:
            others = [d for d in user.department if d not in (live["department"],
                                                               fields["department"])]
            changes["department"] = [fields["department"], *others]
            changes["main_department"] = fields["department"]
        if fields["employee_number"] != live["employee_number"]:
            changes.update(self._extra(fields["employee_number"]))
        if "name" in changes and not changes["name"]:
            raise invalid_value("displayName cannot be removed: a WeCom member needs a name")
        return changes

    async def _update(self, userid: str, changes: dict[str, Any], new_userid: str) -> None:
        async def write() -> None:
            await self.client.users.update(userid, **changes)

        async def applied() -> bool | None:
            found = await self._get(new_userid)
            if found is None:
                return None
            live = found.model_dump()
            plain = {k: v for k, v in changes.items() if k in (*_STR_FIELDS, "direct_leader")}
            return True if all((live.get(k) or "") == (v or "") for k, v in plain.items()) \
                else None

        await reconciled("updating the user", write, applied, _ABOUT)

    def _model_update(self, user: User, changes: dict[str, Any], new_userid: str
                      ) -> dict[str, Any]:
        update: dict[str, Any] = {"userid": new_userid}
        for key, value in changes.items():
            if key == "enable":
                update["enable"] = 1 if value else 0
            elif key in (*_STR_FIELDS, "direct_leader", "department", "main_department",
                         "alias"):
                update[key] = value
            elif key == "extattr":
                update["extattr"] = type(user).model_validate(
                    {"userid": new_userid, "extattr": value}).extattr
        return update

    async def delete(self, scim_id: str) -> None:
        userid, _ = await self._current(scim_id)

        async def write() -> bool:
            try:
                await self.client.users.delete(userid)
            except NotFound:
                # The member was there a moment ago: a resent delete (by the client, or by
                # aiohttp on a pooled connection) finds it gone. Either way it is deleted.
                pass
            return True

        async def applied() -> bool | None:
            return True if await self._get(userid) is None else None

        await reconciled("deleting the user", write, applied)
        self.ids.delete("User", scim_id)


def kwargs_extra(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs[k] for k in ("alias", "extattr") if k in kwargs}


def _external_id(resource: dict[str, Any]) -> str | None:
    value = next((v for k, v in resource.items() if k.lower() == "externalid"), None)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise invalid_value("externalId must be a string of at most 255 characters")
    return value
