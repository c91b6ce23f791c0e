"""Geo targeting through the API: beats, covert lists, merging reads of one car, direction,
gateway positions, and the end-to-end N = 1 case on real uvicorn."""

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.main import create_app
from app.models import AlertRecipient, Delivery, Role
from app.settings import Settings
from tests import factories
from tests.app.helpers import bearer, hits_of, hotlist_with_plate, make_world, officer_on_duty
from tests.servers import FcmServer, serve_in_thread
from tests.shared_data import OAKLAND

OAKLAND_BEATS = OAKLAND / "oakland-police-beats-2009.geojson"
CITY_HALL = (37.8053, -122.2725)  # beat 04X in the 2009 plan


def _deliveries_by_user(engine: Engine) -> dict[int, int]:
    with transaction(engine) as session:
        counts: dict[int, int] = {}
        rows = session.execute(
            select(AlertRecipient.user_id).join(
                Delivery, Delivery.recipient_id == AlertRecipient.id
            )  # type: ignore[arg-type]
        ).all()
        for (user_id,) in rows:
            counts[user_id] = counts.get(user_id, 0) + 1
        return counts


def test_reads_of_one_car_merge_into_one_alert_with_a_trail_and_rate_limited_pushes(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=37.8044, lon=-122.2712)
    officer, officer_token, _ = officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    hotlist_with_plate(client, world, "7ABC123")
    for _ in range(2):
        client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
        clock.advance(seconds=20)
    alerts = client.get("/v1/alerts", headers=bearer(officer_token)).json()
    assert alerts["count"] == 1
    alert = client.get(f"/v1/alerts/{alerts['data'][0]['id']}", headers=world.admin).json()
    assert alert["sightings"] == 2
    assert len(alert["details"]["trail"]) == 2
    assert "seen again" in alert["title"]
    # The second read came within the quiet interval (LOOKOUT_QUIET_UPDATE_INTERVAL_S, 120 s).
    assert _deliveries_by_user(engine) == {officer: 1}

    clock.advance(seconds=101)  # 121 s after the first push: a quiet update of the position
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert _deliveries_by_user(engine) == {officer: 2}
    with transaction(engine) as session:
        sent = list(session.scalars(select(Delivery).order_by(Delivery.id)))  # type: ignore[arg-type]
    assert {d.message["collapse_key"] for d in sent} == {f"alert-{alert['id']}"}  # one thread
    assert [d.message["quiet"] for d in sent] == [False, True]  # the same car, nothing new to do

    clock.advance(minutes=11)  # past the merge window: a new alert
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    assert client.get("/v1/alerts", headers=world.admin).json()["count"] == 2


def test_direction_and_speed_come_from_two_reads_at_different_cameras(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    south = make_world(engine, clock, lat=37.8000, lon=-122.2712)
    with transaction(engine) as session:
        _, north_key = factories.make_camera(session, now=clock(), lat=37.8090, lon=-122.2712)
    officer_on_duty(client, engine, clock, lat=37.8150, lon=-122.2712)
    hotlist_with_plate(client, south, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=south.camera)
    clock.advance(seconds=60)  # 1 km north in a minute: about 60 km/h
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers={"X-API-Key": north_key})
    alert_id = client.get("/v1/alerts", headers=south.admin).json()["data"][0]["id"]
    alert = client.get(f"/v1/alerts/{alert_id}", headers=south.admin).json()
    assert alert["details"]["motion"].startswith("heading north, about 60 km/h")
    assert "heading north" in alert["body"]


