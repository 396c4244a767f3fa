"""Sentinels and small shared types: NOT_GIVEN marks an argument the caller did not pass."""

from __future__ import annotations

from typing import Any, Final, Literal, TypeVar, Union

__all__ = ["NOT_GIVEN", "NotGiven", "Omittable", "drop_omitted"]

T = TypeVar("T")


class NotGiven:
    """The type of NOT_GIVEN: "the caller did not pass this", distinct from None."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Omittable = Union[T, NotGiven, None]  # noqa: UP007 (a runtime alias must work on 3.10)
"""An argument that may be left out; WeCom has no null, so None is "not given" too."""


def drop_omitted(**fields: Any) -> dict[str, Any]:
    """Keep only the fields the caller gave: omitted arguments are never sent."""
    return {k: v for k, v in fields.items() if v is not None and not isinstance(v, NotGiven)}
