"""/Groups: SCIM Groups carried out on WeCom tags (members = the tag's users)."""

from __future__ import annotations

from typing import Any

from ..client import AsyncClient
from ..errors import NotFound, WeComError
from ..models import TagMembers
from .errors import ScimError, from_wecom, invalid_value, not_found
from .filter import Filter, equality, matches
from .idmap import IdMap, group_external_id, remember_group
from .mapping import group_fields, group_to_scim
from .patch import apply_patch
from .users import UserService
from .writes import read, reconciled

__all__ = ["GroupService"]

_CHUNK = 1000  # tag/addtagusers and deltagusers take at most 1000 userids


class GroupService:
    def __init__(self, client: AsyncClient, ids: IdMap, users: UserService, base_url: str
                 ) -> None:
        self.client = client
        self.ids = ids
        self.users = users
        self.base_url = base_url

    def _external_id(self, tag_id: int) -> str | None:
        return group_external_id(self.ids, tag_id)

    def _remember(self, tag_id: int, external_id: str | None) -> None:
        remember_group(self.ids, tag_id, external_id)

    async def _tag(self, scim_id: str) -> tuple[int, TagMembers]:
        if not scim_id.isdigit() or len(scim_id) > 10:
            raise not_found(f"Group {scim_id} not found")
        tag_id = int(scim_id)
        try:
            return tag_id, await self.client.tags.get(tag_id)
        except NotFound:
            raise not_found(f"Group {scim_id} not found") from None
        except WeComError as exc:
            raise from_wecom(exc, "reading the group") from None

    def render(self, tag_id: int, tag: TagMembers | None, name: str) -> dict[str, Any]:
        members = None
        if tag is not None:
            members = [(self.users.scim_id(m.userid), m.name or m.userid) for m in tag.users]
        return group_to_scim(tag_id, name, members, external_id=self._external_id(tag_id),
                             location=f"{self.base_url}/Groups/{tag_id}")

    async def get(self, scim_id: str, *, with_members: bool = True) -> dict[str, Any]:
        tag_id, tag = await self._tag(scim_id)
        return self.render(tag_id, tag if with_members else None, tag.name)

    async def search(self, tree: Filter | None, *, with_members: bool) -> list[dict[str, Any]]:
        tags = await read("listing groups", self.client.tags.list())
        simple = equality(tree) if tree is not None else None
        if simple is not None and simple[0] == "displayname":
            tags = [t for t in tags if t.name.lower() == simple[1].lower()]
        elif simple is not None and simple[0] == "id":
            tags = [t for t in tags if str(t.id) == simple[1]]
        out = []
        for tag in tags:
            members = None
            if with_members:
                members = await read("reading the group", self.client.tags.get(tag.id))
            rendered = self.render(tag.id, members, tag.name)
            if tree is None or matches(tree, rendered):
                out.append(rendered)
        return out

    def _userids(self, scim_ids: list[str]) -> list[str]:
        out = []
        for scim_id in scim_ids:
            userid = self.users.userid(scim_id)
            if not userid:
                raise invalid_value(f"members: {scim_id} is not a known User id")
            out.append(userid)
        return out

    async def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        name, member_ids = group_fields(resource)
        userids = self._userids(member_ids)
        external_id = _external_id(resource)

        async def write() -> int:
            return await self.client.tags.create(name)

        async def applied() -> int | None:
            tags = await self.client.tags.list()
            return next((t.id for t in tags if t.name == name), None)

        tag_id = await reconciled("creating the group", write, applied)
        try:
            await self._change_members(tag_id, userids, [])
        except ScimError:
            await self.client.tags.delete(tag_id)  # nothing half-written
            raise
        self._remember(tag_id, external_id)
        return await self.get(str(tag_id))

    async def replace(self, scim_id: str, resource: dict[str, Any]) -> dict[str, Any]:
        tag_id, tag = await self._tag(scim_id)
        return await self._write(tag_id, tag, resource)

    async def patch(self, scim_id: str, body: Any) -> dict[str, Any]:
        tag_id, tag = await self._tag(scim_id)
        patched = apply_patch(self.render(tag_id, tag, tag.name), body)
        return await self._write(tag_id, tag, patched)

    async def _write(self, tag_id: int, tag: TagMembers, resource: dict[str, Any]
                     ) -> dict[str, Any]:
        name, member_ids = group_fields(resource)
        wanted = self._userids(member_ids)
        current = [m.userid for m in tag.users]
        add = [u for u in wanted if u not in current]
        remove = [u for u in current if u not in wanted]
        if name != tag.name:
            await self._rename(tag_id, name)
        try:
            await self._change_members(tag_id, add, remove)
        except ScimError:
            if name != tag.name:
                await self._rename(tag_id, tag.name)  # nothing half-written
            raise
        self._remember(tag_id, _external_id(resource))
        return await self.get(str(tag_id))

    async def _rename(self, tag_id: int, name: str) -> None:
        async def rename() -> bool:
            await self.client.tags.update(tag_id, name)
            return True

        async def renamed() -> bool | None:
            return True if (await self.client.tags.get(tag_id)).name == name else None

        await reconciled("renaming the group", rename, renamed)

    async def _change_members(self, tag_id: int, add: list[str], remove: list[str]) -> None:
        """Add and remove tag users; if WeCom refuses any added user, undo the additions."""
        added: list[str] = []
        for start in range(0, len(add), _CHUNK):
            chunk = add[start:start + _CHUNK]
            # Adding or removing tag users is idempotent: a resend cannot do harm.
            result = await read("adding group members",
                                self.client.tags.add_members(tag_id, userids=chunk))
            added += [u for u in chunk if u not in result.invalid_users]
            if result.invalid_users:
                if added:
                    await read("undoing group members",
                               self.client.tags.remove_members(tag_id, userids=added))
                raise invalid_value(f"members: {len(result.invalid_users)} member(s) WeCom "
                                    "does not know or cannot see; nothing was changed")
        for start in range(0, len(remove), _CHUNK):
            chunk = remove[start:start + _CHUNK]
            await read("removing group members",
                       self.client.tags.remove_members(tag_id, userids=chunk))

    async def delete(self, scim_id: str) -> None:
        tag_id, _ = await self._tag(scim_id)

        async def write() -> bool:
            try:
                await self.client.tags.delete(tag_id)
            except NotFound:
                pass  # there a moment ago: a resent delete finds it gone, as for users
            return True

        async def applied() -> bool | None:
            return True if all(t.id != tag_id for t in await self.client.tags.list()) else None

        await reconciled("deleting the group", write, applied)
        self.ids.delete("Group", scim_id)


def _external_id(resource: dict[str, Any]) -> str | None:
    value = next((v for k, v in resource.items() if k.lower() == "externalid"), None)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise invalid_value("externalId must be a string of at most 255 characters")
    return value