def test_the_beat_officer_is_always_told_even_far_away(
    settings: Settings, clock: ManualClock, engine: Engine
) -> None:
    if not OAKLAND_BEATS.exists():
        pytest.fail(f"the Oakland beats file is missing: {OAKLAND_BEATS}")
    settings = settings.changed(beats_file=OAKLAND_BEATS)
    with TestClient(create_app(settings, clock=clock)) as client:
        world = make_world(engine, clock, lat=CITY_HALL[0], lon=CITY_HALL[1])
        near, _, _ = officer_on_duty(client, engine, clock, lat=37.8060, lon=-122.2725)
        assigned, _, _ = officer_on_duty(client, engine, clock, lat=37.7500, lon=-122.1700)
        refused = client.put(
            f"/v1/officers/{assigned}/beat", json={"beat": "99Q"}, headers=world.admin
        )
        assert refused.status_code == 422 and "no beat" in refused.json()["detail"]
        ok = client.put(f"/v1/officers/{assigned}/beat", json={"beat": "4x"}, headers=world.admin)
        assert ok.status_code == 200 and ok.json()["assigned_beat"] == "04X"
        assert (
            client.get(
                "/v1/beats/at",
                params={"lat": CITY_HALL[0], "lon": CITY_HALL[1]},
                headers=world.admin,
            ).json()["beat"]
            == "04X"
        )

        # Beat officers are told of P1 hits wherever they are (LOOKOUT_BEAT_UP_TO_PRIORITY).
        hotlist_with_plate(client, world, "7ABC123", priority=1)
        posted = client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera).json()
        stored = client.get(f"/v1/reads/{posted['read_ids'][0]}", headers=world.admin).json()
        assert stored["beat"] == "04X"
        alert_id = client.get("/v1/alerts", headers=world.admin).json()["data"][0]["id"]
        alert = client.get(f"/v1/alerts/{alert_id}", headers=world.admin).json()
        assert alert["beat"] == "04X"
        reasons = {r["user_id"]: r["reason"] for r in alert["notified"]}
        assert reasons == {near: "nearest", assigned: "beat"}


