"""The base of every response model: wire names ↔ Python names, unknown fields kept."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

__all__ = ["WeComModel", "WireAnswer", "WirePart"]


class WireAnswer:
    """The bytes of one answer, parsed (once) only when a model read from it is asked for ``raw``.

    Every model of one answer (a member list's members) shares one of these, so the first
    ``raw`` read parses the body once and the others reuse that parse.
    """

    __slots__ = ("_content", "_document")

    def __init__(self, content: bytes) -> None:
        self._content = content
        self._document: Any = None

    def document(self) -> Any:
        if self._document is None:
            self._document = json.loads(self._content)
        return self._document


class WirePart:
    """Where one model sits in a ``WireAnswer``: under ``key`` (and at ``index`` of that list),
    or, with no key, the whole answer without ``errcode`` / ``errmsg``."""

    __slots__ = ("_answer", "_index", "_key")

    def __init__(self, answer: WireAnswer, key: str | None, index: int | None = None) -> None:
        self._answer = answer
        self._key = key
        self._index = index

    def resolve(self) -> dict[str, Any]:
        document: dict[str, Any] = self._answer.document()
        if self._key is None:
            return {k: v for k, v in document.items() if k not in ("errcode", "errmsg")}
        value = document[self._key]
        part: dict[str, Any] = value if self._index is None else value[self._index]
        return part


class WeComModel(BaseModel):
    """Python names are snake_case, wire names are WeCom's (declared once, as aliases here).

    Fields the model does not know are kept (``extra="allow"``), so a field WeCom adds
    tomorrow is not lost; ``raw`` is the dict exactly as WeCom sent it.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    # The dict WeCom sent, in a plain slot rather than a pydantic private attribute: those
    # make pydantic run Python code after every validation (model_post_init), which doubled
    # the cost of building a small model (bench/client_overhead.py; a list of 1,000 members
    # pays it 1,000 times). Set by from_wire (the dict) or by the client's one-pass reader
    # (a WirePart: the dict is only built when raw is first read); a copy or an unpickled
    # model has none and answers with its wire form.
    __slots__ = ("_wire_dict",)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Self:
        obj = cls.model_validate(data)
        object.__setattr__(obj, "_wire_dict", data)  # frozen: pydantic's setattr refuses
        return obj

    @property
    def raw(self) -> dict[str, Any]:
        """The object as WeCom sent it (or, for a model built in Python, its wire form)."""
        wire: dict[str, Any] | WirePart | None = getattr(self, "_wire_dict", None)
        if isinstance(wire, WirePart):
            wire = wire.resolve()
            object.__setattr__(self, "_wire_dict", wire)
        return wire or self.to_wire()

    def __eq__(self, other: object) -> bool:
        # Equal when the data is: where a model came from (its raw dict) does not count.
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def to_wire(self) -> dict[str, Any]:
        """The object in WeCom's field names."""
        return self.model_dump(by_alias=True, exclude_none=True)
