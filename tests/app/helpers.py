"""Small helpers shared by the app tests: API setup through real requests."""

from dataclasses import dataclass

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from app.officers import areas, beats
from tests import factories
from tests.shared_data import OAKLAND, missing

OAKLAND_BEATS = OAKLAND / "oakland-police-beats-2009.geojson"
OAKLAND_AREAS = OAKLAND / "oakland-police-areas-2013.geojson"


@dataclass(frozen=True, slots=True)
class World:
    admin_token: str
    camera_key: str
    camera_id: int

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def camera(self) -> dict[str, str]:
        return {"X-API-Key": self.camera_key}


def make_world(
    engine: Engine, clock: ManualClock, *, lat: float = 37.8044, lon: float = -122.2712
) -> World:
    with transaction(engine) as session:
        _, admin_token = factories.make_user(session, role=Role.ADMIN, now=clock())
        camera, key = factories.make_camera(session, now=clock(), lat=lat, lon=lon)
        assert camera.id is not None
        return World(admin_token=admin_token, camera_key=key, camera_id=camera.id)


def import_oakland_command(engine: Engine, clock: ManualClock) -> None:
    """Oakland's 57 beats and five police areas, stored before the service starts so that
    reads are tagged with real beats (Broadway & 14th: beat 04X, Area 1)."""
    if not (OAKLAND_BEATS.is_file() and OAKLAND_AREAS.is_file()):
        missing("Oakland's beats and police areas")
    with transaction(engine) as session:
        beats.import_file(session, OAKLAND_BEATS, now=clock())
        areas.import_file(session, OAKLAND_AREAS, now=clock())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def officer_on_duty(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    *,
    lat: float,
    lon: float,
    device_token: str | None = None,
    recorded_at: str | None = None,
    role: Role = Role.OFFICER,
) -> tuple[int, str, str]:
    """An officer (or someone of another `role`) with a phone, on duty at (lat, lon), set up
    through the API. Returns (user id, bearer token, device token)."""
    with transaction(engine) as session:
        user, token = factories.make_user(session, role=role, now=clock())
    device_token = device_token or factories.unique("phone")
    assert (
        client.post(
            "/v1/devices",
            json={"token": device_token, "platform": "android"},
            headers=bearer(token),
        ).status_code
        == 201
    )
    assert (
        client.put("/v1/me/duty", json={"on_duty": True}, headers=bearer(token)).status_code == 200
    )
    assert (
        client.put(
            "/v1/me/location",
            json={"lat": lat, "lon": lon, "accuracy_m": 10, "recorded_at": recorded_at},
            headers=bearer(token),
        ).status_code
        == 200
    )
    assert user.id is not None
    return user.id, token, device_token


def hotlist_with_plate(
    client: TestClient,
    world: World,
    plate: str,
    *,
    priority: int = 2,
    state: str | None = "CA",
    dispatch_first: str | None = None,
    **entry: object,
) -> int:
    """A stolen-vehicle list holding `plate`. `dispatch_first` "never" sends P3 hits and
    possible misreads straight to officers (by default they wait in the dispatcher queue)."""
    listed: dict[str, object] = {
        "name": factories.unique("list"), "kind": "stolen_vehicle", "priority": priority,
    }  # fmt: skip
    if dispatch_first is not None:
        listed["dispatch_first"] = dispatch_first
    response = client.post("/v1/hotlists", json=listed, headers=world.admin)
    assert response.status_code == 201, response.text
    hotlist_id = response.json()["id"]
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/entries",
        json=[{"plate": plate, "state": state, "reason": "Stolen vehicle", **entry}],
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    return int(hotlist_id)


def alerts_by_read(client: httpx.Client, headers: dict[str, str]) -> dict[int, set[int]]:
    """Read id -> the hot-list alerts (live or historical) whose trail holds it, as `headers`
    (an admin's) sees them. Cameras are told nothing of matches; tests ask this way."""
    found: dict[int, set[int]] = {}
    page = client.get("/v1/alerts", params={"limit": 500}, headers=headers)
    assert page.status_code == 200, page.text
    for alert in page.json()["data"]:
        if alert["kind"] == "bulletin":
            continue
        details = client.get(f"/v1/alerts/{alert['id']}", headers=headers).json()["details"]
        for point in details.get("trail") or []:
            found.setdefault(point["read_id"], set()).add(alert["id"])
    return found


def hits_of(client: httpx.Client, headers: dict[str, str], answer: httpx.Response) -> int:
    """How many hot-list alerts the reads of a camera's answer (`POST /v1/reads` or vendor
    intake) raised or joined: what the answer's `hits` said before cameras were told nothing."""
    assert answer.status_code == 202, answer.text
    assert "hits" not in answer.json()  # a camera learns nothing of matches
    by_read = alerts_by_read(client, headers)
    return len(set().union(*(by_read.get(i, set()) for i in answer.json()["read_ids"])))
