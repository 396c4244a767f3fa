"""Provision a small company into WeCom through SCIM, as an identity provider would.

Starts the WeCom emulator and `wecom-contacts scim serve` in front of it, sends the SCIM
requests Entra ID / Okta send (probe, create, PATCH, group push, soft delete), then prints
what the emulator — standing in for WeCom — now holds.

    python examples/scim/provision.py
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from typing import Any

import httpx

from wecom_contacts.emulator import EmulatorServer
from wecom_contacts.testing import EmulatorControl

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# The org chart comes from the admin console (or `wecom-contacts sync`); SCIM fills it.
DEPARTMENTS = [
    {"id": 2, "name": "研发中心", "parentid": 1},
    {"id": 3, "name": "平台研发部", "parentid": 2},
    {"id": 4, "name": "销售中心", "parentid": 1},
]
PEOPLE = [
    # userName, display name, title, department path, manager's userName
    ("chen.jing@yunfan.example.com", "陈静", "首席技术官", "研发中心", None),
    ("li.wei@yunfan.example.com", "李伟", "后端工程师", "研发中心/平台研发部",
     "chen.jing@yunfan.example.com"),
    ("wang.fang@yunfan.example.com", "王芳", "架构师", "研发中心/平台研发部",
     "chen.jing@yunfan.example.com"),
    ("zhao.lei@yunfan.example.com", "赵磊", "销售副总裁", "销售中心", None),
    ("sun.li@yunfan.example.com", "孙丽", "客户经理", "销售中心", "zhao.lei@yunfan.example.com"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_scim(emulator: EmulatorServer, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "WECOM_CORP_ID": emulator.config.corp_id,
           "WECOM_SECRET": emulator.config.secret, "WECOM_BASE_URL": emulator.base_url,
           "WECOM_SCIM_TOKENS": token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.cli", "scim", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/ServiceProviderConfig")
            return proc, url
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("scim serve did not start") from None
            time.sleep(0.05)


def ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.url.path}: "
                         f"{response.status_code} {response.text}")
    return response.json() if response.content else None


def provision(scim: httpx.Client) -> None:
    ids: dict[str, str] = {}
    for user_name, display, title, department, manager in PEOPLE:
        # Entra ID asks first whether the user exists, then creates it.
        probe = ok(scim.get("/Users", params={"filter": f'userName eq "{user_name}"'}))
        assert probe["totalResults"] == 0
        doc: dict[str, Any] = {
            "schemas": [CORE, ENTERPRISE], "userName": user_name, "displayName": display,
            "title": title, "active": True, "externalId": f"idp-{len(ids) + 1}",
            "emails": [{"value": user_name, "type": "work", "primary": True}],
            ENTERPRISE: {"department": department},
        }
        if manager:
            doc[ENTERPRISE]["manager"] = {"value": ids[manager]}
        ids[user_name] = ok(scim.post("/Users", json=doc))["id"]
    # A promotion, as Entra ID sends it (capitalised op).
    ok(scim.patch(f"/Users/{ids['li.wei@yunfan.example.com']}", json={
        "schemas": [PATCH], "Operations": [
            {"op": "Replace", "path": "title", "value": "高级后端工程师"}]}))
    # Okta's group push: create the group, then add members by PATCH.
    group = ok(scim.post("/Groups", json={"schemas": [GROUP], "displayName": "技术委员会",
                                          "members": []}))
    ok(scim.patch(f"/Groups/{group['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [
            {"value": ids["chen.jing@yunfan.example.com"]},
            {"value": ids["wang.fang@yunfan.example.com"]}]}]}))
    # Someone leaves: Entra ID's soft delete (active "False") comes first.
    ok(scim.patch(f"/Users/{ids['sun.li@yunfan.example.com']}", json={
        "schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}))


def show(control: EmulatorControl) -> None:
    directory = control.directory()
    names = {d["id"]: d["name"] for d in directory["departments"]}
    print("WeCom now holds (read back from the emulator):")
    for user in directory["users"]:
        state = "enabled" if user.get("enable", 1) else "disabled"
        leaders = ",".join(user.get("direct_leader") or []) or "-"
        departments = "/".join(names.get(d, str(d)) for d in user["department"])
        print(f"  {user['userid']:32} {user['name']:4} {user.get('position', ''):8} "
              f"{departments:10} leader={leaders} {state}")
    for tag in directory["tags"]:
        print(f"  tag {tag['tagname']}: {', '.join(tag['userlist'])}")


def main() -> None:
    token = secrets.token_urlsafe(24)
    with EmulatorServer() as emulator:
        control = EmulatorControl(emulator.base_url, corp_id=emulator.config.corp_id,
                                  secret=emulator.config.secret)
        control.seed({"departments": DEPARTMENTS})
        proc, url = start_scim(emulator, token)
        try:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                              timeout=30) as scim:
                provision(scim)
            show(control)
        finally:
            proc.terminate()
            proc.wait(10)
            control.close()


if __name__ == "__main__":
    main()
