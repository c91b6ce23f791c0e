import json
from datetime import UTC, datetime

import pytest

from lpr.vendors import Ignored, Reads, VendorFormatError, dahua
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 4, 17, 5, 11, tzinfo=UTC)


def parse(message: object) -> object:
    parsed = dahua.parse(message, received_at=RECEIVED)  # type: ignore[arg-type]
    check(parsed)
    return parsed


def test_a_traffic_junction_keeps_plate_true_time_camera_and_vehicle() -> None:
    parsed = parse(devices.dahua_event(plate="7ABC123", at=AT, group=175706653))
    assert isinstance(parsed, Reads) and parsed.kind == "TrafficJunction"
    (read,) = parsed.reads
    assert read.plate == "7ABC123"
    assert read.confidence == pytest.approx(214 / 255)
    assert read.read_at == AT  # RealUTC + UTCMS, not the local `UTC`
    assert (read.camera_ref, read.source_id) == (
        "dahua:7K02A1BPAZ00931", "7K02A1BPAZ00931/group:175706653"
    )  # fmt: skip
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.color, vehicle.type) == ("Honda", "Red", "SaloonCar")
    assert read.direction == "approach"


def test_without_real_utc_the_time_zone_index_corrects_the_local_epoch() -> None:
    message = devices.dahua_event(plate="7ABC123", at=AT, group=1, real_utc=False)
    (read,) = parse(message).reads  # type: ignore[attr-defined]
    assert read.read_at == AT  # TimeZone 27 is UTC-07:00
    message["params"]["eventList"][0]["Data"].pop("TimeZone")
    (read,) = parse(message).reads  # type: ignore[attr-defined]
    assert read.read_at == AT and any("UTC-07:00" in note for note in read.notes)


def test_an_empty_plate_text_is_no_read() -> None:
    message = devices.dahua_event(plate="", at=AT, group=1)
    parsed = parse(message)
    assert isinstance(parsed, Ignored) and "no plate read" in parsed.reason


def test_other_events_are_ignored_and_other_json_refused() -> None:
    motion = {"Code": "VideoMotion", "Action": "Start", "Data": {"RegionName": ["R1"]}}
    assert parse(motion) == Ignored(
        "event 0 'VideoMotion' carries no plate read", kind="VideoMotion"
    )
    with pytest.raises(VendorFormatError, match="not a Dahua event message"):
        dahua.parse({"plate": "x"}, received_at=RECEIVED)
    with pytest.raises(VendorFormatError, match="not valid JSON"):  # the sample's missing comma
        dahua.parse(json.dumps(devices.dahua_event(plate="7ABC123", at=AT, group=1))
                    .replace(', "session"', ' "session"'), received_at=RECEIVED)  # fmt: skip
