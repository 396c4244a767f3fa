"""Import jobs (异步导入): sync or replace members, replace departments, and await the results."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Union

from .._http.answers import Whole
from .._http.pipeline import AsyncPipeline, Pipeline
from ..jobs import JobTimeout, next_poll_delay, poll_delays
from ..models.batch import JobCallback, JobResult
from ..templates import (
    DepartmentRow,
    MemberRow,
    as_utf8,
    read_departments,
    read_members,
    write_departments,
    write_members,
)
from ._base import AsyncResource, Resource
from .media import AsyncMedia, Media

__all__ = ["AsyncBatch", "Batch", "CsvFile"]

# What each endpoint answers, read in one pass from the bytes (_http/answers.py).
_JOB_RESULT = Whole(JobResult)

MemberRows = Iterable[Union[MemberRow, Mapping[str, Any]]]  # noqa: UP007 (runtime alias, 3.10)
DepartmentRows = Iterable[Union[DepartmentRow, Mapping[str, Any]]]  # noqa: UP007
CsvFile = Union[bytes, str, "os.PathLike[str]"]
"""An import file: its bytes, or its path."""
Callback = Union[JobCallback, Mapping[str, str]]  # noqa: UP007


def _import_file(kind: Literal["members", "departments"], media_id: str | None,
                 rows: Iterable[Any] | None, file: CsvFile | None) -> tuple[bytes, str] | None:
    """The file to upload for a job (None when a media_id is given), checked row by row."""
    if sum(x is not None for x in (media_id, rows, file)) != 1:
        raise TypeError("give exactly one of media_id, rows or file")
    if media_id is not None:
        return None
    if rows is not None:
        data = write_members(rows) if kind == "members" else write_departments(rows)
        return data, f"{kind}.csv"
    assert file is not None
    if isinstance(file, bytes):
        data, name = file, f"{kind}.csv"
    elif isinstance(file, str) and "\n" in file:
        raise TypeError("file is a path or the file's bytes; encode CSV text as UTF-8 first")
    else:
        path = Path(file)
        data, name = path.read_bytes(), path.name
    if kind == "members":
        read_members(data)  # raises TemplateError naming each bad cell, before any upload
    else:
        read_departments(data)
    return as_utf8(data), name  # WeCom reads UTF-8 only; Excel on Chinese Windows saves GBK


def _job_body(media_id: str, to_invite: bool | None, callback: Callback | None) -> dict[str, Any]:
    body: dict[str, Any] = {"media_id": media_id}
    if to_invite is not None:
        body["to_invite"] = to_invite
    if callback is not None:
        box = callback if isinstance(callback, JobCallback) else JobCallback.model_validate(callback)
        body["callback"] = box.to_wire()
    return body


class AsyncBatch(AsyncResource):
    def __init__(self, pipeline: AsyncPipeline) -> None:
        super().__init__(pipeline)
        self._media = AsyncMedia(pipeline)

    async def _media_id(self, kind: Literal["members", "departments"], media_id: str | None,
                        rows: Iterable[Any] | None, file: CsvFile | None) -> str:
        upload = _import_file(kind, media_id, rows, file)
        if upload is None:
            return str(media_id)
        return await self._media.upload(*upload)

    async def sync_users(
        self,
        media_id: str | None = None,
        *,
        rows: MemberRows | None = None,
        file: CsvFile | None = None,
        to_invite: bool = True,
        callback: Callback | None = None,
    ) -> str:
        """Start an incremental member import (update or add, never delete); returns the job id. https://developer.work.weixin.qq.com/document/path/90980

        Args:
            media_id: an uploaded member file. Or ``rows`` (written as the template and
                uploaded) or ``file`` (the CSV's bytes or path, checked, then uploaded).
            to_invite: invite the members the job creates.
            callback: where to push this job's ``batch_job_result`` event.
        """
        media = await self._media_id("members", media_id, rows, file)
        data = await self._call("batch/syncuser", body=_job_body(media, to_invite, callback))
        return str(data["jobid"])

    async def replace_users(
        self,
        media_id: str | None = None,
        *,
        rows: MemberRows | None = None,
        file: CsvFile | None = None,
        to_invite: bool = True,
        callback: Callback | None = None,
    ) -> str:
        """Start a full member replacement: the file wins, members not in it are deleted. https://developer.work.weixin.qq.com/document/path/90981

        WeCom aborts the job with 45026 when it would delete too many members (more than 50
        and 20% of them, or fewer than 50 but 80%). Arguments as for ``sync_users``.
        """
        media = await self._media_id("members", media_id, rows, file)
        data = await self._call("batch/replaceuser", body=_job_body(media, to_invite, callback))
        return str(data["jobid"])

    async def replace_departments(
        self,
        media_id: str | None = None,
        *,
        rows: DepartmentRows | None = None,
        file: CsvFile | None = None,
        callback: Callback | None = None,
    ) -> str:
        """Start a full department replacement: the file is the whole tree. https://developer.work.weixin.qq.com/document/path/90982

        Departments missing from the file are deleted once empty. Arguments as for
        ``sync_users``, with department rows.
        """
        media = await self._media_id("departments", media_id, rows, file)
        data = await self._call("batch/replaceparty", body=_job_body(media, None, callback))
        return str(data["jobid"])

    async def get_result(self, job_id: str) -> JobResult:
        """An import job's status, progress and per-row results. https://developer.work.weixin.qq.com/document/path/90983"""
        return await self._read("batch/getresult", _JOB_RESULT, params={"jobid": job_id})

    async def wait(
        self, job_id: str, *, timeout: float = 600.0, poll_interval: float = 0.2
    ) -> JobResult:
        """Poll get_result, backing off, until the job finishes; raises JobTimeout. https://developer.work.weixin.qq.com/document/path/90983

        The pause between polls grows from ``poll_interval``, and stretches to the time the
        job's progress between two polls says it still needs. A job WeCom failed as a whole (45026,
        302004, ...) raises that ApiError.
        """
        started = time.monotonic()
        delays = poll_delays(poll_interval)
        before: tuple[float, int] | None = None
        while True:
            result = await self.get_result(job_id)
            if result.finished:
                return result
            now = (time.monotonic() - started, result.percentage)
            if now[0] >= timeout:
                raise JobTimeout(job_id, timeout, result)
            pause = next_poll_delay(next(delays), before, now)
            before = now
            await asyncio.sleep(min(pause, timeout - now[0]))


# ---- generated by scripts/unasync.py: do not edit below this line ----


class Batch(Resource):
    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(pipeline)
        self._media = Media(pipeline)

    def _media_id(self, kind: Literal["members", "departments"], media_id: str | None,
                        rows: Iterable[Any] | None, file: CsvFile | None) -> str:
        upload = _import_file(kind, media_id, rows, file)
        if upload is None:
            return str(media_id)
        return self._media.upload(*upload)

    def sync_users(
        self,
        media_id: str | None = None,
        *,
        rows: MemberRows | None = None,
        file: CsvFile | None = None,
        to_invite: bool = True,
        callback: Callback | None = None,
    ) -> str:
        """Start an incremental member import (update or add, never delete); returns the job id. https://developer.work.weixin.qq.com/document/path/90980

        Args:
            media_id: an uploaded member file. Or ``rows`` (written as the template and
                uploaded) or ``file`` (the CSV's bytes or path, checked, then uploaded).
            to_invite: invite the members the job creates.
            callback: where to push this job's ``batch_job_result`` event.
        """
        media = self._media_id("members", media_id, rows, file)
        data = self._call("batch/syncuser", body=_job_body(media, to_invite, callback))
        return str(data["jobid"])

    def replace_users(
        self,
        media_id: str | None = None,
        *,
        rows: MemberRows | None = None,
        file: CsvFile | None = None,
        to_invite: bool = True,
        callback: Callback | None = None,
    ) -> str:
        """Start a full member replacement: the file wins, members not in it are deleted. https://developer.work.weixin.qq.com/document/path/90981

        WeCom aborts the job with 45026 when it would delete too many members (more than 50
        and 20% of them, or fewer than 50 but 80%). Arguments as for ``sync_users``.
        """
        media = self._media_id("members", media_id, rows, file)
        data = self._call("batch/replaceuser", body=_job_body(media, to_invite, callback))
        return str(data["jobid"])

    def replace_departments(
        self,
        media_id: str | None = None,
        *,
        rows: DepartmentRows | None = None,
        file: CsvFile | None = None,
        callback: Callback | None = None,
    ) -> str:
        """Start a full department replacement: the file is the whole tree. https://developer.work.weixin.qq.com/document/path/90982

        Departments missing from the file are deleted once empty. Arguments as for
        ``sync_users``, with department rows.
        """
        media = self._media_id("departments", media_id, rows, file)
        data = self._call("batch/replaceparty", body=_job_body(media, None, callback))
        return str(data["jobid"])

    def get_result(self, job_id: str) -> JobResult:
        """An import job's status, progress and per-row results. https://developer.work.weixin.qq.com/document/path/90983"""
        return self._read("batch/getresult", _JOB_RESULT, params={"jobid": job_id})

    def wait(
        self, job_id: str, *, timeout: float = 600.0, poll_interval: float = 0.2
    ) -> JobResult:
        """Poll get_result, backing off, until the job finishes; raises JobTimeout. https://developer.work.weixin.qq.com/document/path/90983

        The pause between polls grows from ``poll_interval``, and stretches to the time the
        job's progress between two polls says it still needs. A job WeCom failed as a whole (45026,
        302004, ...) raises that ApiError.
        """
        started = time.monotonic()
        delays = poll_delays(poll_interval)
        before: tuple[float, int] | None = None
        while True:
            result = self.get_result(job_id)
            if result.finished:
                return result
            now = (time.monotonic() - started, result.percentage)
            if now[0] >= timeout:
                raise JobTimeout(job_id, timeout, result)
            pause = next_poll_delay(next(delays), before, now)
            before = now
            time.sleep(min(pause, timeout - now[0]))
