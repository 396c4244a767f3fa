"""Who is calling (the secret behind the token), what it can see, and the per-call context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .config import EmulatorConfig
from .inbox import Inbox
from .store.facade import Store
from .store.records import Secret, User

CONSOLE = "console"


@dataclass(frozen=True)
class Caller:
    """The secret a token was fetched with; "console" is the admin console (control API)."""

    kind: Literal["sync", "app", "console"]
    name: str
    visible_departments: tuple[int, ...] = ()
    visible_users: tuple[str, ...] = ()
    hide_sensitive: bool = False

    @classmethod
    def from_secret(cls, secret: Secret, *, hide_sensitive_default: bool) -> Caller:
        kind: Literal["sync", "app"] = "sync" if secret.kind == "sync" else "app"
        hide = secret.hide_sensitive
        return cls(
            kind,
            secret.name,
            secret.visible_departments,
            secret.visible_users,
            hide_sensitive_default if hide is None else hide,
        )

    @classmethod
    def console(cls) -> Caller:
        return cls("console", CONSOLE)


@dataclass(frozen=True)
class Scope:
    """Departments and members a caller may see; `everything` for sync and console."""

    everything: bool
    departments: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()

    def sees_department(self, dept_id: int) -> bool:
        return self.everything or dept_id in self.departments

    def sees_user(self, seq: int) -> bool:
        return self.everything or seq in self.users


def compute_scope(store: Store, caller: Caller) -> Scope:
    """An app sees its visible departments with all their descendants, their members, and
    the members named one by one."""
    if caller.kind != "app":
        return Scope(True)
    depts: set[int] = set()
    for root in caller.visible_departments:
        if store.departments.get(root) is not None:
            depts.update(i for i, _ in store.departments.subtree(root))
    users = store.users.seqs_in_departments(depts)
    users.update(store.users.seqs_by_userids(caller.visible_users).values())
    return Scope(False, frozenset(depts), frozenset(users))


@dataclass
class Ctx:
    """Everything a handler may use: the store, the settings, the caller and the time."""

    store: Store
    config: EmulatorConfig
    caller: Caller
    now: float
    base_url: str = ""  # this server as the caller reached it (export file links)
    inbox: Inbox | None = None  # where message/send records what it was sent
    _scope: Scope | None = field(default=None, repr=False)

    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = compute_scope(self.store, self.caller)
        return self._scope

    def find_user(self, userid: str) -> User | None:
        """Lookup by userid, ignoring case unless switched off."""
        exact = not self.config.userid_case_insensitive_lookup
        return self.store.users.by_userid(userid, exact=exact)
