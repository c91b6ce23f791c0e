"""Vendor intake over HTTP: what is refused and why, keys, retries, images, a hit."""

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.logs import JsonFormatter
from app.main import create_app
from app.models import AuditLog, Camera, Read, Role
from app.settings import Settings
from tests import factories
from tests.app.helpers import World, bearer, hits_of, hotlist_with_plate
from tests.app.intake.support import (
    alpr_frame,
    alpr_group,
    jpeg,
    make_site,
    post,
    sample_json,
    stored_reads,
)
from tests.lpr.vendors.samples import sample


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# Bodies that cannot be read: a 4xx that says why, never a 5xx, nothing stored.

UNREADABLE = [
    ("openalpr", b"", "empty"),
    ("openalpr", b"   \n", "empty"),
    ("openalpr", b"{not json", "not valid JSON"),
    ("openalpr", b"[1, 2]", "JSON object"),
    ("openalpr", b'"alpr_group"', "JSON object"),
    ("openalpr", b"\x80\x81\x82", "not UTF-8"),
    ("openalpr", b'{"data_type": 5}', "data_type must be a string"),
    ("openalpr", b'{"camera_id": 1}', "no data_type and no results"),
    ("openalpr", b'{"data_type": "alpr_group"}', "no best_plate_number"),
    ("platerecognizer", b"Image file not found: x.jpg", "not JSON"),
    ("platerecognizer", b'{"results": "none"}', "not an array"),
    ("platerecognizer", b'{"hook": {"event": "recognition"}, "data": []}', "'data' is not"),
    ("verkada", b'{"org_id": "x"}', "not a Verkada webhook"),
    ("verkada", b'{"webhook_type": "lpr", "data": {}}', "license_plate_number"),
    ("hikvision", b"{}", "ISAPI XML"),
    ("hikvision", b"<config><a/></config>", "root element is 'config'"),
    ("hikvision", b"<EventNotificationAlert><eventType>", "not well-formed XML"),
    ("axis", b'{"carState": "new"}', "no plateText"),
    ("genetec", b'{"CameraName": "Sharp"}', "no Plate"),
    ("survision", b'{"plate": "7ABC123"}', "no 'anpr' object"),
    ("dahua", b'{"method": "client.notifyEventStream"}', "no params.eventList"),
    ("blueiris", b'{"camera": "LPR"}', "no ai_dump array"),
    ("parkpow", b'{"results": []}', "not a ParkPow visit"),
]


