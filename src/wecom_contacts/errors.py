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

Every error has ``may_have_been_applied``: whether the call could have taken effect although it
raised (a timeout, a dropped connection, a 5xx other than 503, a resent create answering "already
exists"). It is decided in one function here, ``_may_have_been_applied``, for every kind; a caller
that sees True looks at the directory before resending a non-idempotent call.

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

    @property
    def may_have_been_applied(self) -> bool:
        """Could the call have taken effect although it raised? Then look before resending."""
        return _may_have_been_applied(self)


class TransportError(WeComError):
    """No HTTP answer was received.

    ``may_have_been_applied`` says whether the server could have acted on the request; a
    non-idempotent call that fails that way is never resent blindly.
    """

    def __init__(self, message: str, *, endpoint: str = "") -> None:
        self.endpoint = endpoint
        where = f" calling {endpoint}" if endpoint else ""
        super().__init__(f"{message}{where}")


class ConnectError(TransportError):
    """The connection could not be made; the request never left."""


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
        return (_rebuild_api_error,
                (type(self), self.errcode, self.errmsg, self.endpoint, self.resent))


def _rebuild_api_error(
    cls: type[ApiError], errcode: int, errmsg: str, endpoint: str, resent: bool = False
) -> ApiError:
    return cls(errcode, errmsg, endpoint=endpoint, resent=resent)


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


# Answers that say the request was not carried out: 503 (not taken), 429 (throttled).
_NOT_CARRIED_OUT_STATUS = frozenset({429, 503})


def _may_have_been_applied(error: WeComError) -> bool:
    """The one place that decides whether a failed call could have taken effect."""
    if isinstance(error, ConnectError):
        return False  # the request never left this machine
    if isinstance(error, TransportError):
        return True  # sent, and no answer: the server may have acted on it
    if isinstance(error, BadResponse):
        if error.status_code in _NOT_CARRIED_OUT_STATUS:
            return False
        # A 5xx (a proxy's 502/504, a crash after the commit) or an unreadable 200 can come
        # after the write was applied; other 4xx are a proxy refusing to forward the call.
        return error.status_code >= 500 or error.status_code == 200
    if isinstance(error, ApiError):
        # A resend happens only after an answer saying "not carried out" (-1, 45009, 45033,
        # 503); WeCom sometimes carries those out anyway, and "already exists" then shows it.
        return error.resent and isinstance(error, Conflict)
    return False


def error_for(errcode: int, errmsg: str, *, endpoint: str, resent: bool = False) -> ApiError:
    """Build the typed exception for an errcode: the one place that maps codes to classes."""
    info = lookup(errcode)
    cls = _BY_KIND.get(info.kind, ApiError)
    return cls(errcode, errmsg, endpoint=endpoint, info=info, resent=resent)
