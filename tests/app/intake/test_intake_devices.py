"""Each camera and program posts as it does in the field (multipart where it uses multipart):
its camera is found and placed, a listed plate is stored with the right plate, state, time and
camera, the hit reaches an officer's phone through the real FCM SDK, a retry is stored once,
and GET /v1/cameras shows the camera's health."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from alerts.fcm import FcmSender
from app.clock import ManualClock
from app.delivery import worker as delivery
from app.delivery.worker import WorkerConfig
from tests import factories
from tests.app.helpers import World, alerts_by_read, hotlist_with_plate, officer_on_duty
from tests.app.intake.support import camera_of, make_site, stored_reads
from tests.lpr.vendors import devices
from tests.servers import FcmServer

SITE = (37.8044, -122.2712)


@dataclass(frozen=True)
class Device:
    build: Callable[..., devices.Post]  # (plate=, at=, event_id=) -> the request
    camera_ref: str | None  # None: the message names no camera; the key's own is used
    state: str | None
    read_at: Callable[[datetime], datetime] = lambda at: at  # what the device can express


def _to_ms(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


DEVICES: dict[str, Device] = {
    "hikvision": Device(
        devices.hikvision, f"hikvision:{devices.HIKVISION_MAC.replace(':', '')}:1", None, _to_ms
    ),
    "genetec": Device(
        devices.genetec,
        f"genetec:{devices.GENETEC_SHARP}",
        "CA",
        lambda at: at.replace(microsecond=0),
    ),
    "survision": Device(devices.survision, None, "CA", _to_ms),
    "dahua": Device(devices.dahua, f"dahua:{devices.DAHUA_MACHINE}", None, _to_ms),
    "blueiris": Device(devices.blueiris, "blueiris:DrivewayLPR", None, _to_ms),
    "parkpow": Device(devices.parkpow, "parkpow:gate-2", "CA"),
    "axis": Device(devices.axis, f"axis:{devices.AXIS_SERIAL.lower()}", "CA", _to_ms),
}


def _post(client: TestClient, vendor: str, post: devices.Post, key: str) -> dict[str, object]:
    response = client.post(f"/v1/intake/{vendor}/{key}", **post.request())
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize("vendor", sorted(DEVICES))
def test_a_device_message_is_stored_matched_pushed_and_its_camera_watched(
    vendor: str,
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    sender: FcmSender,
    fcm: FcmServer,
) -> None:
    device = DEVICES[vendor]
    site = make_site(engine, clock, lat=SITE[0], lon=SITE[1])
    world = World(site.admin_token, site.key, site.camera_id)
    _, _, phone = officer_on_duty(client, engine, clock, lat=SITE[0] + 0.001, lon=SITE[1])
    listed = factories.unique_plate()
    hotlist_with_plate(client, world, listed, state=device.state or "CA")

    # The camera's first read finds it; an admin places it where it stands.
    first = _post(
        client, vendor, device.build(plate="8LKT204", at=clock(), event_id=_id()), site.key
    )
    assert first["stored"] == 1, first
    assert "hits" not in first  # a camera learns nothing of matches
    found = [i for i in first["camera_ids"] if i != site.camera_id]  # type: ignore[attr-defined]
    for camera_id in found:
        placed = client.patch(
            f"/v1/cameras/{camera_id}",
            json={"lat": SITE[0], "lon": SITE[1], "heading": 0},
            headers=site.admin,
        )
        assert placed.status_code == 200, placed.text

    clock.advance(seconds=30)
    at = clock()
    event_id = _id()
    answer = _post(client, vendor, device.build(plate=listed, at=at, event_id=event_id), site.key)

    assert (answer["stored"], answer["ignored"]) == (1, None), answer
    assert len(alerts_by_read(client, site.admin).get(answer["read_ids"][0], set())) == 1
    [read] = stored_reads(engine, answer["read_ids"])  # type: ignore[arg-type]
    assert read.plate.upper().replace(" ", "") == listed
    assert read.state == device.state
    assert read.read_at == device.read_at(at)
    assert read.details is not None and read.details["vendor"] == vendor
    if device.camera_ref is None:
        assert read.camera_id == site.camera_id
    else:
        camera = camera_of(engine, site, device.camera_ref)
        assert camera is not None and read.camera_id == camera.id
        assert read.details["camera_ref"] == device.camera_ref

    assert delivery.run_once(engine, sender, config=WorkerConfig(worker_id="w"), clock=clock) >= 1
    [message] = [m["message"] for m in fcm.inbox.messages(phone)]
    assert message["data"]["plate"] == listed  # type: ignore[index]

    again = _post(client, vendor, device.build(plate=listed, at=at, event_id=event_id), site.key)
    assert (again["stored"], again["duplicates"]) == (0, 1), again

    cameras = {c["id"]: c for c in client.get("/v1/cameras", headers=site.dispatcher).json()}
    watched = cameras[read.camera_id]
    assert watched["health"]["reads_last_hour"] == 2
    assert datetime.fromisoformat(watched["health"]["last_read_at"]) == clock()
    assert watched["health"]["silent"] is False
    if device.camera_ref is not None:
        assert [r["camera_ref"] for r in watched["vendor_refs"]] == [device.camera_ref]


def _id() -> str:
    return str(uuid.uuid4())


def test_a_hikvision_heartbeat_keeps_the_camera_alive_and_other_events_say_why(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    heartbeat = devices.hikvision_xml(
        plate="", at=clock(), uuid="", event_type="videoloss", state="inactive"
    )
    alive = _post(client, "hikvision", devices.Post(heartbeat, "application/xml"), site.key)
    assert (alive["kind"], alive["stored"], alive["ignored"]) == ("heartbeat", 0, None)
    motion = devices.hikvision_xml(plate="", at=clock(), uuid="", event_type="VMD")
    ignored = _post(client, "hikvision", devices.Post(motion, "application/xml"), site.key)
    assert ignored["ignored"] == "eventType 'VMD' carries no plate read"
    cameras = {c["id"]: c for c in client.get("/v1/cameras", headers=site.dispatcher).json()}
    [found] = [c for c in cameras.values() if c["vendor_refs"]]
    assert datetime.fromisoformat(found["health"]["last_heartbeat_at"]) == clock()


def test_messages_without_an_event_id_are_still_stored_once_when_sent_again(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    bare_dump = devices.blueiris_ai_dump(plates=[("7ABC123", 0.8)], at=clock())
    no_event_id = devices.survision_message(plate="7ABC124", at=clock(), event="4")
    del no_event_id["anpr"]["@id"]
    for vendor, message in (("blueiris", bare_dump), ("survision", no_event_id)):
        post = devices.Post(devices.dumps(message))
        first = _post(client, vendor, post, site.key)
        again = _post(client, vendor, post, site.key)
        assert (first["stored"], again["stored"], again["duplicates"]) == (1, 0, 1), vendor
