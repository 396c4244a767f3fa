"""The SCIM 2.0 ASGI app (Starlette): bearer auth, routes, pagination, attribute projection."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..client import AsyncClient
from .dept_groups import DepartmentGroupService
from .errors import ScimError, invalid_syntax, invalid_value, not_found
from .filter import parse_filter
from .groups import GroupService
from .idmap import IdMap, MemoryIdMap
from .mapping import ScimConfig
from .schemas import (
    LIST_RESPONSE,
    MAX_RESULTS,
    resource_types,
    schemas,
    service_provider_config,
)
from .users import UserService

__all__ = ["create_app"]

log = logging.getLogger("wecom_contacts.scim")
MAX_BODY = 1_000_000
SCIM_JSON = "application/scim+json"
Handler = Callable[[Request], Awaitable[Any]]


class _Services:
    def __init__(self) -> None:
        self.client: AsyncClient | None = None
        self.users: UserService | None = None
        self.groups: GroupService | DepartmentGroupService | None = None


def create_app(
    client: AsyncClient | Callable[[], AsyncClient],
    *,
    tokens: Sequence[str],
    config: ScimConfig | None = None,
    id_map: IdMap | None = None,
    base_url: str = "",
    close_id_map: bool = False,
) -> Starlette:
    """The SCIM service provider in front of WeCom.

    Args:
        client: the AsyncClient to call WeCom with (you close it), or a factory called at
            start-up whose client the app closes at shutdown.
        tokens: the accepted bearer tokens; anything else is answered 401.
        id_map: where SCIM ids and externalIds are kept (``MemoryIdMap`` by default).
        base_url: the public URL the app is served under, for ``meta.location``.
        close_id_map: close ``id_map`` (if it has ``close()``) at shutdown.
    """
    accepted = [t.encode("utf-8") for t in tokens if t]
    if not accepted:
        raise ValueError("at least one bearer token is required")
    config = config or ScimConfig()
    ids = id_map if id_map is not None else MemoryIdMap()
    base = base_url.rstrip("/")
    services = _Services()

    def bind(api: AsyncClient) -> None:
        services.client = api
        services.users = UserService(api, config, ids, base)
        kind = DepartmentGroupService if config.groups == "departments" else GroupService
        services.groups = kind(api, ids, services.users, base)

    if isinstance(client, AsyncClient):
        bind(client)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        owned = None
        if services.client is None:
            assert callable(client)
            owned = client()
            bind(owned)
        try:
            yield
        finally:
            if owned is not None:
                await owned.aclose()
            closer = getattr(ids, "close", None)
            if close_id_map and callable(closer):
                closer()

    def authorised(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            return False
        presented = given.strip().encode("utf-8")
        # Compare with every token, always, so that timing tells nothing about which matched.
        found = False
        for token in accepted:
            found |= hmac.compare_digest(presented, token)
        return found

    def endpoint(handler: Handler, template: str) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            started = time.monotonic()
            try:
                if not authorised(request):
                    response: Response = _error(ScimError(401, "a valid bearer token is "
                                                          "required"))
                    response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
                elif services.users is None:
                    response = _error(ScimError(503, "the service is starting"))
                else:
                    response = _respond(await handler(request))
            except ScimError as exc:
                response = _error(exc)
            except Exception as exc:
                # The type and the line only: an exception's text may quote member data.
                tb = exc.__traceback__
                while tb is not None and tb.tb_next is not None:
                    tb = tb.tb_next
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
                log.error("%s %s failed: %s at %s", request.method, template,
                          type(exc).__name__, where)
                response = _error(ScimError(500, "internal error"))
            # Only the route template and the status: no ids, filters or other member data.
            log.info("%s %s -> %d in %.0f ms", request.method, template, response.status_code,
                     (time.monotonic() - started) * 1000)
            return response

        return run

    def users() -> UserService:
        assert services.users is not None
        return services.users

    def groups() -> GroupService | DepartmentGroupService:
        assert services.groups is not None
        return services.groups

    async def list_users(request: Request) -> Any:
        tree = _filter(request)
        return _list(request, await users().search(tree))

    async def list_groups(request: Request) -> Any:
        tree = _filter(request)
        found = await groups().search(tree, with_members=_wants_members(request, tree))
        return _list(request, found)

    async def create_user(request: Request) -> Any:
        return 201, _project(request, await users().create(await _json(request)))

    async def create_group(request: Request) -> Any:
        return 201, _project(request, await groups().create(await _json(request)))

    async def one_user(request: Request) -> Any:
        scim_id = request.path_params["id"]
        if request.method == "GET":
            return _project(request, await users().get(scim_id))
        if request.method == "PUT":
            return _project(request, await users().replace(scim_id, await _json(request)))
        if request.method == "PATCH":
            return _project(request, await users().patch(scim_id, await _json(request)))
        await users().delete(scim_id)
        return 204, None

    async def one_group(request: Request) -> Any:
        scim_id = request.path_params["id"]
        if request.method == "GET":
            wanted = _wants_members(request, None)
            return _project(request, await groups().get(scim_id, with_members=wanted))
        if request.method == "PUT":
            return _project(request, await groups().replace(scim_id, await _json(request)))
        if request.method == "PATCH":
            return _project(request, await groups().patch(scim_id, await _json(request)))
        await groups().delete(scim_id)
        return 204, None

    async def spc(_: Request) -> Any:
        return service_provider_config(base)

    async def list_resource_types(request: Request) -> Any:
        return _list(request, resource_types(base))

    async def one_resource_type(request: Request) -> Any:
        return _one(resource_types(base), request.path_params["id"], "ResourceType")

    async def list_schemas(request: Request) -> Any:
        return _list(request, schemas(base))

    async def one_schema(request: Request) -> Any:
        return _one(schemas(base), request.path_params["id"], "Schema")

    table: list[tuple[str, Handler, list[str]]] = [
        ("/Users", list_users, ["GET"]),
        ("/Users", create_user, ["POST"]),
        ("/Users/{id}", one_user, ["GET", "PUT", "PATCH", "DELETE"]),
        ("/Groups", list_groups, ["GET"]),
        ("/Groups", create_group, ["POST"]),
        ("/Groups/{id}", one_group, ["GET", "PUT", "PATCH", "DELETE"]),
        ("/ServiceProviderConfig", spc, ["GET"]),
        ("/ResourceTypes", list_resource_types, ["GET"]),
        ("/ResourceTypes/{id}", one_resource_type, ["GET"]),
        ("/Schemas", list_schemas, ["GET"]),
        ("/Schemas/{id:path}", one_schema, ["GET"]),
    ]
    routes = [Route(path, endpoint(handler, path), methods=methods)
              for path, handler, methods in table]

    async def no_route(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return _error(ScimError(status, "no such endpoint" if status == 404
                                else f"{request.method} is not allowed here"))

    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={404: no_route, 405: no_route})


def _respond(result: Any) -> Response:
    status, body = result if isinstance(result, tuple) else (200, result)
    if body is None:
        return Response(status_code=status)
    response = JSONResponse(body, status_code=status, media_type=SCIM_JSON)
    location = body.get("meta", {}).get("location") if isinstance(body, dict) else None
    if status == 201 and location:
        response.headers["Location"] = location
    return response


def _error(exc: ScimError) -> Response:
    return JSONResponse(exc.body(), status_code=exc.status, media_type=SCIM_JSON,
                        headers=exc.headers())


async def _json(request: Request) -> dict[str, Any]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # stop reading at the limit, not after the body
        size += len(chunk)
        if size > MAX_BODY:
            raise ScimError(413, f"request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise invalid_syntax(f"request body is not valid JSON: {exc.args[0]}") from None
    if not isinstance(body, dict):
        raise invalid_syntax("request body must be a JSON object")
    return body


def _filter(request: Request) -> Any:
    text = request.query_params.get("filter")
    return parse_filter(text) if text else None


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid_value(f"{name} must be an integer, not {raw!r}") from None


def _wants_members(request: Request, tree: Any) -> bool:
    """Whether tag members must be read: shown, or named by the filter."""
    if tree is not None and "members" in request.query_params.get("filter", "").lower():
        return True
    attributes = _names(request, "attributes")
    if "members" in _names(request, "excludedAttributes"):
        return False
    return not attributes or any(a.split(".")[0] == "members" for a in attributes)


def _names(request: Request, param: str) -> set[str]:
    raw = request.query_params.get(param, "")
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def _list(request: Request, resources: list[dict[str, Any]]) -> dict[str, Any]:
    start = max(_int_param(request, "startIndex", 1), 1)
    count = min(max(_int_param(request, "count", MAX_RESULTS), 0), MAX_RESULTS)
    page = resources[start - 1:start - 1 + count]
    return {
        "schemas": [LIST_RESPONSE], "totalResults": len(resources), "startIndex": start,
        "itemsPerPage": len(page), "Resources": [_project(request, r) for r in page],
    }


def _one(documents: list[dict[str, Any]], wanted: str, kind: str) -> dict[str, Any]:
    found = next((d for d in documents if d["id"] == wanted), None)
    if found is None:
        raise not_found(f"{kind} {wanted} not found")
    return found


_ALWAYS = frozenset({"schemas", "id", "meta"})


def _project(request: Request, resource: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` keeps only the named ones; ``excludedAttributes`` drops them."""
    attributes = _names(request, "attributes")
    excluded = _names(request, "excludedAttributes")
    if not attributes and not excluded:
        return resource
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key in _ALWAYS:
            out[key] = value
        elif isinstance(value, dict) and key.startswith("urn:"):
            kept = {k: v for k, v in value.items() if _kept(f"{key}:{k}", attributes, excluded)}
            if kept:
                out[key] = kept
        elif _kept(key, attributes, excluded):
            out[key] = _sub_project(key, value, attributes)
    return out


def _kept(name: str, attributes: set[str], excluded: set[str]) -> bool:
    lowered = name.lower()
    if lowered in excluded:
        return False
    if not attributes:
        return True
    return lowered in attributes or any(a.startswith(lowered + ".") for a in attributes)


def _sub_project(key: str, value: Any, attributes: set[str]) -> Any:
    subs = {a.split(".", 1)[1] for a in attributes if a.startswith(key.lower() + ".")}
    if not subs or key.lower() in attributes:
        return value
    if isinstance(value, list):
        return [{k: v for k, v in e.items() if k.lower() in subs} if isinstance(e, dict) else e
                for e in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k.lower() in subs}
    return value
