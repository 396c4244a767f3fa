"""What every resource shares: a handle on the pipeline and endpoint lookup."""

from __future__ import annotations

from typing import Any

from .._endpoints import endpoint
from .._http.pipeline import AsyncPipeline, Pipeline
from .._http.transport import Upload

__all__ = ["AsyncResource", "Resource"]


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
        return await self._pipeline.call(endpoint(path), params=params, body=body, upload=upload)


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
        return self._pipeline.call(endpoint(path), params=params, body=body, upload=upload)
