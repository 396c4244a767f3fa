"""Tag models: ``tag/list`` and ``tag/get`` answers, and the partial success of member changes."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ._base import WeComModel

__all__ = ["MembershipResult", "Tag", "TagMember", "TagMembers"]


class Tag(WeComModel):
    id: int = Field(alias="tagid")
    name: str = Field(default="", alias="tagname")


class TagMember(WeComModel):
    """A member of a tag; ``name`` is withheld from some third-party apps."""

    userid: str
    name: str | None = None


class TagMembers(WeComModel):
    """A tag's name, its members and its departments (not expanded into their members)."""

    name: str = Field(default="", alias="tagname")
    users: list[TagMember] = Field(default_factory=list, alias="userlist")
    department_ids: list[int] = Field(default_factory=list, alias="partylist")


class MembershipResult(WeComModel):
    """What ``tag/addtagusers`` / ``deltagusers`` refused while accepting the rest (errcode 0).

    WeCom sends the refused userids as one ``"|"``-joined string (``invalidlist``) but the
    refused departments as an int array (``invalidparty``); both arrive here as lists.
    """

    invalid_users: list[str] = Field(default_factory=list, alias="invalidlist")
    invalid_departments: list[int] = Field(default_factory=list, alias="invalidparty")

    @field_validator("invalid_users", mode="before")
    @classmethod
    def _split_bar_joined(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [userid for userid in value.split("|") if userid]
        return value

    @property
    def ok(self) -> bool:
        """True when every member and department given was accepted."""
        return not self.invalid_users and not self.invalid_departments

    def to_wire(self) -> dict[str, Any]:
        wire = super().to_wire()
        if "invalidlist" in wire:
            wire["invalidlist"] = "|".join(wire["invalidlist"])
        return wire
