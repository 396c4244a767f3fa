"""Member rows and their department memberships; writes record change events."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from .database import Database
from .keys import email_key, mobile_key, userid_key
from .records import User

_IN = "(SELECT value FROM json_each(?))"


def _ids(values: Iterable[int]) -> str:
    return json.dumps(list(values))


class Users:
    """Access to users and user_departments."""

    def __init__(self, db: Database) -> None:
        self._s = db

    # -- reads ---------------------------------------------------------------------------------

    def _load(self, rows: list[sqlite3.Row]) -> list[User]:
        if not rows:
            return []
        seqs = [r["seq"] for r in rows]
        members = self._s.query(
            f"SELECT * FROM user_departments WHERE user_seq IN {_IN} ORDER BY user_seq, position",
            (_ids(seqs),),
        )
        by_seq: dict[int, list[sqlite3.Row]] = {}
        for m in members:
            by_seq.setdefault(m["user_seq"], []).append(m)
        users = []
        for r in rows:
            data = json.loads(r["data"])
            ms = by_seq.get(r["seq"], [])
            users.append(
                User(
                    userid=r["userid"],
                    fields=data["fields"],
                    departments=[m["department_id"] for m in ms],
                    orders=[m["sort_order"] for m in ms],
                    leaders=[m["is_leader"] for m in ms],
                    direct_leaders=data["direct_leaders"],
                    seq=r["seq"],
                    openid=r["openid"],
                    activated=bool(r["activated"]),
                    enable=r["enable"],
                    system_userid=bool(r["system_userid"]),
                    userid_changed=bool(r["userid_changed"]),
                    biz_mail_locked=bool(r["biz_mail_locked"]),
                    created_at=r["created_at"],
                )
            )
        return users

    def get(self, seq: int) -> User | None:
        found = self._load(self._s.query("SELECT * FROM users WHERE seq = ?", (seq,)))
        return found[0] if found else None

    def by_userid(self, userid: str, *, exact: bool = False) -> User | None:
        """Case-insensitive lookup unless `exact`."""
        if exact:
            rows = self._s.query("SELECT * FROM users WHERE userid = ?", (userid,))
        else:
            rows = self._s.query("SELECT * FROM users WHERE userid_key = ?", (userid_key(userid),))
        found = self._load(rows)
        return found[0] if found else None

    def by_seqs(self, seqs: Iterable[int]) -> list[User]:
        rows = self._s.query(f"SELECT * FROM users WHERE seq IN {_IN} ORDER BY seq", (_ids(seqs),))
        return self._load(rows)

    def all(self) -> list[User]:
        return self._load(self._s.query("SELECT * FROM users ORDER BY seq"))

    def seqs_in_departments(self, dept_ids: Iterable[int]) -> set[int]:
        rows = self._s.query(
            f"SELECT DISTINCT user_seq FROM user_departments WHERE department_id IN {_IN}",
            (_ids(dept_ids),),
        )
        return {r["user_seq"] for r in rows}

    def seqs_by_userids(self, userids: Iterable[str]) -> dict[str, int]:
        """userid key -> seq for the userids that exist."""
        keys = [userid_key(u) for u in userids]
        rows = self._s.query(
            f"SELECT userid_key, seq FROM users WHERE userid_key IN {_IN}", (json.dumps(keys),)
        )
        return {r["userid_key"]: r["seq"] for r in rows}

    def userids(self, seqs: Iterable[int]) -> dict[int, str]:
        rows = self._s.query(f"SELECT seq, userid FROM users WHERE seq IN {_IN}", (_ids(seqs),))
        return {r["seq"]: r["userid"] for r in rows}

    def seq_where(self, column: str, value: str) -> int | None:
        """The member holding a unique key: mobile_key, email_key, biz_mail_key or openid."""
        assert column in ("mobile_key", "email_key", "biz_mail_key", "openid")
        return self._s.scalar(f"SELECT seq FROM users WHERE {column} = ?", (value,))  # type: ignore[no-any-return]

    def count(self) -> int:
        return int(self._s.scalar("SELECT COUNT(*) FROM users"))

    def leaders_of(self, dept_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """department id -> [(seq, userid)] of its heads, oldest member first."""
        rows = self._s.query(
            "SELECT ud.department_id, u.seq, u.userid FROM user_departments ud "
            f"JOIN users u ON u.seq = ud.user_seq WHERE ud.is_leader = 1 "
            f"AND ud.department_id IN {_IN} ORDER BY u.seq",
            (_ids(dept_ids),),
        )
        out: dict[int, list[tuple[int, str]]] = {}
        for r in rows:
            out.setdefault(r["department_id"], []).append((r["seq"], r["userid"]))
        return out

    def list_id_rows(self, after: tuple[int, int], limit: int) -> list[tuple[int, str, int]]:
        """(seq, userid, department) pairs after a (seq, department) cursor, in key order."""
        rows = self._s.query(
            "SELECT u.seq, u.userid, ud.department_id FROM user_departments ud "
            "JOIN users u ON u.seq = ud.user_seq "
            "WHERE (ud.user_seq, ud.department_id) > (?, ?) "
            "ORDER BY ud.user_seq, ud.department_id LIMIT ?",
            (after[0], after[1], limit),
        )
        return [(r["seq"], r["userid"], r["department_id"]) for r in rows]

    # -- writes --------------------------------------------------------------------------------

    def _wire(self, user: User) -> dict[str, Any]:
        names = self.userids(user.direct_leaders)
        return user.wire([names[s] for s in user.direct_leaders if s in names])

    def _columns(self, user: User) -> tuple[Any, ...]:
        f = user.fields
        return (
            user.userid,
            userid_key(user.userid),
            user.openid,
            mobile_key(f["mobile"]) if f.get("mobile") else None,
            email_key(f["email"]) if f.get("email") else None,
            email_key(f["biz_mail"]) if f.get("biz_mail") else None,
            int(user.activated),
            user.enable,
            int(user.system_userid),
            int(user.userid_changed),
            int(user.biz_mail_locked),
            user.created_at,
            json.dumps({"fields": f, "direct_leaders": user.direct_leaders}, ensure_ascii=False),
        )

    def _save_memberships(self, user: User) -> None:
        self._s.execute("DELETE FROM user_departments WHERE user_seq = ?", (user.seq,))
        for pos, dept in enumerate(user.departments):
            self._s.execute(
                "INSERT INTO user_departments VALUES (?, ?, ?, ?, ?)",
                (user.seq, dept, pos, user.orders[pos], user.leaders[pos]),
            )

    def insert(self, user: User, actor: str) -> int:
        cur = self._s.execute(
            "INSERT INTO users (userid, userid_key, openid, mobile_key, email_key, biz_mail_key, "
            "activated, enable, system_userid, userid_changed, biz_mail_locked, created_at, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._columns(user),
        )
        assert cur.lastrowid is not None
        user.seq = cur.lastrowid
        self._save_memberships(user)
        self._s.record_change("create_user", user.userid, self._wire(user), actor)
        return user.seq

    def update(self, old: User, new: User, actor: str) -> dict[str, Any]:
        """Store `new` over `old`; records and returns the changed wire fields."""
        before, after = self._wire(old), self._wire(new)
        changed = {
            k: after.get(k) for k in before.keys() | after.keys() if before.get(k) != after.get(k)
        }
        if not changed and self._columns(old) == self._columns(new):
            return {}
        self._s.execute(
            "UPDATE users SET userid = ?, userid_key = ?, openid = ?, mobile_key = ?, "
            "email_key = ?, biz_mail_key = ?, activated = ?, enable = ?, system_userid = ?, "
            "userid_changed = ?, biz_mail_locked = ?, created_at = ?, data = ? WHERE seq = ?",
            (*self._columns(new), old.seq),
        )
        if (old.departments, old.orders, old.leaders) != (new.departments, new.orders, new.leaders):
            self._save_memberships(new)
        if "userid" in changed:
            changed["new_userid"] = changed.pop("userid")
        if changed:
            self._s.record_change("update_user", old.userid, changed, actor)
        return changed

    def delete(self, user: User, actor: str) -> None:
        self._s.execute("DELETE FROM users WHERE seq = ?", (user.seq,))
        self._s.execute("DELETE FROM user_departments WHERE user_seq = ?", (user.seq,))
        self._s.execute("DELETE FROM tag_users WHERE user_seq = ?", (user.seq,))
        self._s.record_change("delete_user", user.userid, {"userid": user.userid}, actor)
