"""A source's tag records through ``tags.records`` → the tags they name, and who is in each.

HR keeps the groups a member belongs to (a project, a site, a committee) in a table of their
own: an SQL ``tags`` query over a table of pairs (``tag_name, emp_no``), or a CSV file or a
sheet beside the members'. Each record names one tag and the members in it: one per row, or
several in one cell (``separator``), or a multi-valued field; a tag over several rows has
every row's members. A record that names no member names the tag alone (a tag kept, empty).
Members are named by userid or, with ``members_match``, by another field of their rows (an
employee number), matched once every member is read.

A record that cannot be read (an empty or too long name, a bad id, two ids for one tag, one
id for two tags) is a problem naming its row and column; a member no row gives is a warning
(HR's tables keep leavers) and left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._fieldrules import tag_name_problem
from ..sync.desired.model import DesiredTag
from . import mapping as m
from .base import Record, Source, SourceError, unknown_column
from .mapping_file import LoadedMapping
from .transforms import TransformError, compile_value_test, first_text

__all__ = ["TagRecords", "read_tag_records"]

_PATH = ("tags", "records")
_ID_MAX = 2**32 - 1


@dataclass
class TagRecords:
    """What the records gave: each tag (by name), the member keys it names, problems."""

    tags: dict[str, DesiredTag] = field(default_factory=dict)
    # per tag name, the keys of its members as written, with the row naming each
    members: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    problems: list[tuple[str, str, str | None]] = field(default_factory=list)
    count: int = 0  # records read


def _check_columns(spec: m.TagRecordsSpec, lm: LoadedMapping, source: Source) -> None:
    if "tags" not in source.entities:
        raise SourceError(f"{source.name} has no tag records (tags.records needs an input "
                          "that gives them: an sql input's tags query, a csv or xlsx input's "
                          "tags file or sheet)", where=lm.where(_PATH), field="records")
    known = source.fields("tags")
    if known is None:
        return
    named: dict[tuple[str | int, ...], str] = {
        (k,): v for k in ("name", "members", "id") if (v := getattr(spec, k)) is not None}
    named.update({("drop", i, "column"): c.column for i, c in enumerate(spec.drop)})
    for at, column in named.items():
        if column not in known:
            raise unknown_column(column, known, "the tag records",
                                 lm.where((*_PATH, *at)), their="their")


def _text(record: Record, column: str | None) -> str | None:
    if column is None:
        return None
    text = first_text(record.get(column))
    text = text.strip() if text is not None else None
    return text or None


def _member_keys(record: Record, spec: m.TagRecordsSpec) -> list[str]:
    if spec.members is None:
        return []
    raw = record.get(spec.members)
    items = raw if isinstance(raw, list) else (raw or "").split(spec.separator)
    return [k.strip() for k in items if k and k.strip()]


class _Reader:
    def __init__(self, spec: m.TagRecordsSpec) -> None:
        self.spec = spec
        self.out = TagRecords()
        self.id_owner: dict[int, str] = {}  # tag id → the tag name that has it

    def problem(self, record: Record, message: str, column: str | None) -> None:
        self.out.problems.append((record.where, message, column))

    def add(self, record: Record) -> None:
        spec = self.spec
        name = _text(record, spec.name)
        if name is None:
            self.problem(record, "the tag name is empty", spec.name)
            return
        bad = tag_name_problem(name)
        if bad is not None:
            self.problem(record, f"tag name {name!r} {bad}", spec.name)
            return
        tag = self.out.tags.get(name)
        if tag is None:
            tag = self.out.tags[name] = DesiredTag(name, users=[], origin=record.where)
            self.out.members[name] = []
        tag_id = _text(record, spec.id)
        if tag_id is not None and not self.place_id(record, tag, tag_id):
            return
        self.out.members[name].extend((key, record.where)
                                      for key in _member_keys(record, spec))

    def place_id(self, record: Record, tag: DesiredTag, text: str) -> bool:
        column = self.spec.id
        if not text.isdigit() or int(text) > _ID_MAX:
            self.problem(record, f"tag id {text!r} is not a whole number from 0", column)
            return False
        tag_id = int(text)
        if tag.id is not None and tag.id != tag_id:
            self.problem(record, f"tag {tag.name!r} is given the id {tag_id} here and "
                         f"{tag.id} before", column)
            return False
        owner = self.id_owner.setdefault(tag_id, tag.name)
        if owner != tag.name:
            self.problem(record, f"tag id {tag_id} is given to {tag.name!r} here and to "
                         f"{owner!r} before", column)
            return False
        tag.id = tag_id
        return True


def read_tag_records(spec: m.TagRecordsSpec, lm: LoadedMapping,
                     source: Source) -> TagRecords:
    """Every tag record of ``source``, read to the end (SourceError when the source has none
    or the mapping names a column they lack)."""
    _check_columns(spec, lm, source)
    drop = [(compile_value_test(c, lm.where((*_PATH, "drop", i))), c.column)
            for i, c in enumerate(spec.drop)]
    reader = _Reader(spec)
    for record in source.records("tags"):
        reader.out.count += 1
        if any(test(record.get(column)) for test, column in drop):
            continue
        try:
            reader.add(record)
        except TransformError as exc:  # a list where one value is expected
            reader.problem(record, str(exc), None)
    if reader.out.count == 0:
        # an empty table read completely is still most likely the wrong file, sheet or
        # query, and it would leave every tag the members' column does not name deleted
        reader.out.problems.append((lm.where(_PATH), "the source gave no tag records (is "
                                    "the tags file, sheet or query the right one?)", None))
    return reader.out
