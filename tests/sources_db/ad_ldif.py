"""An Active-Directory-shaped directory for tests and the benchmark, as LDIF plus the facts
the tests check against: OUs several levels deep, userAccountControl, manager DNs (spelt in
another case and spacing than the entries), nested groups, Chinese names, binary objectGUIDs."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

BASE = "dc=example,dc=com"
CORP = f"ou=Corp,{BASE}"
GROUPS = f"ou=Groups,{BASE}"
# Department tree below ou=Corp (top-down paths).
TREE = ("总部", "总部/研发中心", "总部/研发中心/后端组", "总部/研发中心/前端组", "总部/市场部",
        "总部/市场部/华东区", "总部/市场部/华东区/上海")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
          "明", "超", "秀英", "桂英", "建华")
# Groups: name → (member groups); users join the leaf groups. 全员 ⊃ 研发 ⊃ 后端.
_NESTING = {"后端": (), "前端": (), "研发": ("后端", "前端"), "市场": (), "全员": ("研发", "市场")}


@dataclass
class AdUser:
    dn: str
    cn: str
    sam: str
    employee_id: str
    guid: bytes
    ou_path: str
    disabled: bool
    manager_dn: str | None
    mails: list[str]
    mobile: str | None
    title: str
    groups: set[str] = field(default_factory=set)  # every group, nesting resolved

    @property
    def guid_text(self) -> str:
        return str(uuid.UUID(bytes_le=self.guid))


@dataclass
class AdDirectory:
    users: list[AdUser]
    ldif: str

    def by_sam(self, sam: str) -> AdUser:
        return next(u for u in self.users if u.sam == sam)


def _ou_dn(path: str) -> str:
    return ",".join(f"ou={name}" for name in reversed(path.split("/"))) + f",{CORP}"


def _user_ldif(user: AdUser) -> str:
    lines = [f"dn: {user.dn}", "objectClass: user", f"cn: {user.cn}", f"sn: {user.cn[0]}",
             f"displayName: {user.cn}", f"sAMAccountName: {user.sam}",
             f"employeeID: {user.employee_id}",
             f"objectGUID:: {base64.b64encode(user.guid).decode()}",
             f"userAccountControl: {514 if user.disabled else 512}", f"title: {user.title}",
             f"department: {user.ou_path.rsplit('/', 1)[-1]}",
             f"userPrincipalName: {user.sam}@example.com"]
    lines += [f"mail: {mail}" for mail in user.mails]
    if user.mobile:
        lines.append(f"mobile: {user.mobile}")
    if user.manager_dn:
        lines.append(f"manager: {user.manager_dn}")
    return "\n".join(lines)


def _shout(dn: str) -> str:
    """The same DN as AD tools write it: upper-case attribute types, a space after commas."""
    return ", ".join(part.split("=", 1)[0].upper() + "=" + part.split("=", 1)[1]
                     for part in dn.split(","))


def users_for(count: int, seed: int) -> Iterator[AdUser]:
    rng = random.Random(seed)
    heads: dict[str, AdUser] = {}
    taken: set[str] = set()
    for i in range(count):
        path = TREE[0] if i == 0 else TREE[rng.randrange(len(TREE))]
        cn = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        while cn in taken:
            cn += str(rng.randrange(10))
        taken.add(cn)
        sam = f"u{i:06d}"
        boss = heads.get(path) or heads.get(path.rsplit("/", 1)[0]) or heads.get(TREE[0])
        mails = [f"{sam}@example.com"] + ([f"{sam}.alt@example.com"] if i % 7 == 3 else [])
        user = AdUser(dn=f"cn={cn},{_ou_dn(path)}", cn=cn, sam=sam, employee_id=f"E{i:06d}",
                      guid=rng.randbytes(16), ou_path=path, disabled=i % 10 == 9,
                      manager_dn=_shout(boss.dn) if boss else None, mails=mails,
                      mobile=f"138{i:08d}" if i % 3 else None, title=rng.choice(
                          ("工程师", "经理", "专员", "总监")))
        heads.setdefault(path, user)
        yield user


def _group_of(user: AdUser) -> str:
    if "后端组" in user.ou_path:
        return "后端"
    if "前端组" in user.ou_path:
        return "前端"
    return "市场" if "市场部" in user.ou_path else "全员"


def _closure(name: str) -> set[str]:
    found = {name}
    for parent, children in _NESTING.items():
        if name in children:
            found |= _closure(parent)
    return found


def ad_directory(count: int = 300, seed: int = 13) -> AdDirectory:
    """``count`` users below ou=Corp in seven OUs (up to five levels), and five nested groups."""
    users = list(users_for(count, seed))
    blocks = [f"dn: {CORP}\nobjectClass: organizationalUnit\nou: Corp",
              f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: Groups"]
    blocks += [f"dn: {_ou_dn(path)}\nobjectClass: organizationalUnit\nou: "
               f"{path.rsplit('/', 1)[-1]}" for path in TREE]
    blocks += [_user_ldif(user) for user in users]
    members: dict[str, list[str]] = {name: [] for name in _NESTING}
    for user in users:
        direct = _group_of(user)
        members[direct].append(user.dn)
        user.groups = _closure(direct)
    # Inner groups first, so that the memberof overlay finds them when the outer ones arrive.
    for name in ("后端", "前端", "市场", "研发", "全员"):
        links = members[name] + [f"cn={child},{GROUPS}" for child in _NESTING[name]]
        blocks.append("\n".join([f"dn: cn={name},{GROUPS}", "objectClass: group", f"cn: {name}",
                                 *(f"member: {dn}" for dn in links)]))
    return AdDirectory(users, "\n\n".join(blocks) + "\n")
