"""Export-job models: the ``export/get_result`` answer and the data files it lists."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field, field_validator

from ._base import WeComModel

__all__ = ["ExportFile", "ExportResult", "ExportStatus"]


class ExportStatus(enum.IntEnum):
    """``export/get_result`` status: 0-3, unlike the import jobs' 1-3 (export.md)."""

    PENDING = 0
    PROCESSING = 1
    FINISHED = 2
    FAILED = 3


class ExportFile(WeComModel):
    """One encrypted data file: its URL (valid 2 hours), ciphertext size and MD5 (hex)."""

    url: str
    size: int
    md5: str


class ExportResult(WeComModel):
    """An export job's status and, once finished, its data files in order."""

    status: int
    files: list[ExportFile] = Field(default_factory=list, alias="data_list")

    @field_validator("files", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def finished(self) -> bool:
        return self.status == ExportStatus.FINISHED

    @property
    def failed(self) -> bool:
        return self.status == ExportStatus.FAILED
