"""Export jobs (异步导出): members, member details, departments, tag members; get and decrypt."""

from __future__ import annotations

import asyncio
import builtins
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

from .._http.answers import Whole
from .._types import NOT_GIVEN, Omittable, drop_omitted
from ..errors import BadResponse
from ..export_files import aes_key, decrypt_export_file, export_records, verify_export_file
from ..jobs import ExportFailed, ExportFileError, JobTimeout, poll_delays
from ..models.export import ExportFile, ExportResult
from ._base import AsyncResource, Resource

__all__ = ["AsyncExport", "Export"]

# What each endpoint answers, read in one pass from the bytes (_http/answers.py).
_EXPORT_RESULT = Whole(ExportResult)

# one data file holds up to block_size (default 10^6) entries: give it time
FILE_TIMEOUT: Final = 300.0


def _export_body(encoding_aes_key: str, block_size: Omittable[int], **extra: Any) -> dict[str, Any]:
    aes_key(encoding_aes_key)  # a malformed key fails here, not after the job ran
    return drop_omitted(**extra, encoding_aeskey=encoding_aes_key, block_size=block_size)


def _file_records(job_id: str, number: int, file: ExportFile, data: bytes,
                  encoding_aes_key: str) -> builtins.list[dict[str, Any]]:
    """Check one downloaded file against get_result, decrypt it, and parse its records."""
    problem = verify_export_file(data, size=file.size, md5=file.md5)
    try:
        if problem is None:
            return builtins.list(export_records(decrypt_export_file(data, encoding_aes_key)))
    except ValueError as exc:
        problem = str(exc)
    raise ExportFileError(f"export {job_id}, file {number}: {problem}", job_id=job_id)


