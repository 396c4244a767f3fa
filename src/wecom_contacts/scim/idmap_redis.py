"""The id map on Redis, for SCIM instances on several hosts (needs the ``redis`` extra).

Per kind: a hash ``…:id:<scim id>`` {key, ext}, and two indexes ``…:key:<key>`` and
``…:ext:<externalId>`` → scim id. ``put`` and ``delete`` are single Lua scripts, so two
instances never leave half a row. Calls are synchronous (one round trip each, like the SQLite
map's); use a Redis on the same network.
"""

from __future__ import annotations

from typing import Any

import redis

from .idmap import IdRow, Kind

__all__ = ["RedisIdMap"]

_PUT = """
local base, scim_id, key, ext = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function drop(id)
  local row = redis.call('HMGET', base .. 'id:' .. id, 'key', 'ext')
  if row[1] then redis.call('DEL', base .. 'key:' .. row[1]) end
  if row[2] and row[2] ~= '' then redis.call('DEL', base .. 'ext:' .. row[2]) end
  redis.call('DEL', base .. 'id:' .. id)
end
local holder = redis.call('GET', base .. 'key:' .. key)
if holder and holder ~= scim_id then drop(holder) end
drop(scim_id)
redis.call('HSET', base .. 'id:' .. scim_id, 'key', key, 'ext', ext)
redis.call('SET', base .. 'key:' .. key, scim_id)
if ext ~= '' then redis.call('SET', base .. 'ext:' .. ext, scim_id) end
return 1
"""

_DELETE = """
local base, scim_id = ARGV[1], ARGV[2]
local row = redis.call('HMGET', base .. 'id:' .. scim_id, 'key', 'ext')
if row[1] then redis.call('DEL', base .. 'key:' .. row[1]) end
if row[2] and row[2] ~= '' then redis.call('DEL', base .. 'ext:' .. row[2]) end
redis.call('DEL', base .. 'id:' .. scim_id)
return 1
"""


class RedisIdMap:
    """``RedisIdMap.from_url("redis://…")``; single-node Redis (not Cluster)."""

    def __init__(self, client: redis.Redis, *, prefix: str = "") -> None:
        self._redis = client
        self._prefix = prefix
        self._put: Any = client.register_script(_PUT)
        self._delete: Any = client.register_script(_DELETE)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "", **redis_kwargs: Any) -> RedisIdMap:
        return cls(redis.Redis.from_url(url, **redis_kwargs), prefix=prefix)

    def close(self) -> None:
        self._redis.close()

    def _base(self, kind: Kind) -> str:
        return f"{self._prefix}wecom:scim:{kind}:"

    def _row(self, kind: Kind, scim_id: str | None) -> IdRow | None:
        if scim_id is None:
            return None
        found = self._redis.hmget(self._base(kind) + "id:" + scim_id, ["key", "ext"])
        key, ext = (v.decode() if isinstance(v, bytes) else v for v in found)
        return IdRow(kind, scim_id, key, ext or None) if key is not None else None

    def _index(self, kind: Kind, name: str, value: str) -> str | None:
        found = self._redis.get(self._base(kind) + f"{name}:{value}")
        return found.decode() if isinstance(found, bytes) else found

    def by_scim_id(self, kind: Kind, scim_id: str) -> IdRow | None:
        return self._row(kind, scim_id)

    def by_key(self, kind: Kind, key: str) -> IdRow | None:
        return self._row(kind, self._index(kind, "key", key))

    def by_external_id(self, kind: Kind, external_id: str) -> IdRow | None:
        return self._row(kind, self._index(kind, "ext", external_id))

    def put(self, row: IdRow) -> None:
        self._put(args=[self._base(row.kind), row.scim_id, row.key, row.external_id or ""])

    def delete(self, kind: Kind, scim_id: str) -> None:
        self._delete(args=[self._base(kind), scim_id])
