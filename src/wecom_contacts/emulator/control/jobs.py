"""Control routes for jobs: finish them now, list them, and serve export files (with Range)."""

from __future__ import annotations

import re

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..api.handlers.export import FILES_PATH
from ..state import EmulatorState

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _ranged(data: bytes, header: str | None) -> Response:
    """The whole file, or one `Range: bytes=a-b` of it (export.md: URLs support Range)."""
    headers = {"Accept-Ranges": "bytes"}
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or not (match.group(1) or match.group(2)):
        return Response(data, media_type="application/octet-stream", headers=headers)
    size = len(data)
    if match.group(1):
        start = int(match.group(1))
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:  # a suffix: the last N bytes
        start, end = max(0, size - int(match.group(2))), size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(data[start:end + 1], status_code=206, media_type="application/octet-stream",
                    headers=headers)


def job_control_routes(state: EmulatorState) -> list[Route]:
    async def advance(request: Request) -> Response:
        finished = await anyio.to_thread.run_sync(state.jobs.advance)
        return JSONResponse({"finished": finished})

    async def jobs(request: Request) -> Response:
        return JSONResponse({"jobs": [
            {"jobid": j.jobid, "family": j.family, "type": j.type, "caller": j.caller,
             "state": j.state, "total": j.total, "percentage": j.percentage,
             "errcode": j.errcode, "purged": j.purged}
            for j in state.store.jobs.all()
        ]})

    async def file(request: Request) -> Response:
        found = state.store.media.export_file(request.path_params["file_id"])
        if found is None or found.expires_at <= state.now():
            return Response("Not Found", status_code=404)  # links live 2 hours (export.md)
        return _ranged(found.data, request.headers.get("range"))

    return [
        Route("/_emulator/jobs/advance", advance, methods=["POST"]),
        Route("/_emulator/jobs", jobs, methods=["GET"]),
        Route(FILES_PATH + "{file_id}", file, methods=["GET"]),
    ]
