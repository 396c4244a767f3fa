"""Application message models: the answer of message/send."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ._base import WeComModel

__all__ = ["MessageResult"]


class MessageResult(WeComModel):
    """Recipients WeCom could not reach (errcode 0 even when some are invalid) and the
    message id (for recalling it)."""

    invalid_users: list[str] = Field(default_factory=list, alias="invaliduser")
    invalid_departments: list[str] = Field(default_factory=list, alias="invalidparty")
    invalid_tags: list[str] = Field(default_factory=list, alias="invalidtag")
    unlicensed_users: list[str] = Field(default_factory=list, alias="unlicenseduser")
    msgid: str = ""

    @field_validator("invalid_users", "invalid_departments", "invalid_tags",
                     "unlicensed_users", mode="before")
    @classmethod
    def _split_bars(cls, value: Any) -> Any:
        # message/send answers "a|b" strings (and "" for none), not arrays
        if isinstance(value, str):
            return [v for v in value.split("|") if v]
        return value
