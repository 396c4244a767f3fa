"""gettoken: one live token per secret, reused until it expires (README.md "gettoken")."""

from __future__ import annotations

import math
from typing import Any

from ...config import EmulatorConfig
from ...errors import ApiError
from ...rules.common import Params
from ...store.facade import Store


def gettoken(store: Store, config: EmulatorConfig, p: Params, now: float) -> dict[str, Any]:
    corpid = p.text("corpid")
    if not corpid:
        raise ApiError(41002)
    secret = p.text("corpsecret")
    if not secret:
        raise ApiError(41004)
    if corpid != config.corp_id:
        raise ApiError(40013)
    if store.secrets.get(secret) is None:
        raise ApiError(40001)
    current = store.tokens.current(secret, now)
    token, expires_at = current or store.tokens.issue(secret, now, config.token_lifetime)
    if config.token_expires_in == "full":
        expires_in = config.token_lifetime
    else:
        expires_in = max(1, math.ceil(expires_at - now))
    return {"access_token": token, "expires_in": expires_in}
