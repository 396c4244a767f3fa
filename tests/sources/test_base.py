"""The source contract: fingerprints, the type registry, errors mapped to "bad file"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts.cli._errors import EXIT_USAGE, exit_code_for
from wecom_contacts.sources import (
    Entity,
    FingerprintTracker,
    InputSpec,
    Record,
    Source,
    SourceError,
    SourceFingerprint,
    open_source,
    register_source_type,
)
from wecom_contacts.sources.base import _canonical, _SameFields


class ListSource:
    """A source over a list of dicts: the smallest thing that satisfies the protocol."""

    kind = "list"

    def __init__(self, rows: list[dict[str, str | None]]) -> None:
        self.rows = rows
        self.name = "rows"
        self.entities: tuple[Entity, ...] = ("members",)
        self._tracker = FingerprintTracker(self.kind, self.name)

    def fields(self, entity: Entity) -> Sequence[str] | None:
        return sorted({k for r in self.rows for k in r})

    def records(self, entity: Entity) -> Iterator[Record]:
        gen = (Record(r, f"rows, row {n}") for n, r in enumerate(self.rows, 1))
        return self._tracker.track(entity, gen)

    def fingerprint(self) -> SourceFingerprint:
        return self._tracker.fingerprint()


def _read(source: ListSource) -> SourceFingerprint:
    list(source.records("members"))
    return source.fingerprint()


def test_fingerprint_ignores_row_order_but_not_values() -> None:
    a = _read(ListSource([{"id": "1", "n": "张三"}, {"id": "2", "n": "李四"}]))
    b = _read(ListSource([{"id": "2", "n": "李四"}, {"id": "1", "n": "张三"}]))
    c = _read(ListSource([{"id": "2", "n": "李四"}, {"id": "1", "n": "张叁"}]))
    assert a == b
    assert a.sha256 != c.sha256
    assert a.counts == {"members": 2}
    assert a.kind == "list"


def test_fingerprint_does_not_depend_on_the_order_of_fields() -> None:
    a = _read(ListSource([{"工号": "1", "工号2": "x", "名": "a"}, {"工号": "2", "tags": None}]))
    b = _read(ListSource([{"名": "a", "工号2": "x", "工号": "1"}, {"tags": "", "工号": "2"}]))
    assert a == b


@pytest.mark.parametrize("values", [
    {"工号": "1", "工号2": "x", "名": "a", "空": "", "无": None},
    {"b": "1", "a": ["x", "y"]},           # a multi-valued field: the general form
    {"a": "1"},
    {"a\x01": "1", "a": "2", "a\x1fz": "3"},  # names with control characters: likewise
])
def test_the_quick_canonical_form_is_the_general_one(values: dict[str, Any]) -> None:
    quick = _SameFields()
    record = Record(values, "x")
    assert quick(record) == _canonical(record)
    assert quick(Record(dict(reversed(values.items())), "y")) == _canonical(record)


def test_fingerprint_is_refused_before_a_complete_read() -> None:
    source = ListSource([{"id": "1"}, {"id": "2"}])
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()
    records = source.records("members")
    next(records)
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()


def test_a_list_source_satisfies_the_protocol() -> None:
    assert isinstance(ListSource([]), Source)


def test_registered_type_is_opened_by_name_with_its_options() -> None:
    seen: list[InputSpec] = []

    def factory(spec: InputSpec) -> Source:
        seen.append(spec)
        return ListSource([{"id": str(spec.options["n"])}])

    register_source_type("test-list", factory)
    source = open_source(InputSpec("test-list", {"n": 3}))
    assert [r.values for r in source.records("members")] == [{"id": "3"}]
    assert seen[0].options == {"n": 3}
    with pytest.raises(ValueError, match="already registered"):
        register_source_type("test-list", lambda spec: ListSource([]))


def test_unknown_type_names_the_mapping_line_and_the_known_types() -> None:
    spec = InputSpec("nosuch", {}, locate=lambda key: f"m.yaml, line {3 if key else 2}")
    with pytest.raises(SourceError) as info:
        open_source(spec)
    assert str(info.value).startswith("m.yaml, line 3: unknown input type 'nosuch'")
    assert info.value.field == "type"


def test_source_errors_end_the_cli_as_a_bad_file() -> None:
    assert exit_code_for(SourceError("bad", where="hr.csv, row 2")) == EXIT_USAGE


def test_a_csv_read_in_batches_has_the_fingerprint_of_its_records(tmp_path: Path) -> None:
    from wecom_contacts.sources.csv_file import CsvSource

    (tmp_path / "hr.csv").write_text("工号,名%s,空\n1,a%d,\n2,b,x\n3\n", encoding="utf-8")
    by_records = CsvSource(tmp_path / "hr.csv")
    records = list(by_records.records("members"))
    by_batches = CsvSource(tmp_path / "hr.csv")
    batches = list(by_batches.batches("members"))
    assert [b.record(i).values for b in batches for i in range(len(b))] == \
        [r.values for r in records]
    assert by_batches.fingerprint() == by_records.fingerprint()
