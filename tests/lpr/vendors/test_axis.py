import json
from datetime import UTC, datetime

import pytest

from lpr.vendors import Heartbeat, ImageKind, Reads, VendorFormatError, axis
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 4, 17, 5, 11, tzinfo=UTC)


def reads(message: object, **kwargs: object) -> Reads:
    parsed = axis.parse(message, received_at=RECEIVED, **kwargs)  # type: ignore[arg-type]
    check(parsed)
    assert isinstance(parsed, Reads), parsed
    return parsed


def test_an_event_keeps_plate_state_time_camera_vehicle_and_direction() -> None:
    parsed = reads(devices.axis_event(plate="7ABC123", at=AT, car_id="5512"))
    (read,) = parsed.reads
    assert (read.plate, read.state, read.confidence) == ("7ABC123", "CA", 0.87412)
    assert read.read_at == AT  # capture_timestamp, UTC ms
    assert (read.lat, read.lon, read.direction) == (37.80441, -122.27118, "in")
    assert read.camera_ref == "axis:accc8ef1a2b3"
    assert parsed.camera_label == "Broadway-EB · AXIS P1455-LE"
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "Toyota", "Camry", "silver", "CAR"
    )  # fmt: skip
    assert vehicle.make_confidence == pytest.approx(0.9123)
    assert (parsed.kind, read.source_id) == ("new", "accc8ef1a2b3:5512")


def test_new_update_and_lost_of_one_car_share_the_source_id() -> None:
    ids = {
        reads(devices.axis_event(plate="7ABC123", at=AT, car_id="9", state=s)).reads[0].source_id
        for s in ("new", "update", "lost")
    }
    assert ids == {"accc8ef1a2b3:9"}


def test_escapes_left_in_the_text_are_decoded() -> None:
    event = devices.axis_event(plate="7ABC123", at=AT, car_id="9")
    for key in ("plateUTF8", "plateUnicode", "plateASCII"):
        event.pop(key)
    event["plateText"] = "\\u0037\\u0041\\u0042\\u0043\\u0031\\u0032\\u0033"
    assert reads(json.dumps(event)).reads[0].plate == "7ABC123"


def test_older_firmware_brand_percent_confidences_and_local_datetime() -> None:
    event = devices.axis_event(plate="7ABC123", at=AT, car_id="9")
    for key in ("capture_timestamp", "capture_ts"):
        event.pop(key)
    event["vehicle_info"] = {"brand": "Opel", "confidenceMMR": "96.65", "color": "RED"}
    (read,) = reads(event).reads
    assert read.read_at == AT  # datetime is camera-local (UTC-8 here), read against received
    assert any("UTC-08:00" in note for note in read.notes)
    assert (read.vehicle.make, read.vehicle.make_confidence) == ("Opel", pytest.approx(0.9665))


@pytest.mark.parametrize(
    ("country", "region", "iso", "state"),
    [
        ("USA", "WA", "", "WA"),
        ("CAN", "QC", "", "QC"),
        ("DEU", "H", "", None),
        ("", "", "US-TX", "TX"),
    ],
)
def test_state_from_region_code_or_iso(
    country: str, region: str, iso: str, state: str | None
) -> None:
    event = devices.axis_event(plate="7ABC123", at=AT, car_id="9", region=region)
    event.update({"plateCountry": country, "plateISO3166-2": iso})
    assert reads(event).reads[0].state == state


def test_multipart_image_and_image_array() -> None:
    event = json.dumps(devices.axis_event(plate="7ABC123", at=AT, car_id="9")).encode()
    parsed = axis.parse_multipart_fields(
        {"event": event, "image": devices.JPEG}, received_at=RECEIVED
    )
    assert isinstance(parsed, Reads)
    assert [i.kind for i in parsed.images] == [ImageKind.PLATE_CROP]
    array = devices.axis_event(plate="7ABC123", at=AT, car_id="9")
    array["ImageArray"] = [
        {"ImageType": "vehicle", "ImageFormat": "jpg", "BinaryImage": devices.b64(devices.JPEG)}
    ]
    assert [i.kind for i in reads(array).images] == [ImageKind.VEHICLE_CROP]
    with pytest.raises(VendorFormatError, match="no 'event' part"):
        axis.parse_multipart_fields({"image": devices.JPEG}, received_at=RECEIVED)


def test_the_heartbeat_names_the_camera_by_its_mac() -> None:
    heartbeat = axis.parse(
        {
            "system": {"timestamp": "2026-03-04T17:05:00.000Z"},
            "identify": {"platform": "AXIS P1455-LE", "macAddress": "AC:CC:8E:F1:A2:B3"},
            "ALPV": {"device_ID": "Broadway-EB", "version": "2.9.21", "numberOfReads": "51"},
        },
        received_at=RECEIVED,
    )
    check(heartbeat)
    assert isinstance(heartbeat, Heartbeat)
    assert heartbeat.camera_refs == ("axis:accc8ef1a2b3",)


def test_other_json_is_refused() -> None:
    with pytest.raises(VendorFormatError, match="no plateText"):
        axis.parse({"webhook_type": "lpr"}, received_at=RECEIVED)