@pytest.mark.parametrize(("vendor", "body", "why"), UNREADABLE)
def test_an_unreadable_body_is_a_4xx_saying_why(
    vendor: str, body: bytes, why: str, client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    response = post(client, vendor, body, site)
    assert 400 <= response.status_code < 500, response.text
    assert why in response.json()["detail"]
    assert _count(engine, Read) == 0


def test_a_broken_multipart_body_is_a_400_and_one_without_json_a_422(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    broken = client.post(
        "/v1/intake/platerecognizer",
        content=b"json={}",
        headers={"Content-Type": "multipart/form-data", **site.headers},  # no boundary
    )
    no_json = client.post(
        "/v1/intake/platerecognizer",
        files={"upload": ("frame.jpg", jpeg(), "image/jpeg")},
        headers=site.headers,
    )
    assert broken.status_code == 400
    assert "boundary" in broken.json()["detail"]
    assert no_json.status_code == 422
    assert "no 'json' field" in no_json.json()["detail"]


def test_what_real_senders_add_is_tolerated(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """A UTF-8 BOM, a log line before the JSON, fields and message types we do not know."""
    site = make_site(engine, clock)
    group = alpr_group(some_new_field={"nested": [1, 2, {"x": None}]}, version=9)
    body = (
        b"\xef\xbb\xbf2026-11-25 21:40:00 alprd[42]: posting group\n" + json.dumps(group).encode()
    )
    stored = post(client, "openalpr", body, site)
    assert stored.status_code == 202, stored.text
    assert stored.json()["stored"] == 1

    ignored = {
        "openalpr": {"data_type": "alpr_plate_cache", "whatever": 1},
        "verkada": {"webhook_type": "camera_offline", "data": {"camera_id": "c1"}},
        "platerecognizer": {"hook": {"event": "camera.offline", "id": "c1"}, "data": {}},
    }
    for vendor, message in ignored.items():
        response = post(client, vendor, message, site)
        assert response.status_code == 202, response.text
        assert response.json()["stored"] == 0
        assert "carries no" in response.json()["ignored"]
    assert _count(engine, Read) == 1


@pytest.fixture
def small_client(settings: Settings, clock: ManualClock) -> Iterator[TestClient]:
    limited = settings.changed(intake_max_body_bytes=4096)
    with TestClient(create_app(limited, clock=clock)) as test_client:
        yield test_client


def test_a_body_over_the_limit_is_a_413(
    small_client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    group = alpr_group(images=True)  # about 10 KB of base64 images
    declared = post(small_client, "openalpr", group, site)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        body = json.dumps(group).encode()
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    streamed = small_client.post(
        "/v1/intake/openalpr",
        content=chunks(),
        headers={"Content-Type": "application/json", **site.headers},
    )
    assert declared.status_code == streamed.status_code == 413
    assert "4096" in declared.json()["detail"]
    assert post(small_client, "openalpr", alpr_group(), site).status_code == 202


# The camera key: X-API-Key, in the path, or basic auth.


def test_the_key_may_come_in_the_path_or_as_basic_auth(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    body = json.dumps(alpr_group()).encode()
    in_path = client.post(f"/v1/intake/openalpr/{site.key}", content=body)
    basic = base64.b64encode(f"agent:{site.key}".encode()).decode()
    as_basic = client.post(
        "/v1/intake/verkada",
        content=sample("verkada-lpr-webhook-2025-verkada-apidocs.json"),
        headers={"Authorization": f"Basic {basic}"},
    )
    in_path_pr = client.post(
        f"/v1/intake/platerecognizer/{site.key}",
        content=sample("platerecognizer-stream-webhook-2025-lpr-ai.json"),
    )
    assert [r.status_code for r in (in_path, as_basic, in_path_pr)] == [202, 202, 202]
    assert _count(engine, Read) == 3


def test_a_missing_or_wrong_key_is_a_401_and_stores_nothing(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_site(engine, clock)
    body = json.dumps(alpr_group()).encode()
    missing = client.post("/v1/intake/openalpr", content=body)
    wrong = client.post("/v1/intake/openalpr", content=body, headers={"X-API-Key": "lkc_nope"})
    wrong_path = client.post("/v1/intake/openalpr/lkc_nope", content=body)
    bad_basic = client.post(
        "/v1/intake/openalpr", content=body, headers={"Authorization": "Basic !!!"}
    )
    assert [r.status_code for r in (missing, wrong, wrong_path, bad_basic)] == [401] * 4
    assert missing.headers["WWW-Authenticate"].startswith("Basic")
    assert "X-API-Key" in missing.json()["detail"]
    assert all("lkc_nope" not in r.text for r in (wrong, wrong_path))
    assert _count(engine, Read) == 0


# Retries and repeats


def test_a_frame_then_its_group_and_a_group_then_its_frame_are_one_read_each(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    first = alpr_group()
    frame = post(client, "openalpr", alpr_frame(first, 0), site).json()
    group = post(client, "openalpr", first, site).json()
    assert frame["stored"] == 1
    assert (group["stored"], group["duplicates"], group["duplicate_of"]) == (
        0,
        1,
        frame["read_ids"],
    )
    # The group's other frame, arriving late, is the same vehicle too.
    late = post(client, "openalpr", alpr_frame(first, 1), site).json()
    assert (late["stored"], late["duplicate_of"]) == (0, frame["read_ids"])

    second = alpr_group()
    group = post(client, "openalpr", second, site).json()
    frame = post(client, "openalpr", alpr_frame(second, 1), site).json()
    assert (group["stored"], frame["stored"], frame["duplicate_of"]) == (1, 0, group["read_ids"])
    assert _count(engine, Read) == 2


def test_the_same_read_from_a_stream_webhook_and_its_jsonl_line_is_stored_once(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    webhook = post(
        client, "platerecognizer", sample("platerecognizer-stream-webhook-2025-lpr-ai.json"), site
    ).json()
    jsonl = client.post(
        "/v1/intake/platerecognizer",
        content=sample("platerecognizer-stream-jsonl-output-lpr-ai.jsonl"),
        headers={"Content-Type": "application/x-ndjson", **site.headers},
    ).json()
    assert (webhook["stored"], jsonl["stored"], jsonl["duplicates"]) == (1, 0, 1)


def test_the_same_event_id_on_two_cameras_is_two_reads(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    group = alpr_group()
    elsewhere = group | {"camera_id": 999}
    assert post(client, "openalpr", group, site).json()["stored"] == 1
    assert post(client, "openalpr", elsewhere, site).json()["stored"] == 1


# Images


def _image_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "images").rglob("*.jpg"))


def test_an_inline_image_is_stored_on_disk_and_served_to_investigators_with_an_audit_row(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    site = make_site(engine, clock)
    group = alpr_group(images=True)
    body = post(client, "openalpr", group, site).json()
    read_id = body["read_ids"][0]
    files = _image_files(settings)
    assert len(files) == 1  # one image per read: the vehicle crop
    assert files[0].read_bytes() == base64.b64decode(group["vehicle_crop_jpeg"])
    assert files[0].relative_to(settings.data_dir / "images").parts[0] == f"{clock():%Y}"
    with transaction(engine) as session:
        read = session.get(Read, read_id)
        assert read is not None and read.image_url is not None
        assert read.image_url.startswith("store:") and "base64" not in read.image_url

    view = client.get(f"/v1/reads/{read_id}", headers=site.dispatcher)
    assert view.json()["image_url"] == f"/v1/reads/{read_id}/image"
    image = client.get(f"/v1/reads/{read_id}/image", headers=site.dispatcher)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content == files[0].read_bytes()
    with transaction(engine) as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.action == "image.view")).all()
        assert [(a.object_id, a.plate) for a in audited] == [(str(read_id), "D2651BF")]

    with transaction(engine) as session:
        _, officer = factories.make_user(session, role=Role.OFFICER, now=clock())
    assert client.get(f"/v1/reads/{read_id}/image", headers=bearer(officer)).status_code == 403
    assert client.get(f"/v1/reads/{read_id}/image").status_code == 401


def test_a_duplicate_leaves_no_image_behind(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    site = make_site(engine, clock)
    group = alpr_group(images=True)
    post(client, "openalpr", group, site)
    again = post(client, "openalpr", group, site).json()
    assert again["duplicates"] == 1
    assert len(_image_files(settings)) == 1


def test_a_read_without_a_kept_image_says_so(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    body = post(client, "openalpr", alpr_group(), site).json()
    response = client.get(f"/v1/reads/{body['read_ids'][0]}/image", headers=site.dispatcher)
    assert response.status_code == 404
    assert "no image" in response.json()["detail"]


def test_an_oversized_image_is_dropped_with_a_note_and_the_read_kept(
    settings: Settings, clock: ManualClock, engine: Engine
) -> None:
    limited = settings.changed(intake_max_image_bytes=3000)
    site = make_site(engine, clock)
    with TestClient(create_app(limited, clock=clock)) as client:
        body = post(client, "openalpr", alpr_group(images=True), site).json()
    assert body["stored"] == 1
    assert any("vehicle_crop_jpeg" in note and "not kept" in note for note in body["notes"])
    # The plate crop (1.5 KB) is under the cap and is what the read keeps.
    [read] = stored_reads(engine)
    assert read.image_url is not None and read.image_url.startswith("store:")


def test_a_stream_webhook_with_its_frame_as_multipart(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    site = make_site(engine, clock)
    frame = jpeg(5000)
    response = client.post(
        "/v1/intake/platerecognizer",
        data={"json": sample("platerecognizer-stream-webhook-2025-lpr-ai.json").decode()},
        files={"upload": ("frame.jpg", frame, "image/jpeg")},
        headers=site.headers,
    )
    assert response.status_code == 202, response.text
    [read_id] = response.json()["read_ids"]
    image = client.get(f"/v1/reads/{read_id}/image", headers=site.dispatcher)
    assert image.content == frame
    assert [f.read_bytes() for f in _image_files(settings)] == [frame]


# Sightings and hits


def test_a_vehicle_without_a_plate_stores_no_read_and_counts_for_health(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    vehicle = sample_json("openalpr-alpr_group-v2-openalpr-doc.json")
    for field in ("best_plate_number", "best_plate", "candidates", "best_confidence"):
        vehicle.pop(field)
    vehicle["data_type"] = "vehicle"
    response = post(client, "openalpr", vehicle, site)
    assert response.status_code == 202
    body = response.json()
    assert (body["stored"], body["sightings"], body["kind"]) == (0, 1, "vehicle")
    assert "no read stored" in body["ignored"]
    with transaction(engine) as session:
        cameras = {c.id: c for c in session.scalars(select(Camera))}
    assert [cameras[i].last_sighting_at for i in body["camera_ids"]] == [clock()]
    assert _count(engine, Read) == 0


def test_a_read_from_vendor_intake_raises_an_alert_like_any_read_and_logs_no_plate(
    client: TestClient, engine: Engine, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(engine, clock)
    world = World(admin_token=site.admin_token, camera_key=site.key, camera_id=site.camera_id)
    hotlist_with_plate(client, world, "D2651BF", state="MO")
    with caplog.at_level(logging.INFO):
        answer = post(client, "openalpr", alpr_group(), site)
        post(client, "openalpr", {"data_type": "alpr_future_type"}, site)
    assert (answer.json()["stored"], hits_of(client, site.admin, answer)) == (1, 1)
    alerts = client.get("/v1/alerts", headers=site.admin).json()
    assert alerts["count"] == 1
    assert alerts["data"][0]["plate"] == "D2651BF"
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert any('"event": "camera.found"' in line for line in lines)
    assert not [line for line in lines if "D2651BF" in line or site.key in line]


def test_an_alert_on_another_plate_than_its_group_is_stored_and_matched(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """The agent alerts on the plate its list matched: sharing the group's uuid does not make
    it a repeat of the group's read when the plate differs, and the listed car is matched."""
    site = make_site(engine, clock)
    hotlist_with_plate(
        client, World(site.admin_token, site.key, site.camera_id), "7LST001", state="MO"
    )
    group = alpr_group()
    assert hits_of(client, site.admin, post(client, "openalpr", group, site)) == 0
    alert = {"data_type": "alpr_alert", "epoch_time": group["epoch_start"],
             "plate_number": "7LST001", "group": group}  # fmt: skip

    response = post(client, "openalpr", alert, site)

    answer = response.json()
    assert (answer["stored"], answer["duplicates"]) == (1, 0)
    assert hits_of(client, site.admin, response) == 1
    again = post(client, "openalpr", alert, site).json()  # the agent retries: the same read
    assert (again["stored"], again["duplicates"]) == (0, 1)


def test_a_frame_with_another_plate_than_its_group_is_a_read_of_its_own(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    hotlist_with_plate(
        client, World(site.admin_token, site.key, site.camera_id), "7LST002", state="MO"
    )
    group = alpr_group()
    post(client, "openalpr", group, site)
    same = post(client, "openalpr", alpr_frame(group, 0), site).json()
    better = alpr_frame(group, 1)
    better["results"][0]["plate"] = "7LST002"

    response = post(client, "openalpr", better, site)

    answer = response.json()
    assert (same["stored"], same["duplicates"]) == (0, 1)
    assert (answer["stored"], answer["duplicates"]) == (1, 0)
    assert hits_of(client, site.admin, response) == 1


def test_a_guess_the_camera_was_unsure_of_is_no_mismatch_and_plates_show_in_capitals(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """Plate Recognizer sends `wa88822`, and a make and model it scored at 0.9 %: the alert
    shows WA88822 and says the camera was unsure, never DESCRIPTION MISMATCH."""
    site = make_site(engine, clock)
    world = World(site.admin_token, site.key, site.camera_id)
    hotlist_with_plate(client, world, "WA88822", state=None,
                       vehicle={"make": "Iveco", "model": "Daily", "color": "black"})  # fmt: skip
    webhook = sample_json("platerecognizer-stream-webhook-2025-lpr-ai.json")
    webhook["data"]["results"][0]["model_make"] = [
        {"make": "Volkswagen", "model": "Golf", "score": 0.009}
    ]
    answer = post(client, "platerecognizer", webhook, site)
    assert hits_of(client, site.admin, answer) == 1
    alert_id = client.get("/v1/alerts", headers=site.admin).json()["data"][0]["id"]
    alert = client.get(f"/v1/alerts/{alert_id}", headers=site.admin).json()
    assert "WA88822" in alert["title"] and "wa88822" not in alert["title"] + alert["body"]
    warnings = alert["details"]["warnings"]
    assert "Camera unsure of the make and model — verify visually" in warnings
    assert not any(w.startswith("DESCRIPTION MISMATCH") for w in warnings)
