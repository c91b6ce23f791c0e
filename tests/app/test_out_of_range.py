"""Values out of range are a 404 or a 422 saying why, never a 500: ids past the largest
BIGINT, times in year 1 or 9999, a bulletin polygon of thousands of positions."""

import math
import re

import pytest
import shapely
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app import api
from app.clock import ManualClock
from tests.app.helpers import make_world

HUGE = [2**63, 2**64, 10**30]


def _routes() -> list[tuple[str, str, bool, list[str]]]:
    found = []
    for router in api.ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            ids = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
            queried = [
                p.name
                for p in route.dependant.query_params
                if p.name.endswith("_id") and "int" in str(p.field_info.annotation)
            ]
            if ids or queried:
                for method in sorted(route.methods):
                    found.append((method, "/v1" + route.path, bool(ids), queried))
    return found


ROUTES = _routes()


def test_the_sweep_covers_the_routes_with_ids() -> None:
    paths = {path for _, path, _, _ in ROUTES}
    assert len(ROUTES) > 20 and "/v1/reads/{read_id}" in paths and "/v1/audit" in paths


@pytest.mark.parametrize(("method", "path", "has_ids", "queried"), ROUTES)
def test_an_id_past_the_largest_bigint_is_a_404_or_422(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    method: str,
    path: str,
    has_ids: bool,
    queried: list[str],
) -> None:
    world = make_world(engine, clock)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    for huge in HUGE:
        if has_ids:
            url = re.sub(r"\{\w+\}", str(huge), path)
            answer = client.request(method, url, json=body, headers=world.admin)
            assert answer.status_code in (404, 422), (url, answer.status_code, answer.text)
        for name in queried:
            url = re.sub(r"\{\w+\}", "1", path)
            answer = client.request(
                method, url, params={name: huge}, json=body, headers=world.admin
            )
            assert answer.status_code in (404, 422), (url, name, answer.text)


def test_ids_in_bodies_past_the_largest_bigint_are_a_422(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    units = {"locations": [{"user_id": 2**63, "lat": 37.8, "lon": -122.2}]}
    answer = client.post("/v1/locations", json=units, headers=world.admin)
    assert answer.status_code == 422
    assert "locations[0].user_id" in answer.json()["detail"]
    phone = client.post(
        "/v1/devices", json={"token": "phone-token-0001", "platform": "ios"}, headers=world.admin
    ).json()
    moved = client.post(
        f"/v1/devices/{phone['id']}/move",
        json={"user_id": 2**64, "reason": "shift change"},
        headers=world.admin,
    )
    assert moved.status_code == 422 and "user_id" in moved.json()["detail"]


AREA = {"center": {"lat": 37.8044, "lon": -122.2712}, "radius_m": 1500}


@pytest.mark.parametrize(
    ("field", "when"),
    [("occurred_at", "0001-01-01T00:00:00Z"), ("expires_at", "9999-12-31T23:59:59Z")],
)
def test_a_bulletin_time_in_year_1_or_9999_is_a_422(
    client: TestClient, engine: Engine, clock: ManualClock, field: str, when: str
) -> None:
    world = make_world(engine, clock)
    body = {"kind": "robbery", "narrative": "two suspects", "area": AREA, field: when}
    answer = client.post("/v1/bulletins", json=body, headers=world.admin)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(f"{field}: ")


def test_other_times_in_year_1_are_a_422(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    year_1 = "0001-01-01T00:00:00Z"
    read = client.post("/v1/reads", json={"plate": "7ABC123", "read_at": year_1},
                       headers=world.camera)  # fmt: skip
    assert read.status_code == 422 and "more than 30 days ago" in read.json()["detail"]
    listed = client.post(
        "/v1/hotlists",
        json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
        headers=world.admin,
    ).json()
    entry = client.post(
        f"/v1/hotlists/{listed['id']}/entries",
        json=[{"plate": "7ABC123", "expires_at": year_1}],
        headers=world.admin,
    )
    assert entry.status_code == 422 and "[0].expires_at" in entry.json()["detail"]
    for path, params in (
        ("/v1/reads", {"plate": "7ABC123", "purpose": "test", "since": year_1}),
        ("/v1/audit", {"until": year_1}),
    ):
        answer = client.get(path, params=params, headers=world.admin)
        assert answer.status_code == 422, answer.text
    where = client.put(
        "/v1/me/location",
        json={"lat": 37.8, "lon": -122.2, "recorded_at": year_1},
        headers=world.admin,
    )
    assert where.status_code == 422 and "recorded_at" in where.json()["detail"]


def test_a_polygon_of_thousands_of_positions_is_simplified_and_tens_of_thousands_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """An outline traced finer than a search area needs (2,000 positions, a GIS export) is
    stored simplified to at most 500, enclosing the same ground; 25,000 is a 422 saying why."""
    world = make_world(engine, clock)

    def circle(count: int) -> list[list[float]]:
        ring = [
            [-122.2712 + 0.01 * math.cos(2 * math.pi * i / count),
             37.8044 + 0.01 * math.sin(2 * math.pi * i / count)]
            for i in range(count)
        ]  # fmt: skip
        return [*ring, ring[0]]

    body = {"kind": "robbery", "narrative": "two suspects",
            "area": {"polygon": {"type": "Polygon", "coordinates": [circle(2000)]}}}  # fmt: skip
    answer = client.post("/v1/bulletins", json=body, headers=world.admin)
    assert answer.status_code == 201, answer.text
    shown = client.get(f"/v1/bulletins/{answer.json()['id']}", headers=world.admin).json()
    [outline] = shown["area"]["polygon"]["coordinates"]
    assert 4 <= len(outline) <= 500 and outline[0] == outline[-1]
    kept = shapely.Polygon(outline).area / shapely.Polygon(circle(2000)).area
    assert 0.99 < kept <= 1.0

    body["area"]["polygon"]["coordinates"] = [circle(25_000)]  # type: ignore[index]
    refused = client.post("/v1/bulletins", json=body, headers=world.admin)
    assert refused.status_code == 422, refused.text
    assert "25,001 positions; at most 20,000" in refused.json()["detail"]
