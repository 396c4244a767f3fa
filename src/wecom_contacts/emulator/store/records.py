"""The emulator's own directory records (independent of the client's models)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Department:
    """One department row; root is id 1 with parentid 0."""

    id: int
    name: str
    parentid: int
    order: int = 0
    name_en: str | None = None


@dataclass
class User:
    """One member. `seq` is an internal, never-reused number that survives userid changes."""

    userid: str
    fields: dict[str, Any]
    departments: list[int]
    orders: list[int]
    leaders: list[int]
    direct_leaders: list[int] = field(default_factory=list)  # seqs of the leaders
    seq: int = 0
    openid: str = ""
    activated: bool = False
    enable: int = 1
    system_userid: bool = False
    userid_changed: bool = False
    biz_mail_locked: bool = False
    created_at: float = 0.0

    @property
    def status(self) -> int:
        """1 activated, 2 disabled, 4 not activated (5 "left" is not modelled)."""
        if not self.enable:
            return 2
        return 1 if self.activated else 4

    @property
    def main_department(self) -> int:
        main = self.fields.get("main_department")
        if isinstance(main, int) and main in self.departments:
            return main
        return self.departments[0] if self.departments else 0

    def wire(self, direct_leader: list[str]) -> dict[str, Any]:
        """Everything stored about the member in wire names, nothing hidden or defaulted."""
        data: dict[str, Any] = {"userid": self.userid}
        data.update(self.fields)
        data.update(
            department=list(self.departments),
            order=list(self.orders),
            is_leader_in_dept=list(self.leaders),
            direct_leader=direct_leader,
            main_department=self.main_department,
            enable=self.enable,
            status=self.status,
        )
        return data


@dataclass
class Tag:
    """A tag and the actor (secret name or "console") that owns it."""

    tagid: int
    tagname: str
    owner: str


@dataclass
class Secret:
    """A secret that may fetch tokens: the contacts-sync secret or an app's."""

    secret: str
    name: str
    kind: str  # "sync" | "app"
    visible_departments: tuple[int, ...] = ()
    visible_users: tuple[str, ...] = ()
    hide_sensitive: bool | None = None  # None: follow the config switch


@dataclass
class Change:
    """One recorded directory change, the raw material for outgoing callbacks."""

    seq: int
    at: float
    kind: str
    key: str
    fields: dict[str, Any]
    actor: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "key": self.key,
            "fields": self.fields,
            "actor": self.actor,
        }
