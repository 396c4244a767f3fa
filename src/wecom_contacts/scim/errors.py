"""SCIM error bodies (RFC 7644 §3.12) and the one table that maps WeCom's answers onto them."""

from __future__ import annotations

from typing import Any, Final

from ..errors import (
    ApiError,
    BadResponse,
    Busy,
    Conflict,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RateLimited,
    TokenError,
    TokenFetchError,
    TransportError,
    WeComError,
)
from .schemas import ERROR_SCHEMA

__all__ = ["ERRCODE_STATUS", "ScimError", "from_wecom"]


class ScimError(Exception):
    """An answer in SCIM's error shape: HTTP status, optional ``scimType`` and a ``detail``."""

    def __init__(
        self,
        status: int,
        detail: str,
        scim_type: str | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(self.status)}
        if self.scim_type:
            out["scimType"] = self.scim_type
        out["detail"] = self.detail
        return out

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def invalid_syntax(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidSyntax")


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def invalid_path(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidPath")


def not_found(detail: str) -> ScimError:
    return ScimError(404, detail)


# errcode -> (HTTP status, scimType). Codes not listed fall back on their kind below. Chosen so
# that a provider retries what may succeed later (429, 503) and reports what will not (4xx).
ERRCODE_STATUS: Final[dict[int, tuple[int, str | None]]] = {
    60102: (409, "uniqueness"),  # userid already exists
    60104: (409, "uniqueness"),  # mobile already used
    60106: (409, "uniqueness"),  # e-mail already used
    40071: (409, "uniqueness"),  # tag name already exists
    # Targets are read (and answered 404) before any write, so a userid or department that
    # WeCom does not find during a write is one the request refers to: the request is wrong.
    60111: (400, "invalidValue"),  # userid not found (a manager, a member)
    46004: (400, "invalidValue"),  # user does not exist
    60003: (400, "invalidValue"),  # department not found
    40068: (404, None),  # tag id not found
    60005: (409, None),  # department still has members
    60006: (409, None),  # department still has sub-departments
    60008: (409, "uniqueness"),  # department name taken under that parent
    301036: (400, "mutability"),  # userid cannot be changed
    45009: (429, None),  # API frequency limit
    45033: (429, None),  # API concurrency limit
    -1: (503, None),  # system busy
    6000: (503, None),  # data version conflict: retry later
}

_KIND_STATUS: Final[dict[type[ApiError], tuple[int, str | None]]] = {
    RateLimited: (429, None),
    Busy: (503, None),
    TokenError: (503, None),
    Conflict: (409, "uniqueness"),
    # A missing *reference* (a department, a leader): the request is at fault. A missing
    # target is answered 404 by the service before WeCom is asked.
    NotFound: (400, "invalidValue"),
    InvalidArgument: (400, "invalidValue"),
    PermissionDenied: (403, None),
}


def from_wecom(exc: WeComError, doing: str, about: dict[int, str] | None = None) -> ScimError:
    """The SCIM answer for a WeCom failure while ``doing`` something (no member data in it).

    ``about`` names, per errcode, the attribute a refusal is about (e.g. 60111 → manager).
    """
    if isinstance(exc, TokenFetchError):
        return ScimError(503, f"{doing}: WeCom refused the service's credentials")
    if isinstance(exc, ApiError):
        status, scim_type = ERRCODE_STATUS.get(exc.errcode) or next(
            (v for k, v in _KIND_STATUS.items() if isinstance(exc, k)), (502, None)
        )
        detail = f"{doing}: WeCom errcode {exc.errcode} ({exc.meaning})"
        if about and exc.errcode in about:
            detail = f"{about[exc.errcode]}: {detail}"
        if exc.hint and status == 400:
            detail += f". {exc.hint}"
        return ScimError(status, detail, scim_type, retry_after=1 if status == 429 else None)
    if isinstance(exc, BadResponse):
        return ScimError(502, f"{doing}: WeCom answered HTTP {exc.status_code}")
    if isinstance(exc, TransportError):
        return ScimError(503, f"{doing}: WeCom could not be reached ({type(exc).__name__})")
    return ScimError(502, f"{doing}: {type(exc).__name__}")