class AsyncExport(AsyncResource):
    async def simple_users(
        self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of members (userid, name, departments); returns the job id. https://developer.work.weixin.qq.com/document/path/94849

        Args:
            encoding_aes_key: 43 characters from A-Z a-z 0-9 that the files are encrypted
                with (``generate_encoding_aes_key()`` makes one); keep it for ``download``.
            block_size: entries per file, 10^4 to 10^6 (WeCom's default 10^6).
        """
        body = _export_body(encoding_aes_key, block_size)
        return str((await self._call("export/simple_user", body=body))["jobid"])

    async def users(self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN) -> str:
        """Start an export of members with details; returns the job id. https://developer.work.weixin.qq.com/document/path/94851"""
        body = _export_body(encoding_aes_key, block_size)
        return str((await self._call("export/user", body=body))["jobid"])

    async def departments(
        self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of departments; returns the job id. https://developer.work.weixin.qq.com/document/path/94852"""
        body = _export_body(encoding_aes_key, block_size)
        return str((await self._call("export/department", body=body))["jobid"])

    async def tag_users(
        self, tag_id: int, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of a tag's members and departments; returns the job id. https://developer.work.weixin.qq.com/document/path/94853"""
        body = _export_body(encoding_aes_key, block_size, tagid=tag_id)
        return str((await self._call("export/taguser", body=body))["jobid"])

    async def get_result(self, job_id: str) -> ExportResult:
        """An export job's status and, once finished, its file links. https://developer.work.weixin.qq.com/document/path/94854"""
        return await self._read("export/get_result", _EXPORT_RESULT, params={"jobid": job_id})

    async def wait(
        self, job_id: str, *, timeout: float = 600.0, poll_interval: float = 0.2
    ) -> ExportResult:
        """Poll get_result, backing off, until the files are ready; JobTimeout or ExportFailed otherwise. https://developer.work.weixin.qq.com/document/path/94854"""
        deadline = time.monotonic() + timeout
        delays = poll_delays(poll_interval)
        while True:
            result = await self.get_result(job_id)
            if result.finished:
                return result
            if result.failed:
                raise ExportFailed(f"export {job_id} failed (status 3)", job_id=job_id)
            left = deadline - time.monotonic()
            if left <= 0:
                raise JobTimeout(job_id, timeout, result)
            await asyncio.sleep(min(next(delays), left))

    async def _fetch(self, url: str, number: int) -> bytes:
        # the file URLs are signed CDN links: no access_token, no envelope, no retry policy
        raw = await self._pipeline.transport.send(
            "GET", url, params={}, content=None, upload=None, timeout=FILE_TIMEOUT
        )
        if raw.status_code != 200:
            raise BadResponse("could not download an export file", status_code=raw.status_code,
                              endpoint=f"export file {number}")
        return raw.content

    async def aiter_download(
        self, job_id: str, encoding_aes_key: str, *, timeout: float = 600.0
    ) -> AsyncIterator[dict[str, Any]]:
        """Wait for the export, then yield its records one file at a time. https://developer.work.weixin.qq.com/document/path/94854

        Each file's size and MD5 are checked before it is decrypted (ExportFileError).
        """
        aes_key(encoding_aes_key)
        result = await self.wait(job_id, timeout=timeout)
        for number, file in enumerate(result.files, 1):
            data = await self._fetch(file.url, number)
            # an async generator cannot `yield from`; the sync twin is generated from this
            for record in _file_records(job_id, number, file, data, encoding_aes_key):  # noqa: UP028, RUF100
                yield record

    async def download(
        self, job_id: str, encoding_aes_key: str, *, timeout: float = 600.0
    ) -> builtins.list[dict[str, Any]]:
        """Wait for the export, fetch every file, check and decrypt it; returns all records. https://developer.work.weixin.qq.com/document/path/94854"""
        return [r async for r in self.aiter_download(job_id, encoding_aes_key, timeout=timeout)]


# ---- generated by scripts/unasync.py: do not edit below this line ----


class Export(Resource):
    def simple_users(
        self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of members (userid, name, departments); returns the job id. https://developer.work.weixin.qq.com/document/path/94849

        Args:
            encoding_aes_key: 43 characters from A-Z a-z 0-9 that the files are encrypted
                with (``generate_encoding_aes_key()`` makes one); keep it for ``download``.
            block_size: entries per file, 10^4 to 10^6 (WeCom's default 10^6).
        """
        body = _export_body(encoding_aes_key, block_size)
        return str((self._call("export/simple_user", body=body))["jobid"])

    def users(self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN) -> str:
        """Start an export of members with details; returns the job id. https://developer.work.weixin.qq.com/document/path/94851"""
        body = _export_body(encoding_aes_key, block_size)
        return str((self._call("export/user", body=body))["jobid"])

    def departments(
        self, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of departments; returns the job id. https://developer.work.weixin.qq.com/document/path/94852"""
        body = _export_body(encoding_aes_key, block_size)
        return str((self._call("export/department", body=body))["jobid"])

    def tag_users(
        self, tag_id: int, encoding_aes_key: str, *, block_size: Omittable[int] = NOT_GIVEN
    ) -> str:
        """Start an export of a tag's members and departments; returns the job id. https://developer.work.weixin.qq.com/document/path/94853"""
        body = _export_body(encoding_aes_key, block_size, tagid=tag_id)
        return str((self._call("export/taguser", body=body))["jobid"])

    def get_result(self, job_id: str) -> ExportResult:
        """An export job's status and, once finished, its file links. https://developer.work.weixin.qq.com/document/path/94854"""
        return self._read("export/get_result", _EXPORT_RESULT, params={"jobid": job_id})

    def wait(
        self, job_id: str, *, timeout: float = 600.0, poll_interval: float = 0.2
    ) -> ExportResult:
        """Poll get_result, backing off, until the files are ready; JobTimeout or ExportFailed otherwise. https://developer.work.weixin.qq.com/document/path/94854"""
        deadline = time.monotonic() + timeout
        delays = poll_delays(poll_interval)
        while True:
            result = self.get_result(job_id)
            if result.finished:
                return result
            if result.failed:
                raise ExportFailed(f"export {job_id} failed (status 3)", job_id=job_id)
            left = deadline - time.monotonic()
            if left <= 0:
                raise JobTimeout(job_id, timeout, result)
            time.sleep(min(next(delays), left))

    def _fetch(self, url: str, number: int) -> bytes:
        # the file URLs are signed CDN links: no access_token, no envelope, no retry policy
        raw = self._pipeline.transport.send(
            "GET", url, params={}, content=None, upload=None, timeout=FILE_TIMEOUT
        )
        if raw.status_code != 200:
            raise BadResponse("could not download an export file", status_code=raw.status_code,
                              endpoint=f"export file {number}")
        return raw.content

    def iter_download(
        self, job_id: str, encoding_aes_key: str, *, timeout: float = 600.0
    ) -> Iterator[dict[str, Any]]:
        """Wait for the export, then yield its records one file at a time. https://developer.work.weixin.qq.com/document/path/94854

        Each file's size and MD5 are checked before it is decrypted (ExportFileError).
        """
        aes_key(encoding_aes_key)
        result = self.wait(job_id, timeout=timeout)
        for number, file in enumerate(result.files, 1):
            data = self._fetch(file.url, number)
            # an async generator cannot `yield from`; the sync twin is generated from this
            for record in _file_records(job_id, number, file, data, encoding_aes_key):  # noqa: UP028, RUF100
                yield record

    def download(
        self, job_id: str, encoding_aes_key: str, *, timeout: float = 600.0
    ) -> builtins.list[dict[str, Any]]:
        """Wait for the export, fetch every file, check and decrypt it; returns all records. https://developer.work.weixin.qq.com/document/path/94854"""
        return [r for r in self.iter_download(job_id, encoding_aes_key, timeout=timeout)]
