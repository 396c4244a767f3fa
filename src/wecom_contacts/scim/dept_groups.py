"""/Groups as departments (``ScimConfig(groups="departments")``): displayName is the
department path, members are the department's direct members.

Adding a member adds the department to the member's list; removing one takes it away, which
WeCom allows only while the member keeps another department (checked before anything is
written). The root department is not a Group.
"""

from __future__ import annotations

from typing import Any

from ..client import AsyncClient
from ..errors import NotFound
from ..models import User
from .errors import invalid_value, not_found
from .filter import Filter, equality, matches
from .idmap import IdMap, group_external_id, remember_group
from .mapping import check_length, group_fields, group_to_scim
from .patch import apply_patch
from .users import UserService
from .writes import read, reconciled

__all__ = ["DepartmentGroupService"]


class DepartmentGroupService:
    def __init__(self, client: AsyncClient, ids: IdMap, users: UserService, base_url: str
                 ) -> None:
        self.client = client
        self.ids = ids
        self.users = users
        self.depts = users.depts
        self.base_url = base_url

    def _external_id(self, dept_id: int) -> str | None:
        return group_external_id(self.ids, dept_id)

    def _remember(self, dept_id: int, external_id: str | None) -> None:
        remember_group(self.ids, dept_id, external_id)

    async def _dept(self, scim_id: str) -> int:
        await self.depts.load(max_age=0.0)
        dept_id = int(scim_id) if scim_id.isdigit() and len(scim_id) <= 10 else -1
        if dept_id not in self.depts.ids() or not self.depts.path(dept_id):  # root: no Group
            raise not_found(f"Group {scim_id} not found")
        return dept_id

    async def _members(self, dept_id: int) -> list[tuple[str, str]]:
        briefs = await read("reading the group", self.client.users.simple_list(dept_id))
        return [(self.users.scim_id(b.userid), b.name or b.userid) for b in briefs]

    async def _render(self, dept_id: int, with_members: bool) -> dict[str, Any]:
        members = await self._members(dept_id) if with_members else None
        return group_to_scim(dept_id, self.depts.path(dept_id), members,
                             external_id=self._external_id(dept_id),
                             location=f"{self.base_url}/Groups/{dept_id}")

    async def get(self, scim_id: str, *, with_members: bool = True) -> dict[str, Any]:
        return await self._render(await self._dept(scim_id), with_members)

    async def search(self, tree: Filter | None, *, with_members: bool) -> list[dict[str, Any]]:
        await self.depts.load(max_age=0.0)
        wanted = [d for d in self.depts.ids() if self.depts.path(d)]
        simple = equality(tree) if tree is not None else None
        if simple is not None and simple[0] == "displayname":
            wanted = [d for d in wanted if self.depts.path(d).lower() == simple[1].lower()]
        out = []
        for dept_id in wanted:
            rendered = await self._render(dept_id, with_members)
            if tree is None or matches(tree, rendered):
                out.append(rendered)
        return out

    def _place(self, path: str) -> tuple[int, str]:
        """``(parent id, name)`` of a department path such as ``研发中心/新组``."""
        parent_path, _, name = path.strip().strip("/").rpartition("/")
        if not name:
            raise invalid_value("displayName must be a department path such as 研发中心/新组")
        check_length("department", name, "displayName")
        parent = self.depts.id_for(parent_path) if parent_path else 1
        return parent, name

    async def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        path, member_ids = group_fields(resource, limit=None)
        await self.depts.load(max_age=0.0)
        parent, name = self._place(path)
        users = await self._users(member_ids)
        external_id = _external_id(resource)

        async def write() -> int:
            return await self.client.departments.create(name, parent)

        async def applied() -> int | None:
            found = await self.client.departments.list(parent)
            return next((d.id for d in found if d.parent_id == parent and d.name == name), None)

        dept_id = await reconciled("creating the group", write, applied)
        try:
            await self._change(dept_id, users, [])
        except Exception:
            await self.client.departments.delete(dept_id)  # nothing half-written
            raise
        self._remember(dept_id, external_id)
        await self.depts.load(max_age=0.0)
        return await self._render(dept_id, True)

    async def replace(self, scim_id: str, resource: dict[str, Any]) -> dict[str, Any]:
        return await self._write(await self._dept(scim_id), resource)

    async def patch(self, scim_id: str, body: Any) -> dict[str, Any]:
        dept_id = await self._dept(scim_id)
        patched = apply_patch(await self._render(dept_id, True), body)
        return await self._write(dept_id, patched)

    async def _write(self, dept_id: int, resource: dict[str, Any]) -> dict[str, Any]:
        path, member_ids = group_fields(resource, limit=None)
        current = {b.userid for b in await read(
            "reading the group", self.client.users.simple_list(dept_id))}
        wanted = await self._users(member_ids)
        add = [u for u in wanted if u.userid not in current]
        remove = [u for u in await self._users_by_userid(
            sorted(current - {u.userid for u in wanted}))]
        stuck = [u.userid for u in remove if [d for d in u.department if d != dept_id] == []]
        if stuck:
            raise invalid_value(f"members: {len(stuck)} member(s) would be left without a "
                                "department; WeCom members need one")
        if path != self.depts.path(dept_id):
            parent, name = self._place(path)
            await read("moving the group",
                       self.client.departments.update(dept_id, name=name, parent_id=parent))
        await self._change(dept_id, add, remove)
        self._remember(dept_id, _external_id(resource))
        await self.depts.load(max_age=0.0)
        return await self._render(dept_id, True)

    async def _users(self, scim_ids: list[str]) -> list[User]:
        userids = []
        for scim_id in scim_ids:
            userid = self.users.userid(scim_id)
            if not userid:
                raise invalid_value(f"members: {scim_id} is not a known User id")
            userids.append(userid)
        return await self._users_by_userid(userids)

    async def _users_by_userid(self, userids: list[str]) -> list[User]:
        out = []
        for userid in userids:
            try:
                out.append(await self.client.users.get(userid))
            except NotFound:
                raise invalid_value("members: a member WeCom does not know") from None
        return out

    async def _change(self, dept_id: int, add: list[User], remove: list[User]) -> None:
        # user/update sets the whole list; a resend sets the same list again.
        for user in add:
            await read("adding a group member", self.client.users.update(
                user.userid, department=[*user.department, dept_id]))
        for user in remove:
            await read("removing a group member", self.client.users.update(
                user.userid, department=[d for d in user.department if d != dept_id]))

    async def delete(self, scim_id: str) -> None:
        dept_id = await self._dept(scim_id)
        await read("deleting the group", self.client.departments.delete(dept_id))
        self.ids.delete("Group", scim_id)
        await self.depts.load(max_age=0.0)


def _external_id(resource: dict[str, Any]) -> str | None:
    value = next((v for k, v in resource.items() if k.lower() == "externalid"), None)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise invalid_value("externalId must be a string of at most 255 characters")
    return value
