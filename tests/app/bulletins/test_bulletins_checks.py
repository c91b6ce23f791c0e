"""Bulletins refused with a reason, pasted plates normalised, every dispatcher action audited,
and the description-mismatch warning on hot-list hits."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from tests.app.bulletins.support import CAMERA, NEAR, body, dispatcher, post, queued
from tests.app.helpers import hits_of, hotlist_with_plate, make_world, officer_on_duty

SQUARE = [[-122.28, 37.79], [-122.26, 37.79], [-122.26, 37.81], [-122.28, 37.81]]


def _refusals(now: Any) -> list[tuple[dict[str, Any], str]]:
    past = (now - timedelta(minutes=5)).isoformat()
    return [
        ({"vehicle": {}, "narrative": " "},
         "needs a vehicle description (plate_pattern, make, model, color ...) or a narrative"),
        ({"vehicle": None, "narrative": None}, "or a narrative; both are empty"),
        ({"area": {"polygon": {"type": "Polygon", "coordinates": [SQUARE]}}},
         "polygon outline does not close: the first position [-122.28, 37.79] must be repeated"),
        ({"area": {"polygon": {"type": "Polygon", "coordinates": [SQUARE[:2] + SQUARE[:1]]}}},
         "has 3 positions; a closed ring needs at least 4"),
        ({"area": {"polygon": {"type": "Polygon", "coordinates": [[SQUARE[0], SQUARE[2],
                                                                  SQUARE[1], SQUARE[3],
                                                                  SQUARE[0]]]}}},
         "polygon is not valid: Self-intersection"),
        ({"expires_at": past}, "is already past"),
        ({"occurred_at": (now - timedelta(hours=2)).isoformat(), "expires_at":
          (now - timedelta(hours=3)).isoformat()}, "is not after occurred_at"),
        ({"occurred_at": (now + timedelta(hours=1)).isoformat()}, "is in the future"),
        ({"expires_at": (now + timedelta(days=200)).isoformat()}, "more than 100 days away"),
        ({"area": {"beats": ["99Q"]}}, "unknown beats: 99Q; known beats: 01A, 01B, 01C"),
        ({"area": {"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 60_000}},
         "radius_m 60000 is out of range: use 50 to 50000 m"),
        ({"area": {"center": {"lat": CAMERA[0], "lon": CAMERA[1]}}}, "a center needs radius_m"),
        ({"area": {"beats": ["01A"], "center": {"lat": 1, "lon": 1}, "radius_m": 100}},
         "give exactly one of"),
        ({"vehicle": {"plate_pattern": "7*"}}, "has 1 known characters; at least 2"),
        ({"vehicle": {"plate_pattern": "☆☆"}}, "has no letters, digits, ? or *"),
        ({"vehicle": {"make": "Honda", "year_min": 2018, "year_max": 2012}},
         "year_min 2018 is after year_max 2012"),
        ({"direction": "upward"}, "direction 'upward': use degrees 0-360 or a compass direction"),
        ({"direction": 400}, "degrees must be 0 to 360"),
        ({"kind": "speeding"}, "kind: Input should be 'robbery'"),
        ({"expires_at": "2030-01-01T00:00:00"}, "expires_at: Input should have timezone info"),
    ]  # fmt: skip


def test_bad_bulletins_get_a_422_that_says_why(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    headers = dispatcher(engine, clock)
    for overrides, says in _refusals(clock()):
        response = client.post("/v1/bulletins", json=body(**overrides), headers=headers)
        assert response.status_code == 422, (overrides, response.text)
        assert says in response.json()["detail"], (overrides, response.json()["detail"])
    assert (
        client.get("/v1/bulletins", params={"status": "all"}, headers=headers).json()["count"] == 0
    )


def test_bad_changes_get_a_422_and_change_nothing(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    for change, says in [
        ({"vehicle": {"plate_pattern": None, "make": None, "model": None, "color": None},
          "narrative": None}, "the change leaves neither"),
        ({"expires_at": (clock() - timedelta(minutes=1)).isoformat()}, "is already past"),
        ({"area": {"beats": ["99Q"]}}, "unknown beats: 99Q"),
        ({"vehicle": {"year": 2020, "year_max": 2010}}, "year 2020 is outside"),
    ]:  # fmt: skip
        response = client.patch(f"/v1/bulletins/{bulletin['id']}", json=change, headers=headers)
        assert response.status_code == 422, (change, response.text)
        assert says in response.json()["detail"]
    again = client.get(f"/v1/bulletins/{bulletin['id']}", headers=headers).json()
    assert again["version"] == 1 and again["vehicle"]["plate_pattern"] == "7AB*"


def test_pasted_plates_with_invisible_and_cyrillic_characters_are_normalised(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    pasted = "7\u200bАВ-*"  # a zero-width space, Cyrillic А and В, a hyphen
    bulletin = post(client, dispatcher(engine, clock),
                    vehicle={"plate_pattern": pasted, "make": "Honda"})  # fmt: skip
    assert bulletin["vehicle"]["plate_pattern"] == pasted  # kept as pasted, for the record
    assert bulletin["vehicle"]["plate_key"] == "7AB*"
    client.post("/v1/reads", json={"plate": "7ABX123"}, headers=world.camera)
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert [p["plate"] for p in trail["points"]] == ["7ABX123"]


def test_every_dispatcher_action_is_audited_with_who_what_and_why(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    bid = str(bulletin["id"])
    client.patch(f"/v1/bulletins/{bid}",
                 json={"vehicle": {"color": "grey"}, "reason": "second witness: grey"},
                 headers=headers)  # fmt: skip
    client.post(f"/v1/bulletins/{bid}/cancel", json={"reason": "vehicle located"}, headers=headers)
    client.get(f"/v1/bulletins/{bid}/trail", headers=headers)

    def entries(action: str) -> list[dict[str, Any]]:
        found = client.get("/v1/audit", params={"action": action}, headers=world.admin).json()
        return [e for e in found["data"] if e["object_id"] == bid]

    [created] = entries("bulletin.create")
    assert created["actor_role"] == "dispatcher" and created["purpose"] == "case 24-001234"
    assert created["detail"]["bulletin"]["vehicle"]["plate_pattern"] == "7AB*"
    assert created["plate"] == "7AB*"
    searches = entries("bulletin.retro_search")
    assert len(searches) == 2  # on posting, and again when the colour changed
    [updated] = entries("bulletin.update")
    assert updated["purpose"] == "second witness: grey"
    assert updated["detail"]["changes"] == {"vehicle_color": ["silver", "grey"]}
    [cancelled] = entries("bulletin.cancel")
    assert cancelled["purpose"] == "vehicle located"
    assert entries("bulletin.trail.view")[0]["actor_id"] == created["actor_id"]
    verified = client.get("/v1/audit", params={"verify": True, "limit": 1}, headers=world.admin)
    assert verified.json()["chain_intact"] is True


@pytest.mark.parametrize(
    ("kind", "camera", "warning"),
    [
        ("stolen_vehicle", {"make": "Honda", "model": "Accord", "color": "red"},
         "DESCRIPTION MISMATCH: record white Toyota Camry, camera saw red Honda Accord "
         "(compared make, model and colour) — "
         "verify before any stop"),
        ("stolen_vehicle", None, "Description not checked by camera — verify visually"),
        ("stolen_plate", {"make": "Honda", "model": "Accord", "color": "red"},
         "Stolen plate: the plate may be on another vehicle; description not compared"),
        ("stolen_vehicle", {"make": "Toyota", "model": "Camry", "color": "white"}, None),
    ],
)  # fmt: skip
def test_a_description_mismatch_is_flagged_on_a_hot_list_hit(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    kind: str,
    camera: dict[str, str] | None,
    warning: str | None,
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    new_list = {"name": f"list {kind}", "kind": kind, "priority": 2}
    listed = client.post("/v1/hotlists", json=new_list, headers=world.admin).json()
    client.post(
        f"/v1/hotlists/{listed['id']}/entries",
        json=[{"plate": "7ABC123", "state": "CA", "vehicle": {"make": "Toyota", "model": "Camry",
                                                               "color": "white"}}],
        headers=world.admin,
    )  # fmt: skip
    read = {"plate": "7ABC123", "state": "CA"} | ({"vehicle": camera} if camera else {})
    answer = client.post("/v1/reads", json=read, headers=world.camera)
    assert hits_of(client, world.admin, answer) == 1
    [alert] = client.get("/v1/alerts", headers=world.admin).json()["data"]
    shown = client.get(f"/v1/alerts/{alert['id']}", headers=world.admin).json()
    [push] = queued(engine)
    if warning is None:
        assert shown["details"]["warnings"] == []
        assert "MISMATCH" not in push.body
    else:
        assert shown["details"]["warnings"][0] == warning
        assert warning in shown["body"] and warning in push.body


def test_the_hot_list_helper_still_raises_no_warning_without_a_vehicle_on_record(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123", "state": "CA",
                                   "vehicle": {"make": "Honda"}}, headers=world.camera)  # fmt: skip
    [alert] = client.get("/v1/alerts", headers=world.admin).json()["data"]
    assert (
        client.get(f"/v1/alerts/{alert['id']}", headers=world.admin).json()["details"]["warnings"]
        == []
    )
