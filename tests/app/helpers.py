"""Small helpers shared by the app tests: API setup through real requests."""

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories


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
    **entry: object,
) -> int:
    response = client.post(
        "/v1/hotlists",
        json={"name": factories.unique("list"), "kind": "stolen_vehicle", "priority": priority},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    hotlist_id = response.json()["id"]
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/entries",
        json=[{"plate": plate, "state": state, "reason": "Stolen vehicle", **entry}],
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    return int(hotlist_id)