def test_covert_hits_reach_no_phone_and_only_their_owners(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    with transaction(engine) as session:
        _, owner = factories.make_user(session, role=Role.SUPERVISOR, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    created = client.post(
        "/v1/hotlists",
        json={"name": "Op Nightjar", "kind": "covert", "priority": 1},
        headers=bearer(owner),
    ).json()
    client.post(
        f"/v1/hotlists/{created['id']}/entries", json=[{"plate": "7COV123"}], headers=bearer(owner)
    )
    read = client.post("/v1/reads", json={"plate": "7COV123"}, headers=world.camera)
    assert hits_of(client, world.admin, read) == 1
    assert _deliveries_by_user(engine) == {}
    assert client.get("/v1/alerts", headers=bearer(dispatcher)).json()["count"] == 0
    mine = client.get("/v1/alerts", headers=bearer(owner)).json()
    assert mine["count"] == 1 and mine["data"][0]["recipients"] == 0
    assert (
        client.get(f"/v1/alerts/{mine['data'][0]['id']}", headers=bearer(dispatcher)).status_code
        == 404
    )


def test_a_gateway_posts_many_units_and_older_fixes_never_win(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    with transaction(engine) as session:
        _, gateway = factories.make_user(session, role=Role.GATEWAY, now=clock())
        unit, _ = factories.make_user(session, role=Role.OFFICER, now=clock())
        unit.badge = "B-2291"
        session.add(unit)
    now = clock()
    earlier = (now - timedelta(seconds=30)).isoformat()
    body = {
        "locations": [
            {"badge": "B-2291", "lat": 37.80, "lon": -122.27, "recorded_at": now.isoformat()},
            {"badge": "NOBODY", "lat": 37.80, "lon": -122.27},
            {"badge": "B-2291", "lat": 37.70, "lon": -122.17, "recorded_at": earlier},
        ]
    }
    response = client.post("/v1/locations", json=body, headers=bearer(gateway))
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 2, "applied": 1, "unknown": ["NOBODY"]}
    older = {
        "locations": [
            {
                "user_id": unit.id,
                "lat": 1.0,
                "lon": 1.0,
                "recorded_at": (now - timedelta(minutes=1)).isoformat(),
            }
        ]
    }
    assert client.post("/v1/locations", json=older, headers=bearer(gateway)).json()["applied"] == 0
    client.put("/v1/me/duty", json={"on_duty": True}, headers=world.admin)  # not the unit
    officers = client.get("/v1/officers", params={"on_duty": False}, headers=world.admin).json()
    [stored] = [o for o in officers if o["user_id"] == unit.id]
    assert (stored["lat"], stored["lon"]) == (37.80, -122.27)
    assert client.post("/v1/locations", json=body, headers=world.camera).status_code == 401


def test_a_fix_from_the_future_is_refused_and_cannot_freeze_an_officer(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """A phone or gateway with its clock in year 9999 would otherwise win over every later
    real fix: the officer would stay "fresh" at that place forever."""
    with transaction(engine) as session:
        _, gateway = factories.make_user(session, role=Role.GATEWAY, now=clock())
        unit, token = factories.make_user(session, role=Role.OFFICER, now=clock())
    far_future = "9999-01-01T00:00:00+00:00"
    mine = client.put("/v1/me/location", json={"lat": 37.8, "lon": -122.27,
                      "recorded_at": far_future}, headers=bearer(token))  # fmt: skip
    assert mine.status_code == 422 and "recorded_at" in mine.json()["detail"]
    batch = {"locations": [
        {"user_id": unit.id, "lat": 37.8, "lon": -122.27},
        {"user_id": unit.id, "lat": 37.9, "lon": -122.27, "recorded_at": far_future},
    ]}  # fmt: skip
    refused = client.post("/v1/locations", json=batch, headers=bearer(gateway))
    assert refused.status_code == 422
    assert "locations[1].recorded_at" in refused.json()["detail"]
    soon = (clock() + timedelta(seconds=60)).isoformat()  # a little drift is a real fix
    ok = client.put("/v1/me/location", json={"lat": 37.81, "lon": -122.27, "recorded_at": soon},
                    headers=bearer(token))  # fmt: skip
    assert ok.status_code == 200 and ok.json()["applied"] is True


def test_end_to_end_the_nearer_officer_is_alerted_and_with_n_1_the_far_one_not_at_all(
    settings: Settings, engine: Engine, fcm: FcmServer
) -> None:
    settings = settings.changed(embedded_worker=True, worker_poll_s=0.2, routing_max_officers=1)
    from app.clock import system_clock

    with transaction(engine) as session:
        _, admin = factories.make_user(session, role=Role.ADMIN, now=system_clock())
        officers = [
            factories.make_user(session, role=Role.OFFICER, now=system_clock())[1] for _ in range(2)
        ]
    with (
        serve_in_thread(create_app(settings)) as base,
        httpx.Client(base_url=base, timeout=10) as api,
    ):
        camera = api.post(
            "/v1/cameras",
            json={"name": "Broadway & 14th", "lat": 37.8044, "lon": -122.2712},
            headers=bearer(admin),
        ).json()
        for token, phone, where in zip(
            officers,
            ("phone-near-1", "phone-far-22"),
            ((37.8050, -122.2712), (37.8200, -122.2712)),
            strict=True,
        ):
            api.post("/v1/devices", json={"token": phone, "platform": "ios"}, headers=bearer(token))
            api.put("/v1/me/duty", json={"on_duty": True}, headers=bearer(token))
            api.put(
                "/v1/me/location", json={"lat": where[0], "lon": where[1]}, headers=bearer(token)
            )
        hotlist = api.post(
            "/v1/hotlists",
            json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
            headers=bearer(admin),
        ).json()
        api.post(
            f"/v1/hotlists/{hotlist['id']}/entries",
            json=[{"plate": "7ABC123", "state": "CA"}],
            headers=bearer(admin),
        )
        read = api.post(
            "/v1/reads",
            json={"plate": "7ABC123", "state": "CA"},
            headers={"X-API-Key": camera["api_key"]},
        )
        assert hits_of(api, bearer(admin), read) == 1
        [received] = fcm.wait_for(1, timeout_s=10)
        assert received["message"]["token"] == "phone-near-1"
        assert received["message"]["apns"]["headers"]["apns-priority"] == "10"
        assert api.get("/v1/alerts", headers=bearer(officers[1])).json()["count"] == 0
    assert len(fcm.inbox.messages()) == 1


def test_breadcrumbs_are_kept_when_enabled_and_pruned_after_their_retention(
    settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    from app.models import OfficerLocation
    from app.runtime import make_enforcer

    settings = settings.changed(breadcrumbs=True)
    with TestClient(create_app(settings, clock=clock)) as client:
        _, token, _ = officer_on_duty(client, engine, clock, lat=37.80, lon=-122.27)
        clock.advance(seconds=1)
        client.put("/v1/me/location", json={"lat": 37.81, "lon": -122.27}, headers=bearer(token))
    with transaction(engine) as session:
        assert [p.lat for p in session.scalars(select(OfficerLocation).order_by("id"))] == [
            37.80,
            37.81,
        ]
    clock.advance(hours=24)
    # Breadcrumbs are retention's `positions` clock, LOOKOUT_BREADCRUMBS_KEEP_S (24 h).
    assert make_enforcer(settings, engine).run(clock()).removed["officer_location"] == 1
    with transaction(engine) as session:
        assert [p.lat for p in session.scalars(select(OfficerLocation))] == [37.81]
