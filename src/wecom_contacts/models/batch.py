"""Import-job models: the per-job callback, ``batch/getresult`` answers and their rows."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator

from ._base import WeComModel

__all__ = ["DepartmentAction", "JobCallback", "JobResult", "JobRowResult", "JobStatus"]


class JobStatus(enum.IntEnum):
    """``batch/getresult`` status (export jobs count differently: see ExportStatus)."""

    STARTED = 1
    RUNNING = 2
    FINISHED = 3


class DepartmentAction(enum.IntFlag):
    """What replaceparty did to a department (a bit mask, batch.md §5.4)."""

    NONE = 0
    CREATED = 1
    RENAMED = 2
    MOVED = 4
    ORDER_CHANGED = 8


class JobCallback(WeComModel):
    """Where WeCom pushes this job's ``batch_job_result`` event (instead of the default URL)."""

    url: str
    token: str
    encoding_aes_key: str = Field(alias="encodingaeskey")

    def __repr_args__(self) -> Iterator[tuple[str, Any]]:
        yield "url", self.url  # the token and the key stay out of reprs and logs


class JobRowResult(WeComModel):
    """One row of a finished job: a member (``userid``) or a department (``department_id``)."""

    userid: str | None = None
    department_id: int | None = Field(default=None, alias="partyid")
    action: DepartmentAction = DepartmentAction.NONE
    errcode: int = 0
    errmsg: str = ""

    @field_validator("action", mode="before")
    @classmethod
    def _known_bits(cls, value: Any) -> Any:
        return DepartmentAction(int(value) & 15) if isinstance(value, int) else value

    @property
    def ok(self) -> bool:
        return self.errcode == 0


class JobResult(WeComModel):
    """An import job's progress and, once finished, one result per row of the file.

    ``type`` is ``sync_user``, ``replace_user`` or ``replace_party``; ``status`` a JobStatus;
    ``result`` is meaningful only once ``finished``.
    """

    status: int
    type: str = ""
    total: int = 0
    percentage: int = 0
    result: list[JobRowResult] = Field(default_factory=list)

    @field_validator("result", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def finished(self) -> bool:
        return self.status == JobStatus.FINISHED

    @property
    def failed_rows(self) -> list[JobRowResult]:
        """The rows WeCom refused, each with its errcode."""
        return [row for row in self.result if not row.ok]
