"""Vendor cameras become Lookout cameras: found through a site's key, placed by an admin, and
watched: last read, last heartbeat, reads in the last hour, low-confidence share, silence."""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Camera, CameraSource
from tests.app.intake.support import alpr_group, make_site, post, sample_json, stored_reads
from tests.lpr.vendors.samples import sample

AGENT_CAMERA = "openalpr:YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY:1234"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _cameras(client: TestClient, headers: dict[str, str], **params: Any) -> dict[int, Any]:
    response = client.get("/v1/cameras", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {camera["id"]: camera for camera in response.json()}


def test_a_vendor_camera_is_created_unplaced_on_first_sight_and_placed_by_an_admin(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock, lat=None, lon=None)  # an agent: a site with no position
    body = post(client, "openalpr", alpr_group(gps_latitude=0, gps_longitude=0), site).json()
    [found_id] = [i for i in body["camera_ids"] if i != site.camera_id]
    [read] = stored_reads(engine)
    assert read.camera_id == found_id and (read.lat, read.lon) == (None, None)

    unplaced = _cameras(client, site.dispatcher, placed="false")
    assert set(unplaced) == {site.camera_id, found_id}
    found = unplaced[found_id]
    assert found["key_hint"] is None and found["is_placed"] is False
    assert found["vendor_refs"] == [
        {"camera_ref": AGENT_CAMERA, "label": None, "key_camera_id": site.camera_id}
    ]

    place = {"lat": 37.79, "lon": -122.25, "heading": 90, "name": "14th Ave eastbound"}
    refused = client.patch(f"/v1/cameras/{found_id}", json=place, headers=site.dispatcher)
    assert refused.status_code == 403
    placed = client.patch(f"/v1/cameras/{found_id}", json=place, headers=site.admin)
    assert placed.status_code == 200, placed.text
    assert (placed.json()["is_placed"], placed.json()["name"]) == (True, "14th Ave eastbound")
    assert found_id not in _cameras(client, site.admin, placed="false")

    # The next read from that camera gets the position, without waiting for any cache.
    body = post(client, "openalpr", alpr_group(gps_latitude=0, gps_longitude=0), site).json()
    [later] = stored_reads(engine, body["read_ids"])
    assert (later.camera_id, later.lat, later.lon, later.heading_deg) == (
        found_id, 37.79, -122.25, 85.5532836914062,  # its own travel direction wins
    )  # fmt: skip


def test_a_mobile_units_gps_wins_over_the_camera_position(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    body = post(client, "openalpr", alpr_group(), site).json()
    [read] = stored_reads(engine, body["read_ids"])
    assert (read.lat, read.lon) == (37.635986328125, -79.2059326171875)


def test_a_key_that_may_not_create_cameras_stores_under_its_own_camera(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock, may_create_cameras=False)
    body = post(client, "openalpr", alpr_group(), site).json()
    assert body["camera_ids"] == [site.camera_id]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Camera)) == 1
        assert session.scalar(select(func.count()).select_from(CameraSource)) == 0


def test_vendor_camera_names_are_per_key(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """Two sites with a camera of the same vendor name get two cameras, each its own."""
    first, second = make_site(engine, clock), make_site(engine, clock)
    webhook = sample("platerecognizer-stream-webhook-2025-lpr-ai.json")  # camera "camera-1"
    a = post(client, "platerecognizer", webhook, first).json()
    b = post(client, "platerecognizer", webhook, second).json()
    assert a["stored"] == b["stored"] == 1  # not a duplicate: another camera
    assert set(a["camera_ids"]).isdisjoint(b["camera_ids"])


def test_a_switched_off_camera_is_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    body = post(client, "openalpr", alpr_group(), site).json()
    [found_id] = [i for i in body["camera_ids"] if i != site.camera_id]
    off = client.patch(f"/v1/cameras/{found_id}", json={"is_active": False}, headers=site.admin)
    assert off.status_code == 200
    refused = post(client, "openalpr", alpr_group(), site)
    assert refused.status_code == 403
    assert "switched off" in refused.json()["detail"]


def test_a_heartbeat_names_and_times_the_agents_cameras(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    response = post(client, "openalpr", sample("openalpr-heartbeat-v2-openalpr-doc.json"), site)
    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["stored"], body["ignored"]) == ("heartbeat", 0, None)
    cameras = _cameras(client, site.admin)
    [found_id] = [i for i in body["camera_ids"] if i != site.camera_id]
    assert cameras[found_id]["vendor_refs"][0]["label"] == "test"
    assert cameras[found_id]["name"] == "test"
    for camera_id in (site.camera_id, found_id):
        assert _at(cameras[camera_id]["health"]["last_heartbeat_at"]) == clock()
    assert cameras[found_id]["health"]["streaming"] is True


def test_a_silent_camera_is_flagged_and_a_heartbeat_or_read_clears_it(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    post(client, "openalpr", alpr_group(), site)
    assert not any(c["health"]["silent"] for c in _cameras(client, site.admin).values())

    clock.advance(seconds=15 * 60 + 1)  # LOOKOUT_CAMERA_SILENT_AFTER_S defaults to 15 minutes
    silent = _cameras(client, site.dispatcher, silent="true")
    assert len(silent) == 2  # the site and its camera

    heartbeat = sample_json("openalpr-heartbeat-v2-openalpr-doc.json")
    heartbeat["video_streams"][0]["is_streaming"] = False
    post(client, "openalpr", heartbeat, site)
    cameras = _cameras(client, site.admin)
    assert not any(c["health"]["silent"] for c in cameras.values())
    assert [c["health"]["streaming"] for c in cameras.values() if c["id"] != site.camera_id] == [
        False
    ]

    clock.advance(seconds=15 * 60 + 1)
    post(client, "openalpr", alpr_group(), site)  # a read from the camera: the site lives too
    assert _cameras(client, site.admin, silent="true") == {}


def test_reads_in_the_last_hour_and_the_low_confidence_share(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    post(client, "openalpr", alpr_group(best_confidence=93.0), site)
    clock.advance(minutes=61)
    for confidence in (91.0, 42.0, 30.0, 88.0):
        post(client, "openalpr", alpr_group(best_confidence=confidence), site)
    cameras = _cameras(client, site.admin)
    [found] = [c for c in cameras.values() if c["id"] != site.camera_id]
    health = found["health"]
    assert (health["reads_last_hour"], health["low_confidence_share"]) == (4, 0.5)
    assert _at(health["last_read_at"]) == clock()
    assert cameras[site.camera_id]["health"]["reads_last_hour"] == 0
