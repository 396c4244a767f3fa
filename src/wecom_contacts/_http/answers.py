"""Per-endpoint answer readers: a successful envelope read into its model in one pass.

A resource declares, once per endpoint, where its model sits in the answer (`One`: under a
key; `Many`: a list under a key; `Whole`: the envelope itself). `fast` validates the whole
envelope straight from the bytes (pydantic's JSON validator, one pass, no intermediate
dict) and answers None for anything but a plain success — errcode 0 and a body the model
accepts. `decide.decode_answer` then sends such answers down the general path: the JSON
decoded, the envelope checked by `decide.decode_envelope` (the one place that turns errcodes
and malformed bodies into errors), and `slow` building the model from the dict exactly as
the resource used to. So a success reads faster and every failure fails as before.

A model read by `fast` keeps the answer's bytes; its ``raw`` dict is parsed when first read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, create_model

from ..models._base import WeComModel, WireAnswer, WirePart

__all__ = ["ENVELOPE", "Answer", "Envelope", "Many", "One", "Whole"]

M = TypeVar("M", bound=WeComModel)
T = TypeVar("T")

_ENVELOPE_KEYS = ("errcode", "errmsg")


def _envelope(model: type[WeComModel], value: Any) -> type[BaseModel]:
    """An envelope model: a strict int errcode (0 when absent, as decode_envelope reads it;
    a bool or float is left to decode_envelope) and `value`, the model's field under its
    answer key (an alias, so a key that shadows a BaseModel attribute is harmless); every
    other key of the answer is ignored."""
    return create_model(
        f"{model.__name__}Answer",
        __config__=ConfigDict(extra="ignore"),
        errcode=(StrictInt, 0),
        value=value,
    )


class Answer(ABC, Generic[T]):
    """How one endpoint's successful answer becomes its result."""

    @abstractmethod
    def fast(self, content: bytes) -> T | None:
        """The result read in one pass from the bytes, or None unless a plain success."""

    @abstractmethod
    def slow(self, data: dict[str, Any]) -> T:
        """The result built from a decoded, checked envelope (`decide.decode_envelope`)."""


class Envelope(Answer[dict[str, Any]]):
    """The checked envelope as a dict, for results read field by field (an id, a string)."""

    def fast(self, content: bytes) -> dict[str, Any] | None:
        return None

    def slow(self, data: dict[str, Any]) -> dict[str, Any]:
        return data


ENVELOPE = Envelope()


def _validated(validate: Any, content: bytes) -> Any:
    try:
        return validate(content)
    except Exception:
        # Whatever the one-pass read refuses (not JSON, not an envelope, a field the model
        # rejects, a validator's own exception) goes down the general path, which raises
        # exactly what it always raised for that body.
        return None


class One(Answer[M]):
    """The model under `key` of the envelope (``data[key]``)."""

    def __init__(self, model: type[M], key: str) -> None:
        self._model = model
        self._key = key
        envelope = _envelope(model, (model, Field(alias=key)))
        self._validate = envelope.__pydantic_validator__.validate_json

    def fast(self, content: bytes) -> M | None:
        envelope = _validated(self._validate, content)
        if envelope is None or envelope.errcode != 0:
            return None
        value: M = envelope.value
        object.__setattr__(value, "_wire_dict", WirePart(WireAnswer(content), self._key))
        return value

    def slow(self, data: dict[str, Any]) -> M:
        return self._model.from_wire(data[self._key])


class Many(Answer[list[M]]):
    """A list of models under `key` of the envelope (``data.get(key, [])``)."""

    def __init__(self, model: type[M], key: str) -> None:
        self._model = model
        self._key = key
        field: Any = (list[model], Field(default_factory=list, alias=key))  # type: ignore[valid-type]
        self._validate = _envelope(model, field).__pydantic_validator__.validate_json

    def fast(self, content: bytes) -> list[M] | None:
        envelope = _validated(self._validate, content)
        if envelope is None or envelope.errcode != 0:
            return None
        values: list[M] = envelope.value
        answer = WireAnswer(content)
        key = self._key
        for index, value in enumerate(values):
            object.__setattr__(value, "_wire_dict", WirePart(answer, key, index))
        return values

    def slow(self, data: dict[str, Any]) -> list[M]:
        return [self._model.from_wire(d) for d in data.get(self._key, [])]


class Whole(Answer[M]):
    """The envelope itself, without errcode / errmsg, as the model."""

    def __init__(self, model: type[M]) -> None:
        clash = {name for name, f in model.model_fields.items()
                 if name in _ENVELOPE_KEYS or f.alias in _ENVELOPE_KEYS}
        if clash:
            raise TypeError(f"{model.__name__} declares {sorted(clash)}: not a whole answer")
        self._model = model
        self._validate = model.__pydantic_validator__.validate_json

    def fast(self, content: bytes) -> M | None:
        value: M | None = _validated(self._validate, content)
        if value is None:
            return None
        extra = value.__pydantic_extra__
        if extra is None:
            return None
        errcode = extra.get("errcode", 0)
        if type(errcode) is not int or errcode != 0:
            return None
        # The model keeps unknown keys; the envelope's own two are not the member's fields.
        fields_set = value.__pydantic_fields_set__
        for key in _ENVELOPE_KEYS:
            extra.pop(key, None)
            fields_set.discard(key)
        object.__setattr__(value, "_wire_dict", WirePart(WireAnswer(content), None))
        return value

    def slow(self, data: dict[str, Any]) -> M:
        return self._model.from_wire({k: v for k, v in data.items() if k not in _ENVELOPE_KEYS})
