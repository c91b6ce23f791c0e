"""Bulletins through the API: who is told on posting, the live watch, the retro search and its
trail, updates and cancellations on one notification thread, and what a dispatcher sees."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.fcm import FcmSender
from app.clock import ManualClock
from app.db import transaction
from app.delivery import worker as delivery
from app.delivery.worker import WorkerConfig
from app.models import OfficerStatus
from geo import Point
from geo.motion import project
from tests.app.bulletins.support import CAMERA, FAR, NEAR, dispatcher, post, queued
from tests.app.helpers import bearer, make_world, officer_on_duty
from tests.servers import FcmServer


def east_of(metres: float, *, north: float = 0.0) -> tuple[float, float]:
    """A point `metres` east of the camera (west when negative) and `north` metres north."""
    point = project(Point(*CAMERA), 90 if metres >= 0 else 270, abs(metres), 1)
    point = project(point, 0 if north >= 0 else 180, abs(north), 1)
    return point.lat, point.lon


def test_posting_alerts_on_duty_officers_inside_the_area_and_nobody_outside(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    inside, inside_token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    outside, outside_token, _ = officer_on_duty(client, engine, clock, lat=FAR[0], lon=FAR[1])
    off_duty, off_token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    client.put("/v1/me/duty", json={"on_duty": False}, headers=bearer(off_token))
    stale_fix = (clock() - timedelta(minutes=10)).isoformat()
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1], recorded_at=stale_fix)

    bulletin = post(client, dispatcher(engine, clock))

    assert bulletin["status"] == "active" and bulletin["priority"] == 2
    assert bulletin["expires_in_s"] == 8 * 3600  # robbery: 8 hours
    assert [(n["user_id"], n["reason"]) for n in bulletin["notified"]] == [(inside, "area")]
    [push] = queued(engine)
    assert (push.user_id, push.action, push.collapse_key) == (
        inside,
        "new",
        f"bulletin-{bulletin['id']}",
    )
    assert push.title == "P2 BOLO ROBBERY: silver Honda Civic, plate 7AB* (CA)"
    assert "Heading east" in push.body and "You are in the search area." in push.body
    assert push.data["bulletin_id"] == str(bulletin["id"])
    # The officer sees the bulletin and its alert; the one outside sees neither.
    assert (
        client.get(f"/v1/bulletins/{bulletin['id']}", headers=bearer(inside_token)).status_code
        == 200
    )
    assert (
        client.get(f"/v1/bulletins/{bulletin['id']}", headers=bearer(outside_token)).status_code
        == 404
    )
    [alert] = client.get("/v1/alerts", headers=bearer(inside_token)).json()["data"]
    assert (alert["id"], alert["kind"]) == (bulletin["alert_id"], "bulletin")
    assert client.get("/v1/alerts", headers=bearer(outside_token)).json()["count"] == 0
    assert outside not in {p.user_id for p in queued(engine)} and off_duty != push.user_id


def test_the_area_grows_with_time_since_the_incident_along_the_direction_of_travel(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    ahead, ahead_left, behind, behind_left = (
        officer_on_duty(client, engine, clock, lat=where[0], lon=where[1])[0]
        for where in (east_of(3000), east_of(2500, north=1200), east_of(-2000),
                      east_of(-2500, north=1200))
    )  # fmt: skip
    # Four minutes ago, eastbound: up to 3.6 km ahead at 15 m/s, a quarter of that behind.
    bulletin = post(
        client, dispatcher(engine, clock),
        occurred_at=(clock() - timedelta(minutes=4)).isoformat(),
        area={"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 500},
    )  # fmt: skip
    told = {n["user_id"] for n in bulletin["notified"]}
    assert told == {ahead, ahead_left}
    assert not told & {behind, behind_left}
    assert bulletin["search_area"]["type"] in ("Polygon", "MultiPolygon")


def test_officers_are_told_as_the_area_grows_only_so_far_and_cameras_find_the_car_beyond(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    near, far = (
        officer_on_duty(client, engine, clock, lat=where[0], lon=where[1])[0]
        for where in (east_of(3000), east_of(6000))
    )  # fmt: skip
    # Twenty minutes ago, eastbound: the car may be 10 km ahead (reads are matched that far),
    # but officers are told only up to 3 km beyond the drawn area (plus the 500 m margin).
    bulletin = post(
        client, dispatcher(engine, clock),
        occurred_at=(clock() - timedelta(minutes=20)).isoformat(),
        area={"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 500},
    )  # fmt: skip
    assert {n["user_id"] for n in bulletin["notified"]} == {near}
    shown = client.get(f"/v1/alerts/{bulletin['alert_id']}", headers=world.admin).json()
    [told] = shown["notified"]
    assert "grown to within" in told["pushes"][0]["why_officer"]

    # The car read 6 km ahead: a match, routed to the officer best placed for that read.
    lat, lon = east_of(6100)
    read = {"plate": "7ABX123", "state": "CA", "lat": lat, "lon": lon, "heading": 90,
            "vehicle": {"make": "Honda", "color": "silver"}}  # fmt: skip
    assert client.post("/v1/reads", json=read, headers=world.camera).status_code == 202
    match = [p for p in queued(engine) if p.action == "match"]
    assert far in {p.user_id for p in match}


def test_a_later_read_of_a_matching_car_alerts_the_nearest_officers_with_the_reasons(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    officer, token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    bulletin = post(client, dispatcher(engine, clock))
    clock.advance(minutes=2)

    # As Plate Recognizer sends plates, in lower case: officers see the canonical form.
    read = {"plate": "7abx123", "state": "CA", "heading": 90,
            "vehicle": {"make": "Honda", "color": "silver"}}  # fmt: skip
    client.post("/v1/reads", json=read, headers=world.camera)

    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    [point] = trail["points"]
    assert (point["plate"], point["source"], point["camera_id"]) == (
        "7ABX123",
        "live",
        world.camera_id,
    )
    assert point["reasons"][:3] == [
        "plate 7ABX123 fits 7AB*: positions 4-7 unknown (read X123)",
        "make Honda matches",
        "color silver matches",
    ]
    assert "model not reported by camera" in point["unknown"]
    assert "heading east, as reported" in point["reasons"]
    match = [p for p in queued(engine) if p.action == "match"]
    assert [(p.user_id, p.collapse_key) for p in match] == [(officer, f"bulletin-{bulletin['id']}")]
    assert match[0].title == f"P2 Possible match for bulletin #{bulletin['id']}: 7ABX123 (CA)"
    assert "Fits: plate 7ABX123 fits 7AB*: positions 4-7 unknown (read X123)" in match[0].body
    assert "Not checked: model not reported by camera" in match[0].body
    assert match[0].data["plate"] == "7ABX123"
    alert = client.get(f"/v1/alerts/{bulletin['alert_id']}", headers=bearer(token)).json()
    assert alert["sightings"] == 1 and [p["plate"] for p in alert["details"]["trail"]] == [
        "7ABX123"
    ]
    assert "Last seen just now" in alert["body"]

    # Every OCR candidate is tried: the second one fits, and the reason says which.
    clock.advance(seconds=30)
    candidates = [{"plate": "1ABX777", "confidence": 0.9}, {"plate": "7ABX777", "confidence": 0.6}]
    read = {"plate": "1ABX777", "candidates": candidates}
    client.post("/v1/reads", json=read, headers=world.camera)
    points = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()[
        "points"
    ]
    assert points[-1]["plate_key"] == "7ABX777"
    assert "OCR candidate 2 of 2, confidence 60%" in points[-1]["reasons"][0]
    assert "State not read — bulletin says CA" in points[-1]["warnings"]


def test_reads_outside_the_window_the_area_or_the_description_do_not_match(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    far_world = make_world(engine, clock, lat=37.60, lon=-122.40)  # 25 km south
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    expiring = post(client, headers, vehicle={"plate_pattern": "8ZZ*"},
                    expires_at=(clock() + timedelta(hours=1)).isoformat())  # fmt: skip
    long_before = (clock() - timedelta(hours=2)).isoformat()

    def read(body: dict[str, object], camera: dict[str, str] = world.camera) -> None:
        assert client.post("/v1/reads", json=body, headers=camera).status_code == 202

    silver_honda = {"make": "Honda", "color": "silver"}
    read({"plate": "7ABX123", "vehicle": silver_honda}, far_world.camera)  # outside the area
    read({"plate": "7ABX124", "read_at": long_before, "vehicle": silver_honda})  # before
    read({"plate": "7ABZ111", "vehicle": {"make": "Toyota", "model": "Camry"}})  # another car
    read({"plate": "7ABX125", "state": "NV", "vehicle": silver_honda})  # another state
    read({"plate": "8ABX123", "vehicle": silver_honda})  # the plate does not fit
    client.post(f"/v1/bulletins/{bulletin['id']}/cancel", json={"reason": "vehicle located"},
                headers=headers)  # fmt: skip
    read({"plate": "7ABX126", "vehicle": silver_honda})  # after the cancellation
    clock.advance(hours=2)
    read({"plate": "8ZZ1234"})  # after its expiry

    for found in (bulletin, expiring):
        trail = client.get(f"/v1/bulletins/{found['id']}/trail", headers=world.admin).json()
        assert trail["count"] == 0, trail
    assert [p.action for p in queued(engine) if p.action == "match"] == []
    listed = client.get("/v1/bulletins", params={"status": "all"}, headers=headers).json()
    assert {b["id"]: b["status"] for b in listed["data"]} == {
        bulletin["id"]: "cancelled",
        expiring["id"]: "expired",
    }
    assert client.get("/v1/bulletins", headers=headers).json()["count"] == 0  # active only


def test_a_read_stored_before_the_bulletin_is_in_its_trail_and_the_search_is_audited(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    officer, _, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    ten_min_ago = (clock() - timedelta(minutes=10)).isoformat()
    two_hours_ago = (clock() - timedelta(hours=2)).isoformat()
    silver_honda = {"make": "Honda", "color": "silver"}
    client.post("/v1/reads", json={"plate": "7ABQ001", "read_at": two_hours_ago,
                                   "vehicle": silver_honda}, headers=world.camera)  # fmt: skip
    client.post("/v1/reads", json={"plate": "7ABQ002", "read_at": ten_min_ago, "heading": 90,
                                   "vehicle": silver_honda}, headers=world.camera)  # fmt: skip
    client.post("/v1/reads", json={"plate": "5XYZ999"}, headers=world.camera)

    bulletin = post(client, dispatcher(engine, clock),
                    occurred_at=(clock() - timedelta(minutes=5)).isoformat())  # fmt: skip

    assert bulletin["matches"] == 1
    [point] = bulletin["trail"]
    assert (point["plate"], point["source"], point["heading"]) == ("7ABQ002", "retro", "east")
    assert point["seen"].startswith("10 min ago, ") and " by camera-" in point["seen"]
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert [p["plate"] for p in trail["points"]] == ["7ABQ002"]
    assert trail["vehicles"][0]["plate_key"] == "7ABQ002"
    # The officers in the area are pushed before the search; what it finds follows on the
    # bulletin's thread.
    first, found = queued(engine)
    assert (first.user_id, first.action) == (officer, "new")
    assert "Last seen" not in first.body
    assert (found.user_id, found.action) == (officer, "update")
    assert "Last seen 10 min ago" in found.body and found.collapse_key == first.collapse_key
    audit = client.get("/v1/audit", params={"action": "bulletin.retro_search"},
                       headers=world.admin).json()["data"]  # fmt: skip
    [search] = audit
    assert search["purpose"] == "case 24-001234"
    assert (search["detail"]["matched"], search["detail"]["truncated"]) == (1, False)
    assert search["object_id"] == str(bulletin["id"])

    # The trail keeps growing with live matches.
    client.post("/v1/reads", json={"plate": "7ABQ002", "vehicle": silver_honda},
                headers=world.camera)  # fmt: skip
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert [p["source"] for p in trail["points"]] == ["retro", "live"]
    assert trail["vehicles"][0]["sightings"] == 2


def test_updates_and_cancels_reach_the_same_officers_on_the_same_thread(
    client: TestClient, engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> None:
    make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    phones, tokens = {}, {}
    for i, where in enumerate([NEAR, east_of(400)]):
        user, token, phone = officer_on_duty(client, engine, clock, lat=where[0], lon=where[1],
                                             device_token=f"phone-bolo-{i:04d}")  # fmt: skip
        phones[user], tokens[user] = phone, token
    later, _, later_phone = officer_on_duty(client, engine, clock, lat=FAR[0], lon=FAR[1],
                                            device_token="phone-bolo-later")  # fmt: skip
    headers = dispatcher(engine, clock)
    config = WorkerConfig(worker_id="w-bulletins")

    bulletin = post(client, headers)
    collapse = f"bulletin-{bulletin['id']}"
    delivery.run_once(engine, sender, config=config, clock=clock)
    updated = client.patch(
        f"/v1/bulletins/{bulletin['id']}",
        json={"vehicle": {"color": "grey"}, "reason": "witness corrected the colour",
              "version": 1},
        headers=headers,
    )  # fmt: skip
    assert updated.status_code == 200, updated.text
    assert (updated.json()["version"], updated.json()["vehicle"]["color"]) == (2, "grey")
    delivery.run_once(engine, sender, config=config, clock=clock)
    # Widening the area tells the officer it now covers, for the first time.
    widened = client.patch(
        f"/v1/bulletins/{bulletin['id']}",
        json={"area": {"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 4000}},
        headers=headers,
    )
    assert widened.status_code == 200, widened.text
    delivery.run_once(engine, sender, config=config, clock=clock)
    responding = next(iter(phones))  # on the way to the car when the bulletin is cancelled
    answered = client.post(
        f"/v1/alerts/{bulletin['alert_id']}/response",
        json={"status": "responding"},
        headers=bearer(tokens[responding]),
    )
    assert answered.status_code == 200, answered.text
    delivery.run_once(engine, sender, config=config, clock=clock)
    cancelled = client.post(f"/v1/bulletins/{bulletin['id']}/cancel",
                            json={"reason": "vehicle located"}, headers=headers)  # fmt: skip
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    delivery.run_once(engine, sender, config=config, clock=clock)

    for user, phone in phones.items():
        messages = [m["message"] for m in fcm.inbox.messages(phone)]
        # The lookout is not told of the unit going to the car (nothing to do).
        assert [m["data"]["action"] for m in messages] == ["new", "update", "update", "cancel"]
        assert {m["android"]["collapse_key"] for m in messages} == {collapse}
        rang = [m for m in messages if "notification" in m["android"]]
        assert {m["android"]["notification"]["tag"] for m in rang} == {collapse}
        assert {m["apns"]["headers"]["apns-collapse-id"] for m in messages} == {collapse}
        assert messages[1]["notification"]["title"].startswith("P2 BOLO ROBBERY (updated): grey")
        # The cancellation rings for the unit on its way; the other phone swaps the bulletin
        # for it silently.
        shown = messages[-1]["notification" if user == responding else "data"]["title"]
        assert shown == f"CANCELLED — BOLO #{bulletin['id']} robbery: vehicle located"
        assert ("notification" in messages[-1]) is (user == responding)
        assert messages[-1]["data"]["bulletin_id"] == str(bulletin["id"])
    late = [m["message"] for m in fcm.inbox.messages(later_phone)]
    assert [m["data"]["action"] for m in late] == ["new", "cancel"]
    assert {m["android"]["collapse_key"] for m in late} == {collapse}
    # One alert for the whole life of the bulletin, and the dispatcher sees who got what.
    assert client.get("/v1/alerts", headers=headers).json()["count"] == 1
    status = client.get(f"/v1/bulletins/{bulletin['id']}/status", headers=headers).json()
    assert status["counts"]["notified"] == 3 and status["counts"]["delivered"] == 3
    assert {n["user_id"] for n in status["notified"]} == {*phones, later}
    stale = client.patch(f"/v1/bulletins/{bulletin['id']}", json={"narrative": "x"},
                         headers=headers)  # fmt: skip
    assert stale.status_code == 409 and "cancelled" in stale.json()["detail"]


def test_an_edit_made_from_an_old_version_is_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    client.patch(f"/v1/bulletins/{bulletin['id']}", json={"narrative": "two suspects, masked"},
                 headers=headers)  # fmt: skip
    stale = client.patch(f"/v1/bulletins/{bulletin['id']}", json={"priority": 1, "version": 1},
                         headers=headers)  # fmt: skip
    assert stale.status_code == 409
    assert "is at version 2, not 1" in stale.json()["detail"]


def test_acknowledgements_show_in_the_dispatcher_view(
    client: TestClient, engine: Engine, clock: ManualClock, sender: FcmSender
) -> None:
    make_world(engine, clock)
    officer, token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    before = client.get(f"/v1/bulletins/{bulletin['id']}/status", headers=headers).json()
    assert before["counts"] == {"notified": 1, "delivered": 0, "acknowledged": 0, "pending": 1,
                                "failed": 0}  # fmt: skip
    delivery.run_once(engine, sender, config=WorkerConfig(worker_id="w-ack"), clock=clock)
    client.post(f"/v1/alerts/{bulletin['alert_id']}/ack", headers=bearer(token))
    after = client.get(f"/v1/bulletins/{bulletin['id']}/status", headers=headers).json()
    assert after["counts"] == {"notified": 1, "delivered": 1, "acknowledged": 1, "pending": 0,
                               "failed": 0}  # fmt: skip
    assert after["notified"][0]["user_id"] == officer
    assert after["notified"][0]["deliveries"][0]["status"] == "sent"


def test_a_description_only_bulletin_matches_make_and_colour(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    bulletin = post(
        client, dispatcher(engine, clock), kind="carjacking",
        vehicle={"make": "Toyota", "model": "Prius", "color": "blue", "year": 2010},
    )  # fmt: skip
    assert bulletin["priority"] == 1 and bulletin["watch"] == {"plate": False, "description": True}
    for plate, vehicle in [
        ("6AAA111", {"make": "TOYT", "model": "PRIUS", "color": "dark blue"}),
        ("6AAA222", {"make": "Toyota", "model": "Prius", "color": "red"}),
        ("6AAA333", {"make": "Honda", "color": "blue"}),
        ("6AAA444", {"make": "Toyota", "model": "Prius", "color": "blue", "year": 2021}),
    ]:
        client.post("/v1/reads", json={"plate": plate, "vehicle": vehicle}, headers=world.camera)
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert [p["plate"] for p in trail["points"]] == ["6AAA111"]
    assert "make TOYT matches" in trail["points"][0]["reasons"]


def test_a_full_plate_on_a_differently_described_car_is_a_match_with_a_warning(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    bulletin = post(client, dispatcher(engine, clock),
                    vehicle={"plate_pattern": "7ABC123", "make": "Toyota", "model": "Camry",
                             "color": "white"})  # fmt: skip
    client.post("/v1/reads", json={"plate": "7ABC123", "vehicle": {"make": "Honda",
                "model": "Accord", "color": "red"}}, headers=world.camera)  # fmt: skip
    [point] = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()[
        "points"
    ]
    assert point["warnings"][0] == (
        "DESCRIPTION MISMATCH: record white Toyota Camry, camera saw red Honda Accord "
        "(compared make, model and colour) — "
        "verify before any stop"
    )
    [match] = [p for p in queued(engine) if p.action == "match"]
    assert "DESCRIPTION MISMATCH" in match.body


def test_information_bulletins_are_never_pushed(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    bulletin = post(client, dispatcher(engine, clock), priority=4)
    client.post("/v1/reads", json={"plate": "7ABX123"}, headers=world.camera)
    assert bulletin["counts"]["notified"] == 0
    assert queued(engine) == []
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert trail["count"] == 1  # watched all the same, for dispatchers


def test_beat_areas_tell_the_officers_assigned_there(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    beats = client.get("/v1/beats", headers=world.admin).json()["features"]
    code = client.get("/v1/beats/at", params={"lat": CAMERA[0], "lon": CAMERA[1]},
                      headers=world.admin).json()["beat"]  # fmt: skip
    assert code and any(f["properties"]["code"] == code for f in beats)
    inside, _, _ = officer_on_duty(client, engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    assigned, _, _ = officer_on_duty(client, engine, clock, lat=37.70, lon=-122.10)  # far away
    client.put(f"/v1/officers/{assigned}/beat", json={"beat": code}, headers=world.admin)

    bulletin = post(client, dispatcher(engine, clock), area={"beats": [code.lower()]})

    assert bulletin["area"] == {"beats": [code]}
    assert bulletin["area_text"] == f"beat {code}"
    assert {(n["user_id"], n["reason"]) for n in bulletin["notified"]} == {
        (inside, "area"),
        (assigned, "beat"),
    }


def test_a_bulletin_posted_through_one_process_is_watched_by_another(
    settings: object, engine: Engine, clock: ManualClock
) -> None:
    from app.main import create_app

    with (
        TestClient(create_app(settings, clock=clock)) as dispatch_side,  # type: ignore[arg-type]
        TestClient(create_app(settings, clock=clock)) as camera_side,  # type: ignore[arg-type]
    ):
        world = make_world(engine, clock)
        officer_on_duty(dispatch_side, engine, clock, lat=NEAR[0], lon=NEAR[1])
        bulletin = post(dispatch_side, dispatcher(engine, clock))
        camera_side.post("/v1/reads", json={"plate": "7ABX123"}, headers=world.camera)
        trail = dispatch_side.get(f"/v1/bulletins/{bulletin['id']}/trail",
                                  headers=world.admin).json()  # fmt: skip
        assert [p["plate"] for p in trail["points"]] == ["7ABX123"]


def test_officers_list_only_the_bulletins_they_were_sent(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    _, near_token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    headers = dispatcher(engine, clock)
    mine = post(client, headers)
    post(client, headers, area={"center": {"lat": 37.70, "lon": -122.10}, "radius_m": 500})
    listed = client.get("/v1/bulletins", headers=bearer(near_token)).json()
    assert [b["id"] for b in listed["data"]] == [mine["id"]]
    assert client.get("/v1/bulletins", headers=headers).json()["count"] == 2
    refused = client.post("/v1/bulletins", json={"kind": "other", "narrative": "x",
                          "area": {"beats": ["01A"]}}, headers=bearer(near_token))  # fmt: skip
    assert refused.status_code == 403
    assert client.get(f"/v1/bulletins/{mine['id']}/status",
                      headers=bearer(near_token)).status_code == 403  # fmt: skip


def test_an_officer_gone_off_duty_still_gets_the_cancellation(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    officer, token, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    headers = dispatcher(engine, clock)
    bulletin = post(client, headers)
    client.put("/v1/me/duty", json={"on_duty": False}, headers=bearer(token))
    with transaction(engine) as session:
        status = session.scalars(
            select(OfficerStatus).where(OfficerStatus.user_id == officer)
        ).one()
        assert not status.on_duty
    client.post(f"/v1/bulletins/{bulletin['id']}/cancel", json={"reason": "vehicle located"},
                headers=headers)  # fmt: skip
    assert [p.action for p in queued(engine)] == ["new", "cancel"]
