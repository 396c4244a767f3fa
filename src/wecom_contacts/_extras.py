"""Optional parts: import a dependency an extra provides, or fail with one line naming the extra.

``require("redis", extra="redis", feature="wecom_contacts.redis", dist="redis-py")`` returns the
module, or raises ``MissingExtra`` (an ``ImportError``) whose message is the whole story:
``wecom_contacts.redis needs redis-py: pip install 'wecom-contacts[redis]'``. The CLI maps it
to that line and exit 2 (cli/_errors.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtra", "require"]


class MissingExtra(ImportError):
    """An optional part was used without its extra installed."""

    def __init__(self, *, feature: str, dist: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs {dist}: pip install 'wecom-contacts[{extra}]'", name=module
        )
        self.feature = feature
        self.dist = dist
        self.extra = extra


def require(module: str, *, extra: str, feature: str, dist: str | None = None) -> ModuleType:
    """Import ``module``; when it (or one of its own imports) is missing, raise MissingExtra.

    ``dist`` is the distribution's name as a user knows it (default: the module's top name).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            feature=feature, dist=dist or module.split(".")[0], extra=extra, module=module
        ) from exc
