"""wecom-contacts: the WeCom (企业微信) Contacts API toolkit."""

from ._http.decide import RetryPolicy
from ._http.ratelimit import LocalRateLimiter, RateLimiter
from ._types import NOT_GIVEN, NotGiven
from .client import AsyncClient, Client
from .errors import (
    ApiError,
    BadResponse,
    Busy,
    Conflict,
    ConnectError,
    ConnectionDropped,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    TokenError,
    TokenFetchError,
    TransportError,
    WeComError,
)
from .models import Department, DepartmentRef
from .tokens import MemoryTokenStore, SQLiteTokenStore, Token, TokenStore

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "ApiError",
    "AsyncClient",
    "BadResponse",
    "Busy",
    "Client",
    "Conflict",
    "ConnectError",
    "ConnectionDropped",
    "Department",
    "DepartmentRef",
    "InvalidArgument",
    "LocalRateLimiter",
    "MemoryTokenStore",
    "NotFound",
    "NotGiven",
    "PermissionDenied",
    "RateLimited",
    "RateLimiter",
    "RequestTimeout",
    "RetryPolicy",
    "SQLiteTokenStore",
    "Token",
    "TokenError",
    "TokenFetchError",
    "TokenStore",
    "TransportError",
    "WeComError",
    "__version__",
]
