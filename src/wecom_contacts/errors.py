"""Exceptions: one root, transport vs response vs API errors, API errors split by kind.

    WeComError
    ├── TransportError            the request did not get an HTTP answer
    │   ├── ConnectError          never reached the server: safe to resend
    │   ├── RequestTimeout        sent, no answer in time: may have been applied
    │   └── ConnectionDropped     the server closed the connection: may have been applied
    ├── BadResponse               an HTTP answer that is not a WeCom envelope (5xx, HTML, ...)
    ├── TokenFetchError           gettoken itself failed (wrong corp id or secret, ...)
    └── ApiError                  errcode != 0; subclass chosen by the errcode's kind
        ├── TokenError            40014 / 42001 / 41001: the token was refused
        ├── RateLimited           45009 / 45033 ...
        ├── Busy                  -1 / 6000 ...: try again later
        ├── NotFound              60003 / 60111 / 46004 ...
        ├── Conflict              60008 / 60102 / 60104 / 60005 ...
        ├── InvalidArgument       validation failures
        └── PermissionDenied      48002 / 48009 / 60011 / 60020 ...

Codes are data (``wecom_contacts._errcodes``); the kind decides the class. Texts never contain
a secret or a token: the pipeline never puts them in, and API errors carry WeCom's errmsg,
which holds neither.
"""

from __future__ import annotations

from ._errcodes import ErrcodeInfo, ErrorKind, lookup

__all__ = [
    "ApiError",
    "BadResponse",
    "Busy",
    "Conflict",
    "ConnectError",
    "ConnectionDropped",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RequestTimeout",
    "TokenError",
    "TokenFetchError",
    "TransportError",
    "WeComError",
    "error_for",
]


class WeComError(Exception):
    """Root of every error raised by wecom_contacts."""


class TransportError(WeComError):
    """No HTTP answer was received.

    ``may_have_been_applied`` says whether the server could have acted on the request; a
    non-idempotent call that fails that way is never resent blindly.
    """

    may_have_been_applied: bool = True

    def __init__(self, message: str, *, endpoint: str = "") -> None:
        self.endpoint = endpoint
        where = f" calling {endpoint}" if endpoint else ""
        super().__init__(f"{message}{where}")


class ConnectError(TransportError):
    """The connection could not be made; the request never left."""

    may_have_been_applied = False


class RequestTimeout(TransportError):
    """The request was sent but no answer came in time."""


class ConnectionDropped(TransportError):
    """The server closed the connection before answering."""


class BadResponse(WeComError):
    """An HTTP answer that is not a WeCom JSON envelope (a 5xx, a proxy's HTML page, ...)."""

    def __init__(self, message: str, *, status_code: int, endpoint: str) -> None:
        self.status_code = status_code
        self.endpoint = endpoint
        super().__init__(f"{message} (HTTP {status_code} from {endpoint})")


class ApiError(WeComError):
    """WeCom answered with a non-zero errcode."""

    kind: ErrorKind = "other"

    def __init__(
        self,
        errcode: int,
        errmsg: str,
        *,
        endpoint: str,
        info: ErrcodeInfo | None = None,
        resent: bool = False,
    ) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        self.info = info if info is not None else lookup(errcode)
        self.resent = resent
        super().__init__(self._text())

    @property
    def meaning(self) -> str:
        """The errcode's English meaning from the table."""
        return self.info.en

    @property
    def hint(self) -> str:
        """What to check, from the table."""
        return self.info.hint

    def _text(self) -> str:
        text = f"errcode {self.errcode} ({self.info.en}) from {self.endpoint}: {self.errmsg!r}"
        if self.info.hint:
            text += f". Hint: {self.info.hint}"
        if self.resent:
            text += " [after a resend: the first attempt may have been applied]"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_api_error, (type(self), self.errcode, self.errmsg, self.endpoint))


def _rebuild_api_error(
    cls: type[ApiError], errcode: int, errmsg: str, endpoint: str
) -> ApiError:
    return cls(errcode, errmsg, endpoint=endpoint)


class TokenError(ApiError):
    """The access token was refused (expired, revoked, garbled)."""

    kind = "token"


class RateLimited(ApiError):
    """A frequency or concurrency limit was hit."""

    kind = "rate_limit"


class Busy(ApiError):
    """WeCom is busy or a concurrent change conflicted; try again later."""

    kind = "busy"


class NotFound(ApiError):
    """The object does not exist (or is outside the caller's scope)."""

    kind = "not_found"


class Conflict(ApiError):
    """The object already exists, a value is taken, or the object is not empty."""

    kind = "conflict"


class InvalidArgument(ApiError):
    """A parameter was refused by WeCom's validation."""

    kind = "invalid_argument"


class PermissionDenied(ApiError):
    """The secret, app or IP may not do this."""

    kind = "permission"


class TokenFetchError(ApiError):
    """``gettoken`` failed: check the corp id and secret (their values are never shown)."""


_BY_KIND: dict[str, type[ApiError]] = {
    "token": TokenError,
    "rate_limit": RateLimited,
    "busy": Busy,
    "not_found": NotFound,
    "conflict": Conflict,
    "invalid_argument": InvalidArgument,
    "permission": PermissionDenied,
    "other": ApiError,
}


def error_for(errcode: int, errmsg: str, *, endpoint: str, resent: bool = False) -> ApiError:
    """Build the typed exception for an errcode: the one place that maps codes to classes."""
    info = lookup(errcode)
    cls = _BY_KIND.get(info.kind, ApiError)
    return cls(errcode, errmsg, endpoint=endpoint, info=info, resent=resent)
