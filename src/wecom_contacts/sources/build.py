"""A source read through a mapping → the desired directory the planner takes, with every problem.

The whole source is read before anything is decided: a row that fails is a problem naming the
row and column, all problems are collected (``source preview`` shows them all), and a caller
that plans refuses the result while it has any error (``SourceResult.raise_for_problems``).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..sync.desired.derive import departments_from_members
from ..sync.desired.model import (
    UNIQUE_FIELDS,
    DesiredDepartment,
    DesiredDirectory,
    DesiredTag,
    DesiredUser,
    join_path,
    unique_key,
    unique_texts,
)
from .base import Batch, Source, SourceError, SourceFingerprint, batches_of, unknown_column
from .department_records import DepartmentRecords, read_department_records
from .mapping_file import LoadedMapping
from .members import MemberReader
from .tag_records import TagRecords, read_tag_records

__all__ = ["Problem", "SourceResult", "build_directory"]

@dataclass(frozen=True)
class Problem:
    """One problem with a row (or the mapping): where, what, and whether it blocks a sync."""

    where: str
    message: str
    field: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "message": self.message, "field": self.field,
                "severity": self.severity}


@dataclass
class SourceResult:
    """The desired directory a source gives, what was counted on the way, and the problems."""

    directory: DesiredDirectory
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    fingerprint: SourceFingerprint | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self, rows: int = 10) -> dict[str, Any]:
        """What ``source preview`` shows, as data: counts, problems, the first members."""
        d = self.directory
        tags: dict[str, list[str]] = {}
        for tag in d.tags or ():
            for userid in tag.users or ():
                tags.setdefault(userid.lower(), []).append(tag.name)
        members = [{
            "row": u.origin, "userid": u.userid, **u.fields,
            "departments": [m.department for m in u.departments or ()],
            **({"direct_leader": u.direct_leader} if u.direct_leader is not None else {}),
            **({"tags": tags[u.userid.lower()]} if u.userid.lower() in tags else {}),
        } for u in (d.users or [])[:rows]]
        shown = max(rows, 20)
        return {
            "source": d.source,
            "counts": self.counts,
            "fingerprint": self.fingerprint.to_dict() if self.fingerprint else None,
            "problems": [p.to_dict() for p in self.problems],
            "departments": None if d.departments is None else [
                "/".join(dept.path) for dept in d.departments[:shown]],
            # what a department record gives beyond its path, for the departments shown
            "department_details": None if d.departments is None
            else _department_details(d, shown),
            "tags": None if d.tags is None else [
                {"name": t.name, **({"id": t.id} if t.id is not None else {}),
                 "members": len(t.users or ())} for t in d.tags[:shown]],
            "members": members,
        }

    def raise_for_problems(self) -> None:
        """SourceError naming the first error (and counting the others), if there is one."""
        errors = self.errors
        if errors:
            more = f" (and {len(errors) - 1} more problem(s); `wecom-contacts source " \
                   "preview` lists them all)" if len(errors) > 1 else ""
            raise SourceError(errors[0].message + more, where=errors[0].where,
                              field=errors[0].field)


def _department_details(d: DesiredDirectory, shown: int) -> list[dict[str, Any]]:
    """The order, WeCom id, English name and leaders of each shown department that has any."""
    leaders: dict[str, list[str]] = {}
    for user in d.users or ():
        for membership in user.departments or ():
            if membership.leader and isinstance(membership.department, str):
                leaders.setdefault(membership.department, []).append(user.userid)
    out: list[dict[str, Any]] = []
    for dept in (d.departments or [])[:shown]:
        path = join_path(dept.path)
        extra = {k: v for k, v in (("order", dept.order), ("id", dept.id),
                                   ("name_en", dept.name_en),
                                   ("leaders", leaders.get(path))) if v is not None}
        if extra:
            out.append({"path": path, **extra})
    return out


def _check_fields(reader: MemberReader, lm: LoadedMapping, source: Source) -> None:
    if "members" not in source.entities:
        raise SourceError(f"{source.name} has no members to read", where=lm.where(("members",)))
    known = source.fields("members")
    if known is None:
        return
    for column, path in reader.referenced.items():
        if column not in known:
            raise unknown_column(column, known, source.name, lm.where(path))


class _Builder:
    def __init__(self, lm: LoadedMapping, source: Source) -> None:
        self.lm = lm
        self.source = source
        self.reader = MemberReader(lm)
        self.problems: list[Problem] = []
        self.counts = {"records": 0, "members": 0, "leavers": 0, "dropped": 0, "filtered": 0}
        self.users: list[DesiredUser] = []
        # per user, for the links made once every member is known (kept only when the
        # mapping has them: a row's result itself is not kept)
        self.leader_keys: list[Sequence[str]] = []
        self.match_keys: list[str | None] = []
        self.user_tags: list[Sequence[str]] = []
        self.records: DepartmentRecords | None = None
        self.tag_records: TagRecords | None = None
        # per field other records name members by (leaders_match, members_match): per user
        self.match_fields: dict[str, list[str | None]] = {
            name: [] for name in self.reader.match_fields}

    def problem(self, where: str, message: str, column: str | None = None,
                severity: Literal["error", "warning"] = "error") -> None:
        place = f"{where}, column {column}" if column else where
        self.problems.append(Problem(place, message, column, severity))

    def add(self, batch: Batch) -> None:
        self.counts["records"] += len(batch)
        found = self.reader.read_batch(batch)
        for name, count in found.counts.items():
            self.counts[name] += count
        for where, column, message in found.problems:
            self.problem(where, message, column)
        self.users.extend(found.users)
        if self.reader.spec.direct_leader is not None:
            self.leader_keys.extend(found.leader_keys)
            self.match_keys.extend(found.match_keys)
        if self.reader.spec.tags is not None:
            self.user_tags.extend(found.tags)
        for name, keys in found.match_fields.items():
            self.match_fields[name].extend(keys)

    def check_unique(self) -> None:
        if self._all_unique():
            return
        seen: dict[str, DesiredUser] = {}
        owners: dict[tuple[str, str], DesiredUser] = {}
        mapped = [name for name in UNIQUE_FIELDS if name in self.reader.columns]
        for user in self.users:
            other = seen.setdefault(user.key, user)  # the lowered userid
            if other is not user:
                self.problem(user.origin, f"userid {user.userid!r} is also given by "
                             f"{other.origin}", self.reader.columns.get("userid"))
            for name in mapped:  # a field the mapping does not fill is in no member
                value = user.fields.get(name)
                if not value:
                    continue
                holder = owners.setdefault(unique_key(name, value), user)
                if holder is not user:
                    self.problem(user.origin, f"{name} {value!r} is also given to "
                                 f"{holder.userid!r} ({holder.origin}); no two members may "
                                 "share it", self.reader.columns.get(name))

    def _all_unique(self) -> bool:
        """No userid and no unique field's value given twice (the usual source), found by
        counting distinct keys; else ``check_unique`` names each pair."""
        users = self.users
        if len({u.key for u in users}) != len(users):
            return False
        fields = [u.fields for u in users]
        for name in (n for n in UNIQUE_FIELDS if n in self.reader.columns):
            values = [v for f in fields if (v := f.get(name))]
            if len(set(unique_texts(name, values))) != len(values):
                return False
        return True

    def link_leaders(self) -> None:
        spec = self.reader.spec.direct_leader
        if spec is None:
            return
        by_key: dict[str, str] = {}
        if spec.match:
            for user, match_key in zip(self.users, self.match_keys, strict=True):
                if match_key:
                    by_key.setdefault(match_key, user.userid)
        for user, keys in zip(self.users, self.leader_keys, strict=True):
            if not keys:
                continue
            found: list[str] = []
            for key in keys:
                userid = by_key.get(key) if spec.match else key
                if userid is None:
                    self.problem(user.origin, f"direct leader {key!r} is not among the members "
                                 f"(no row has {spec.match} {key!r}); left out", spec.column,
                                 "warning")
                elif userid not in found and userid.lower() != user.key:
                    found.append(userid)
            if found:
                user.direct_leader = found[:5]

    def link_heads(self, tree: list[DesiredDepartment] | None) -> None:
        """Each department record's heads marked leaders in it (is_leader_in_dept): a head
        who is not a member, or not in the department, is a warning and left out (HR tables
        keep heads who left, or who head a department from another)."""
        spec = self.lm.mapping.departments.records
        if spec is None or spec.leaders is None or self.records is None or not tree:
            return
        kept = {id(d) for d in tree}  # a record that was not placed (given twice) leads none
        by_key: dict[str, DesiredUser] = {}
        if spec.leaders_match is not None:
            for user, key in zip(self.users, self.match_fields[spec.leaders_match], strict=True):
                if key:
                    by_key.setdefault(key, user)
        else:
            for user in self.users:
                by_key.setdefault(user.key, user)
        for dept, keys in self.records.heads:
            if id(dept) not in kept:
                continue
            path = join_path(dept.path)
            for key in keys:
                head = by_key.get(key if spec.leaders_match is not None else key.lower())
                if head is None:
                    how = f"no row has {spec.leaders_match} {key!r}" if spec.leaders_match \
                        else "no member has that userid"
                    self.problem(dept.origin, f"department head {key!r} is not among the "
                                 f"members ({how}); left out", spec.leaders, "warning")
                    continue
                membership = next((m for m in head.departments or ()
                                   if m.department == path), None)
                if membership is None:
                    self.problem(dept.origin, f"department head {head.userid!r} is not in "
                                 f"{path!r} (WeCom marks a leader only in the member's own "
                                 "departments); left out", spec.leaders, "warning")
                    continue
                membership.leader = True

    def read_records(self) -> None:
        """The department records, before the members (who may name them by key)."""
        spec = self.lm.mapping.departments.records
        if spec is None:
            return
        self.records = read_department_records(spec, self.lm, self.source)
        self.reader.department_records = self.records
        self.counts["department records"] = self.records.count
        for where, message, column in self.records.problems:
            self.problem(where, message, column)

    def read_tag_records(self) -> None:
        """The tag records (their members are matched once every member is read)."""
        spec = self.lm.mapping.tags.records if self.lm.mapping.tags is not None else None
        if spec is None:
            return
        self.tag_records = read_tag_records(spec, self.lm, self.source)
        self.counts["tag records"] = self.tag_records.count
        for where, message, column in self.tag_records.problems:
            self.problem(where, message, column)

    def departments(self) -> list[DesiredDepartment] | None:
        if not self.lm.mapping.departments.manage or (
                self.reader.department is None and self.records is None):
            return None
        column = self.reader.columns.get("departments")

        def problem(user: DesiredUser, kind: str, message: str) -> None:
            hint = {"root": " (set members.department.root to the company's root department)",
                    "id": " (or set departments.manage: false)"}[kind]
            self.problem(user.origin, message + hint, column)

        derived = departments_from_members(self.users, problem) \
            if self.reader.department is not None else []
        if self.records is None:
            return derived
        # the records' tree, and any department only a member's path names
        tree = {d.path: d for d in self.records.departments}
        root = self.records.root
        told: set[str] = set()
        for dept in derived:
            if dept.path in tree:
                continue
            if root is not None and dept.path[0] != root:
                if dept.path[0] not in told and dept.origin != "implied":
                    told.add(dept.path[0])  # once, at the first member under that root
                    self.problem(dept.origin, f"department {join_path(dept.path)!r} does not "
                                 f"start with the root {root!r} of the department records",
                                 column)
                continue
            tree[dept.path] = dept
        return sorted(tree.values(), key=lambda d: len(d.path))

    def tags(self) -> list[DesiredTag] | None:
        spec = self.reader.spec.tags
        if spec is None and self.tag_records is None:
            return None
        tags = self._recorded_tags()
        if spec is None:
            return list(tags.values())
        for user, names in zip(self.users, self.user_tags, strict=True):
            for name in names:
                if len(name) > 32:
                    self.problem(user.origin, f"tag name {name!r} is longer than 32 characters",
                                 spec.column)
                    continue
                tag = tags.setdefault(name, DesiredTag(name, users=[], origin=user.origin))
                assert tag.users is not None
                if user.userid not in tag.users:  # a tag record may name the member too
                    tag.users.append(user.userid)
        return list(tags.values())

    def _recorded_tags(self) -> dict[str, DesiredTag]:
        """The tag records' tags with their members (userids): a member key no row gives is
        a warning and left out (HR's tables keep leavers)."""
        spec = self.lm.mapping.tags.records if self.lm.mapping.tags is not None else None
        if spec is None or self.tag_records is None:
            return {}
        by_key: dict[str, str] = {}
        if spec.members_match is not None:
            for user, key in zip(self.users, self.match_fields[spec.members_match],
                                 strict=True):
                if key:
                    by_key.setdefault(key, user.userid)
        else:
            for user in self.users:
                by_key.setdefault(user.key, user.userid)
        for name, tag in self.tag_records.tags.items():
            assert tag.users is not None
            seen: set[str] = set()
            for key, where in self.tag_records.members[name]:
                userid = by_key.get(key if spec.members_match is not None else key.lower())
                if userid is None:
                    how = f"no row has {spec.members_match} {key!r}" if spec.members_match \
                        else "no member has that userid"
                    self.problem(where, f"tag member {key!r} is not among the members "
                                 f"({how}); left out", spec.members, "warning")
                elif userid not in seen:
                    seen.add(userid)
                    tag.users.append(userid)
        return dict(self.tag_records.tags)


def build_directory(lm: LoadedMapping, source: Source, *,
                    fingerprint: bool = True) -> SourceResult:
    """Read every record of ``source`` through the mapping (SourceError if the mapping does
    not fit the source, or the source cannot be read completely). ``fingerprint=False``:
    the result has none (a read for a plan), and a source with ``skip_fingerprint()`` is
    spared computing it."""
    skip = getattr(source, "skip_fingerprint", None)
    if not fingerprint and skip is not None:
        skip()
    # every row leaves a few objects that live to the end and hold no cycles: the cyclic
    # collector's passes over them (and over whatever else the process holds, such as a
    # live directory) would cost more than a third of the read, so it waits till the end
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(lm, source, fingerprint)
    finally:
        if collecting:
            gc.enable()


def _build(lm: LoadedMapping, source: Source, want_fingerprint: bool) -> SourceResult:
    builder = _Builder(lm, source)
    _check_fields(builder.reader, lm, source)
    builder.read_records()
    builder.read_tag_records()
    for batch in batches_of(source, "members"):
        builder.add(batch)
    fingerprint = source.fingerprint() if want_fingerprint else None
    builder.check_unique()
    builder.link_leaders()
    departments = builder.departments()
    builder.link_heads(departments)
    directory = DesiredDirectory(departments=departments, users=builder.users,
                                 tags=builder.tags(), source=source.name,
                                 departments_derived=departments is not None)
    counts = dict(builder.counts)
    counts["departments"] = len(directory.departments or ())
    counts["tags"] = len(directory.tags or ())
    return SourceResult(directory, builder.problems, counts, fingerprint)
