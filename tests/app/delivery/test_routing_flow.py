"""Which officers a hit reaches, through the API and the outbox (no worker involved)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Alert, AlertRecipient, Delivery, Role
from tests.app.helpers import bearer, hits_of, hotlist_with_plate, make_world, officer_on_duty

CAMERA = (37.8044, -122.2712)  # downtown Oakland


def _recipients(engine: Engine) -> list[int]:
    with transaction(engine) as session:
        rows = session.scalars(
            select(AlertRecipient).order_by(AlertRecipient.alert_id, AlertRecipient.rank)  # type: ignore[arg-type]
        )
        return [r.user_id for r in rows]


def test_the_nearest_on_duty_officers_are_alerted_nearest_first(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    far, _, _ = officer_on_duty(client, engine, clock, lat=37.8300, lon=-122.2712)  # ~2.8 km
    near, _, _ = officer_on_duty(client, engine, clock, lat=37.8060, lon=-122.2712)  # ~180 m
    hotlist_with_plate(client, world, "7ABC123", priority=1)  # P1: widens until two are found
    response = client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert hits_of(client, world.admin, response) == 1
    assert _recipients(engine) == [near, far]
    with transaction(engine) as session:
        distances = [r.distance_m for r in session.scalars(select(AlertRecipient).order_by("rank"))]
        assert distances[0] is not None and 150 < distances[0] < 210


def test_urgent_hits_search_close_first_and_widen_only_when_nobody_is_there(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    far, _, _ = officer_on_duty(client, engine, clock, lat=37.8300, lon=-122.2712)  # ~2.8 km
    hotlist_with_plate(client, world, "7ABC123", priority=2)
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert _recipients(engine) == [far]  # nobody within 2 km: the 5 km ring found them
    alert = client.get("/v1/alerts", headers=world.admin).json()["data"][0]
    details = client.get(f"/v1/alerts/{alert['id']}", headers=world.admin).json()["details"]
    assert (details["search_radius_m"], details["widened"]) == (5000.0, 1)

    clock.advance(minutes=11)  # past the merge window: a new alert for the next read
    near, _, _ = officer_on_duty(client, engine, clock, lat=37.8060, lon=-122.2712)  # ~180 m
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    with transaction(engine) as session:
        latest = session.scalars(select(Alert).order_by(Alert.id.desc())).first()  # type: ignore[union-attr]
        assert latest is not None
        rows = session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == latest.id))
        assert [r.user_id for r in rows] == [near]  # someone close: no widening


def test_off_duty_far_away_stale_or_phoneless_officers_get_nothing(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    _, off_duty, _ = officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    client.put("/v1/me/duty", json={"on_duty": False}, headers=bearer(off_duty))
    officer_on_duty(client, engine, clock, lat=37.9000, lon=-122.2712)  # ~10.6 km, outside 5 km
    old_fix = (clock() - timedelta(minutes=6)).isoformat()
    officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712, recorded_at=old_fix)
    me = client.get("/v1/officers", headers=world.admin).json()
    assert [o["is_fresh"] for o in me if o["recorded_at"] == old_fix.replace("+00:00", "Z")] == [
        False
    ]
    _, phoneless, _ = officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    device_id = client.get("/v1/me/devices", headers=bearer(phoneless)).json()[0]["id"]
    assert client.delete(f"/v1/devices/{device_id}", headers=bearer(phoneless)).status_code == 204

    hotlist_with_plate(client, world, "7ABC123")
    response = client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert hits_of(client, world.admin, response) == 1
    assert _recipients(engine) == []
    with transaction(engine) as session:
        [alert] = session.scalars(select(Alert)).all()
        assert alert.plate == "7ABC123"  # stored for dispatchers all the same
        assert session.scalars(select(Delivery)).all() == []
    dispatcher_view = client.get("/v1/alerts", headers=world.admin).json()
    assert dispatcher_view["count"] == 1 and dispatcher_view["data"][0]["recipients"] == 0


def test_the_first_push_goes_to_the_fewest_best_placed(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """P2: the one best placed (LOOKOUT_FIRST_PUSH_P2); P1: three (LOOKOUT_FIRST_PUSH_P1).
    Escalation widens when nobody responds (tests/app/lifecycle/test_escalation.py)."""
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    ids = [
        officer_on_duty(client, engine, clock, lat=CAMERA[0] + 0.001 * i, lon=CAMERA[1])[0]
        for i in range(1, 8)
    ]
    hotlist_with_plate(client, world, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert _recipients(engine) == ids[:1]
    hotlist_with_plate(client, world, "8WNT001", priority=1)
    client.post("/v1/reads", json={"plate": "8WNT001"}, headers=world.camera)
    assert _recipients(engine)[1:] == ids[:3]


def test_an_information_only_list_is_never_pushed(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    hotlist_with_plate(client, world, "7ABC123", priority=4)
    response = client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert hits_of(client, world.admin, response) == 1
    assert _recipients(engine) == []


def test_state_rules_decide_what_matches(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123", state="CA")
    hotlist_with_plate(client, world, "8XYZ999", state=None)

    def hits(body: dict[str, object]) -> int:
        return hits_of(
            client, world.admin, client.post("/v1/reads", json=body, headers=world.camera)
        )

    assert hits({"plate": "7ABC123", "state": "CA"}) == 1
    assert hits({"plate": "7ABC123"}) == 1  # state not read: still a hit, flagged
    assert hits({"plate": "7ABC123", "state": "NV"}) == 0
    assert hits({"plate": "8XYZ999", "state": "TX"}) == 1  # the entry has no state
    alerts = client.get("/v1/alerts", headers=world.admin).json()["data"]
    assert [a["plate"] for a in alerts] == ["8XYZ999", "7ABC123"]  # two reads, one car
    unread_state = client.get(f"/v1/alerts/{alerts[1]['id']}", headers=world.admin).json()
    assert "state not read" in unread_state["details"]["warnings"][0].lower()
    no_state = client.get(f"/v1/alerts/{alerts[0]['id']}", headers=world.admin).json()
    assert no_state["details"]["warnings"] == ["No state on record"]


def test_expired_and_deleted_entries_never_match(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    expires = (clock() + timedelta(hours=1)).isoformat()
    hotlist_id = hotlist_with_plate(client, world, "7ABC123", expires_at=expires)
    hotlist_with_plate(client, world, "6DEF456")
    assert (
        hits_of(
            client,
            world.admin,
            client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera),
        )
        == 1
    )
    clock.advance(hours=1, seconds=1)
    assert (
        hits_of(
            client,
            world.admin,
            client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera),
        )
        == 0
    )

    entries = client.get(
        f"/v1/hotlists/{hotlist_id + 1}/entries", params={"purpose": "test"}, headers=world.admin
    ).json()
    gone = client.delete(
        f"/v1/hotlists/{hotlist_id + 1}/entries/{entries[0]['id']}", headers=world.admin
    )
    assert gone.status_code == 204
    assert (
        hits_of(
            client,
            world.admin,
            client.post("/v1/reads", json={"plate": "6DEF456"}, headers=world.camera),
        )
        == 0
    )


def test_only_patrol_officers_are_routed_a_hit(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """A dispatcher or a gateway account that reports a position and goes on duty is never
    the car sent to a stop."""
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    for role in (Role.DISPATCHER, Role.GATEWAY, Role.SUPERVISOR):
        officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712, role=role)
    officer, _, _ = officer_on_duty(client, engine, clock, lat=37.8200, lon=-122.2712)
    hotlist_with_plate(client, world, "7ABC123", priority=2)
    assert (
        hits_of(
            client,
            world.admin,
            client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera),
        )
        == 1
    )
    assert _recipients(engine) == [officer]
