"""Raw-httpx helpers for the emulator tests: token handling, control calls, request bodies."""

from __future__ import annotations

from typing import Any

import httpx

from wecom_contacts.emulator import EmulatorConfig

CORP_ID = EmulatorConfig().corp_id
SYNC_SECRET = EmulatorConfig().secret


class Api:
    """Raw httpx calls to the emulated API with a token fetched on first use."""

    def __init__(self, http: httpx.Client, secret: str = SYNC_SECRET) -> None:
        self.http = http
        self.secret = secret
        self._token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            r = self.http.get(
                "/cgi-bin/gettoken", params={"corpid": CORP_ID, "corpsecret": self.secret}
            )
            body = r.json()
            assert body["errcode"] == 0, body
            self._token = body["access_token"]
        return self._token

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        r = self.http.get(f"/cgi-bin/{path}", params={"access_token": self.token, **params})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def post(self, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        r = self.http.post(
            f"/cgi-bin/{path}", params={"access_token": self.token, **params}, json=body or {}
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        """A call that must succeed."""
        result = self.get(path, **params) if method == "GET" else self.post(path, body, **params)
        assert result["errcode"] == 0, result
        return result


class Control:
    """The /_emulator namespace."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def post(self, name: str, body: Any = None) -> dict[str, Any]:
        r = self.http.post(f"/_emulator/{name}", json=body if body is not None else {})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def get(self, name: str, **params: Any) -> dict[str, Any]:
        r = self.http.get(f"/_emulator/{name}", params=params)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def seed(self, **doc: Any) -> dict[str, Any]:
        return self.post("seed", doc)

    def config(self, **changes: Any) -> dict[str, Any]:
        return self.post("config", changes)

    def fault(self, **spec: Any) -> dict[str, Any]:
        return self.post("faults", spec)


def add_app(control: Control, http: httpx.Client, name: str = "app", **scope: Any) -> Api:
    """Register an app secret with a visible scope and return an Api using it."""
    secret = f"{name}-secret"
    control.post("secrets", {"secret": secret, "name": name, "kind": "app", **scope})
    return Api(http, secret)


def user_body(userid: str, department: list[int] | None = None, **fields: Any) -> dict[str, Any]:
    """A valid user/create body."""
    body: dict[str, Any] = {
        "userid": userid,
        "name": fields.pop("name", userid.title()),
        "department": department or [1],
    }
    if "mobile" not in fields and "email" not in fields:
        body["email"] = f"{userid.lower()}@example.com"
    body.update(fields)
    return body


def make_department(api: Api, name: str, parentid: int = 1) -> int:
    """Create a department that must succeed; return its id."""
    return int(api.ok("POST", "department/create", {"name": name, "parentid": parentid})["id"])


def make_user(api: Api, userid: str, department: list[int] | None = None, **fields: Any) -> None:
    """Create a member that must succeed."""
    api.ok("POST", "user/create", user_body(userid, department, **fields))
