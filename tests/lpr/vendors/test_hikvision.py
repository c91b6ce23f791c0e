from datetime import UTC, datetime

import pytest

from lpr.vendors import Heartbeat, Ignored, ImageKind, Reads, VendorFormatError, hikvision
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 4, 17, 5, 11, tzinfo=UTC)


def parse(body: bytes, **pictures: bytes) -> object:
    parsed = hikvision.parse(body, received_at=RECEIVED, pictures=pictures or None)
    check(parsed)  # type: ignore[arg-type]
    return parsed


def test_an_anpr_alert_keeps_plate_time_camera_direction_and_vehicle() -> None:
    body = devices.hikvision_xml(plate="7ABC123", at=AT, uuid="u-1")
    parsed = parse(body, **{"licensePlatePicture.jpg": devices.JPEG})
    assert isinstance(parsed, Reads) and parsed.kind == "ANPR"
    (read,) = parsed.reads
    assert (read.plate, read.state, read.confidence) == ("7ABC123", None, 0.91)
    assert read.read_at == AT  # dateTime carries the camera's -06:00
    assert read.camera_ref == "hikvision:c056e34a197b:1"
    assert parsed.camera_label == "Main St northbound"
    assert (read.direction, read.vehicle.color, read.vehicle.type) == (
        "forward",
        "white",
        "vehicle",
    )
    assert read.source_id == "u-1"
    assert [(i.kind, i.media_type) for i in parsed.images] == [(ImageKind.PLATE_CROP, "image/jpeg")]


def test_without_datetime_the_local_abstime_is_read_against_the_time_received() -> None:
    body = devices.hikvision_xml(plate="7ABC123", at=AT, uuid="u-1")
    body = body.replace(b"<dateTime>", b"<!-- ").replace(b"</dateTime>", b" -->")
    (read,) = parse(body).reads  # type: ignore[attr-defined]
    assert read.read_at == AT.replace(microsecond=250000)
    assert any("UTC-06:00" in note for note in read.notes)


def test_a_datetime_without_an_offset_is_the_cameras_local_time() -> None:
    body = devices.hikvision_xml(plate="7ABC123", at=AT, uuid="u-1")
    body = body.replace(b"-06:00</dateTime>", b"</dateTime>")  # firmware that drops the offset
    (read,) = parse(body).reads  # type: ignore[attr-defined]
    assert read.read_at == AT  # not six hours early, as it would be read as UTC
    assert any("UTC-06:00" in note for note in read.notes)


def test_a_corrected_plate_keeps_the_original_as_a_candidate() -> None:
    body = devices.hikvision_xml(plate="7ABC123", at=AT, uuid="u-1").replace(
        b"<originalLicensePlate>7ABC123", b"<originalLicensePlate>7A8C123"
    )
    (read,) = parse(body).reads  # type: ignore[attr-defined]
    assert [c.plate for c in read.candidates] == ["7ABC123", "7A8C123"]


@pytest.mark.parametrize("plate", ["unknown", "", "无车牌"])
def test_no_plate_read_is_ignored(plate: str) -> None:
    body = devices.hikvision_xml(plate=plate, at=AT, uuid="u-1")
    assert parse(body) == Ignored("ANPR event without a read plate", kind="ANPR")


def test_heartbeats_update_health_and_other_events_are_ignored() -> None:
    heartbeat = parse(devices.hikvision_xml(plate="", at=AT, uuid="", event_type="videoloss",
                                            state="inactive"))  # fmt: skip
    assert isinstance(heartbeat, Heartbeat)
    assert heartbeat.camera_refs == ("hikvision:c056e34a197b:1",)
    motion = parse(devices.hikvision_xml(plate="", at=AT, uuid="", event_type="VMD"))
    assert motion == Ignored("eventType 'VMD' carries no plate read", kind="VMD")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "empty"),
        (b'{"eventType": "ANPR"}', "JSON"),
        (b"<EventNotificationAlert><eventType>ANPR", "not well-formed"),
        (b"<config/>", "root element is 'config'"),
        (
            b'<!DOCTYPE a [<!ENTITY x "y">]><EventNotificationAlert>&x;</EventNotificationAlert>',
            "refused",
        ),
        (b"<EventNotificationAlert><eventType>ANPR</eventType></EventNotificationAlert>", "ANPR"),
    ],
)
def test_what_is_not_an_alert_says_why(body: bytes, why: str) -> None:
    with pytest.raises(VendorFormatError, match=why):
        hikvision.parse(body, received_at=RECEIVED)


def test_the_multipart_xml_part_is_found_by_name_or_content() -> None:
    xml = devices.hikvision_xml(plate="7ABC123", at=AT, uuid="u-1")
    for form in (
        {"anpr.xml": xml, "detectionPicture.jpg": devices.JPEG},
        {"MoveDetection": xml.decode(), "detectionPicture.jpg": devices.JPEG},
    ):
        parsed = hikvision.parse_multipart_fields(form, received_at=RECEIVED)
        assert isinstance(parsed, Reads)
        assert [i.kind for i in parsed.images] == [ImageKind.CONTEXT]
    with pytest.raises(VendorFormatError, match="no XML part"):
        hikvision.parse_multipart_fields({"x.jpg": devices.JPEG}, received_at=RECEIVED)
