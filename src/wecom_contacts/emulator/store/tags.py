"""Tags and their members (users by internal seq, departments by id); writes record changes."""

from __future__ import annotations

from collections.abc import Sequence

from .database import Database
from .departments import fits_sqlite
from .records import Tag


class Tags:
    """Access to tags, tag_users and tag_parties."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def get(self, tagid: int) -> Tag | None:
        if not fits_sqlite(tagid):
            return None
        rows = self._s.query("SELECT * FROM tags WHERE tagid = ?", (tagid,))
        return Tag(rows[0]["tagid"], rows[0]["tagname"], rows[0]["owner"]) if rows else None

    def all(self) -> list[Tag]:
        rows = self._s.query("SELECT * FROM tags ORDER BY tagid")
        return [Tag(r["tagid"], r["tagname"], r["owner"]) for r in rows]

    def by_name(self, name: str, *, case_sensitive: bool) -> Tag | None:
        if case_sensitive:
            rows = self._s.query("SELECT * FROM tags WHERE tagname = ?", (name,))
        else:
            rows = self._s.query("SELECT * FROM tags WHERE lower(tagname) = lower(?)", (name,))
        return Tag(rows[0]["tagid"], rows[0]["tagname"], rows[0]["owner"]) if rows else None

    def count(self) -> int:
        return int(self._s.scalar("SELECT COUNT(*) FROM tags"))

    def next_id(self) -> int:
        # tags.md: without a tagid the server uses (current maximum id + 1)
        return int(self._s.scalar("SELECT MAX(tagid) FROM tags") or 0) + 1

    def members(self, tagid: int) -> tuple[list[int], list[int]]:
        """(user seqs, department ids) of a tag, in the order they were added."""
        users = self._s.query(
            "SELECT user_seq FROM tag_users WHERE tagid = ? ORDER BY rowid", (tagid,)
        )
        parties = self._s.query(
            "SELECT department_id FROM tag_parties WHERE tagid = ? ORDER BY rowid", (tagid,)
        )
        return [r["user_seq"] for r in users], [r["department_id"] for r in parties]

    def insert(self, tag: Tag, actor: str) -> None:
        self._s.execute(
            "INSERT INTO tags (tagid, tagname, owner) VALUES (?, ?, ?)",
            (tag.tagid, tag.tagname, tag.owner),
        )
        self._s.record_change("create_tag", tag.tagid, {"tagname": tag.tagname}, actor)

    def rename(self, tagid: int, name: str, actor: str) -> None:
        tag = self.get(tagid)
        if tag is None or tag.tagname == name:
            return
        self._s.execute("UPDATE tags SET tagname = ? WHERE tagid = ?", (name, tagid))
        self._s.record_change("update_tag", tagid, {"tagname": name}, actor)

    def delete(self, tagid: int, actor: str) -> None:
        self._s.execute("DELETE FROM tags WHERE tagid = ?", (tagid,))
        self._s.execute("DELETE FROM tag_users WHERE tagid = ?", (tagid,))
        self._s.execute("DELETE FROM tag_parties WHERE tagid = ?", (tagid,))
        self._s.record_change("delete_tag", tagid, {}, actor)

    def change_members(
        self,
        tagid: int,
        *,
        add_users: Sequence[tuple[int, str]] = (),
        del_users: Sequence[tuple[int, str]] = (),
        add_parties: Sequence[int] = (),
        del_parties: Sequence[int] = (),
        actor: str,
    ) -> None:
        """Add/remove (seq, userid) users and department ids; records one update_tag."""
        current_users, current_parties = self.members(tagid)
        added_u = [(s, u) for s, u in dict(add_users).items() if s not in current_users]
        removed_u = [(s, u) for s, u in dict(del_users).items() if s in current_users]
        added_p = [p for p in dict.fromkeys(add_parties) if p not in current_parties]
        removed_p = [p for p in dict.fromkeys(del_parties) if p in current_parties]
        for seq, _ in added_u:
            self._s.execute("INSERT INTO tag_users (tagid, user_seq) VALUES (?, ?)", (tagid, seq))
        for seq, _ in removed_u:
            self._s.execute("DELETE FROM tag_users WHERE tagid = ? AND user_seq = ?", (tagid, seq))
        for p in added_p:
            self._s.execute(
                "INSERT INTO tag_parties (tagid, department_id) VALUES (?, ?)", (tagid, p)
            )
        for p in removed_p:
            self._s.execute(
                "DELETE FROM tag_parties WHERE tagid = ? AND department_id = ?", (tagid, p)
            )
        fields = {
            "add_user_items": [u for _, u in added_u],
            "del_user_items": [u for _, u in removed_u],
            "add_party_items": added_p,
            "del_party_items": removed_p,
        }
        if any(fields.values()):
            self._s.record_change("update_tag", tagid, fields, actor)
