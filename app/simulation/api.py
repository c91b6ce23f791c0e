"""The calls the simulator makes, each one of Lookout's public HTTP endpoints (see the README's
"API at a glance"), and the local FCM inbox's JSON (`GET /fcm/messages`)."""

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

ENTRIES_PER_REQUEST = 5000  # the API's limit for POST /v1/hotlists/{id}/entries
IDLE_REUSE_S = 2.0  # a camera connection idle longer is not reused (uvicorn closes at 5 s)


class ApiError(RuntimeError):
    """The service answered a setup call with an error: the simulation cannot go on."""


class Api:
    def __init__(
        self, client: httpx.AsyncClient, admin_token: str, cameras: "Cameras | None" = None
    ) -> None:
        self.client = client
        self.admin = {"Authorization": f"Bearer {admin_token}"}
        self.cameras = cameras  # posts the reads when given; else `client` does

    async def call(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
        headers = self.admin if token is None else {"Authorization": f"Bearer {token}"}
        answer = await self.client.request(method, path, headers=headers, **kwargs)
        if answer.status_code >= 400:
            raise ApiError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None

    async def wait_until_up(self, wait_s: float) -> None:
        """Return once `GET /healthz` answers 200; ApiError after `wait_s` seconds."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            try:
                if (await self.client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise ApiError(f"{self.client.base_url} did not answer /healthz in {wait_s:g} s")
            await asyncio.sleep(0.3)

    async def beats(self) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("GET", "/v1/beats")
        return found

    async def create_user(self, name: str, username: str, role: str, badge: str) -> tuple[int, str]:
        body = {"name": name, "username": username, "role": role, "badge": badge}
        created = await self.call("POST", "/v1/users", json=body)
        return int(created["id"]), str(created["token"])

    async def start_shift(self, token: str, device_token: str) -> None:
        await self.call(
            "POST", "/v1/devices", token=token, json={"token": device_token, "platform": "android"}
        )
        await self.call("PUT", "/v1/me/duty", token=token, json={"on_duty": True})

    async def end_shift(self, token: str) -> None:
        await self.call("PUT", "/v1/me/duty", token=token, json={"on_duty": False})

    async def assign_beat(self, user_id: int, beat: str) -> None:
        await self.call("PUT", f"/v1/officers/{user_id}/beat", json={"beat": beat})

    async def create_camera(self, name: str, lat: float, lon: float) -> str:
        body = {"name": name, "lat": lat, "lon": lon}
        created = await self.call("POST", "/v1/cameras", json=body)
        return str(created["api_key"])

    async def create_hotlist(self, name: str, kind: str, priority: int) -> int:
        body = {"name": name, "kind": kind, "priority": priority}
        created = await self.call("POST", "/v1/hotlists", json=body)
        return int(created["id"])

    async def add_entries(self, hotlist_id: int, entries: list[dict[str, Any]]) -> None:
        for start in range(0, len(entries), ENTRIES_PER_REQUEST):
            chunk = entries[start : start + ENTRIES_PER_REQUEST]
            await self.call("POST", f"/v1/hotlists/{hotlist_id}/entries", json=chunk)

    async def locations(self, fixes: list[dict[str, Any]]) -> None:
        await self.call("POST", "/v1/locations", json={"locations": fixes})

    async def read(self, key: str, body: dict[str, Any]) -> "CameraAnswer":
        """One camera read; the answer is returned as it is (the caller times it)."""
        if self.cameras is not None:
            return await self.cameras.post(key, body)
        answer = await self.client.post("/v1/reads", json=body, headers={"X-API-Key": key})
        return CameraAnswer(answer.status_code, dict(answer.headers), answer.content)

    async def respond(self, token: str, alert_id: int, body: dict[str, Any]) -> int:
        answer = await self.client.post(
            f"/v1/alerts/{alert_id}/response",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        return answer.status_code

    async def bulletin(self, action: str, bulletin_id: int | None, body: dict[str, Any]) -> int:
        if action == "post":
            created = await self.call("POST", "/v1/bulletins", json=body)
            return int(created["id"])
        if bulletin_id is None or bulletin_id < 0:
            raise ApiError(f"bulletin {action}: the bulletin was never posted")
        if action == "update":
            await self.call("PATCH", f"/v1/bulletins/{bulletin_id}", json=body)
        else:
            await self.call("POST", f"/v1/bulletins/{bulletin_id}/cancel", json=body)
        return bulletin_id

    async def alerts(self) -> list[dict[str, Any]]:
        """Every alert, oldest first (the list pages newest first)."""
        found: list[dict[str, Any]] = []
        before: int | None = None
        while True:
            params: dict[str, Any] = {"limit": 500}
            if before is not None:
                params["before_id"] = before
            page = await self.call("GET", "/v1/alerts", params=params)
            found += page["data"]
            if len(page["data"]) < 500:
                return sorted(found, key=lambda a: a["id"])
            before = page["data"][-1]["id"]

    async def alert(self, alert_id: int) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("GET", f"/v1/alerts/{alert_id}")
        return found

    async def desk(self) -> int:
        """Alerts waiting at the dispatcher desk: escalated there and still open."""
        page = await self.call(
            "GET", "/v1/alerts", params={"escalated": "true", "closed": "false", "limit": 500}
        )
        return int(page["count"])

    async def queue_size(self) -> tuple[str, int] | None:
        """A dispatcher queue endpoint, when the service has one: found in its OpenAPI
        document as a GET path naming a queue; its size is its `count` or its list's length."""
        document = await self.call("GET", "/openapi.json")
        paths = [
            p for p, ops in document.get("paths", {}).items()
            if "queue" in p and "get" in ops and "{" not in p
        ]  # fmt: skip
        if not paths:
            return None
        found = await self.call("GET", paths[0])
        if isinstance(found, dict):
            size = found.get("count", len(found.get("data", [])))
        else:
            size = len(found)
        return paths[0], int(size)


@dataclass(frozen=True, slots=True)
class CameraAnswer:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    content: bytes = b""

    def json(self) -> Any:
        return json.loads(self.content)


class Cameras:
    """Reads posted the way fixed cameras post them, on keep-alive HTTP/1.1 connections,
    with as little client work per read as a load generator can do: httpx spends several
    times the server's CPU on each small request, and on a shared machine the load
    generator would otherwise be what runs out first. Only for `POST /v1/reads`, whose
    answer always carries a Content-Length."""

    def __init__(self, base_url: str, *, connections: int, timeout_s: float = 120.0) -> None:
        where = urlsplit(base_url)
        if where.scheme != "http" or where.hostname is None:
            raise ValueError(f"camera reads need a plain http:// URL, not {base_url!r}")
        self.host, self.port = where.hostname, where.port or 80
        self.path = where.path.rstrip("/") + "/v1/reads"
        self.timeout_s = timeout_s
        # Connections free for the next read, with when each was last used: one idle longer
        # than the server keeps it open (uvicorn: 5 s) is closed rather than reused.
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.slots = asyncio.Semaphore(connections)

    async def post(self, key: str, body: dict[str, Any]) -> CameraAnswer:
        payload = json.dumps(body, separators=(",", ":")).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"X-API-Key: {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        async with self.slots:
            loop = asyncio.get_running_loop()
            while self.idle and loop.time() - self.idle[-1][2] > IDLE_REUSE_S:
                self.idle.pop()[1].close()
            connection = self.idle.pop()[:2] if self.idle else None
            try:
                if connection is None:
                    connection = await asyncio.open_connection(self.host, self.port)
                reader, writer = connection
                writer.write(head + payload)
                answer, keep = await asyncio.wait_for(_answer(reader), self.timeout_s)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                if connection is not None:
                    connection[1].close()
                raise httpx.TransportError(f"camera read: {error!r}") from error
            if keep:
                self.idle.append((reader, writer, loop.time()))
            else:
                writer.close()
            return answer

    async def close(self) -> None:
        while self.idle:
            self.idle.pop()[1].close()


async def _answer(reader: asyncio.StreamReader) -> tuple[CameraAnswer, bool]:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    content = await reader.readexactly(int(headers.get("content-length", "0")))
    keep = headers.get("connection", "").lower() != "close"
    return CameraAnswer(status, headers, content), keep


class Inbox:
    """What the local FCM inbox accepted, fetched incrementally with `?offset=`."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client, self.url = client, url.rstrip("/")
        self.messages: list[dict[str, Any]] = []
        self.skipped = 0  # messages that were there before the simulation began

    async def skip_existing(self) -> None:
        self.skipped = len(await self._fetch(0))

    async def poll(self) -> list[dict[str, Any]]:
        """The messages accepted since the last poll."""
        new = await self._fetch(self.skipped + len(self.messages))
        self.messages += new
        return new

    async def _fetch(self, offset: int) -> list[dict[str, Any]]:
        answer = await self.client.get(f"{self.url}/messages", params={"offset": offset})
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()["messages"]
        return found


def now_utc() -> datetime:
    return datetime.now(UTC)
