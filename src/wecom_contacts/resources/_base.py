"""What every resource shares: a handle on the pipeline and endpoint lookup."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from .._endpoints import BY_PATH, Endpoint, endpoint
from .._http.answers import ENVELOPE, Answer
from .._http.pipeline import AsyncPipeline, Pipeline
from .._http.transport import Upload
from ._checks import check_call

__all__ = ["AsyncResource", "Resource", "id_list", "payload", "str_list"]

T = TypeVar("T")


def _endpoint(path: str) -> Endpoint:
    # resources name their paths exactly as the table does: one dict lookup per call, and
    # endpoint()'s normalising only for anything else
    return BY_PATH.get(path) or endpoint(path)

_ENVELOPE = frozenset({"errcode", "errmsg"})


def payload(data: dict[str, Any]) -> dict[str, Any]:
    """An answer without its envelope, for answers whose fields sit beside errcode/errmsg."""
    return {k: v for k, v in data.items() if k not in _ENVELOPE}


def str_list(values: Iterable[str], name: str) -> list[str]:
    """A JSON array of strings; one string is refused (a "a|b" string is a classic mistake)."""
    if isinstance(values, str):
        raise TypeError(f"{name} must be a list of strings, not a single string")
    return list(values)  # each entry's type is checked by check_call, not converted


def id_list(values: Iterable[int], name: str) -> list[int]:
    """A JSON array of ints."""
    if isinstance(values, (str, int)):
        raise TypeError(f"{name} must be a list of ints, not {type(values).__name__}")
    return list(values)  # each entry's type is checked by check_call, not converted


class AsyncResource:
    def __init__(self, pipeline: AsyncPipeline) -> None:
        self._pipeline = pipeline

    async def _call(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        """The checked envelope as a dict (for results read field by field)."""
        return await self._read(path, ENVELOPE, params=params, body=body, upload=upload)

    async def _read(
        self,
        path: str,
        answer: Answer[T],
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> T:
        """The endpoint's result as `answer` reads it (a model: in one pass when it can)."""
        check_call(path, params, body)
        return await self._pipeline.call(
            _endpoint(path), answer, params=params, body=body, upload=upload
        )


class Resource:
    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def _call(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> dict[str, Any]:
        """The checked envelope as a dict (for results read field by field)."""
        return self._read(path, ENVELOPE, params=params, body=body, upload=upload)

    def _read(
        self,
        path: str,
        answer: Answer[T],
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        upload: Upload | None = None,
    ) -> T:
        """The endpoint's result as `answer` reads it (a model: in one pass when it can)."""
        check_call(path, params, body)
        return self._pipeline.call(
            _endpoint(path), answer, params=params, body=body, upload=upload
        )
