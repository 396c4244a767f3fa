"""A minimal keep-alive HTTP/1.1 server answering WeCom-shaped JSON, fast enough not to be
the bottleneck of bench/client_overhead.py. Usage: python bench/_fast_server.py PORT"""

from __future__ import annotations

import asyncio
import json
import sys

TOKEN = json.dumps({"errcode": 0, "errmsg": "ok", "access_token": "t" * 64, "expires_in": 7200})
DEPT = json.dumps(
    {"errcode": 0, "errmsg": "ok", "department": {
        "id": 2, "name": "研发中心", "name_en": "RD", "department_leader": ["zhangsan"],
        "parentid": 1, "order": 10}},
    ensure_ascii=False,
)


def _response(body: str) -> bytes:
    raw = body.encode()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(raw)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode() + raw


TOKEN_RESPONSE = _response(TOKEN)
DEPT_RESPONSE = _response(DEPT)


class Handler(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            target = head.split(b" ", 2)[1]
            out = TOKEN_RESPONSE if b"/gettoken" in target else DEPT_RESPONSE
            self.transport.write(out)  # type: ignore[attr-defined]


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Handler, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
