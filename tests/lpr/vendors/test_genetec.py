from datetime import UTC, datetime

import pytest

from lpr.vendors import Ignored, ImageKind, Reads, VendorFormatError, genetec
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 24, 17, 5, 9, tzinfo=UTC)  # the 24th: MM/DD, not DD/MM
RECEIVED = datetime(2026, 3, 24, 17, 5, 11, tzinfo=UTC)


def reads(message: object) -> Reads:
    parsed = genetec.parse(message, received_at=RECEIVED)  # type: ignore[arg-type]
    check(parsed)
    assert isinstance(parsed, Reads), parsed
    return parsed


def test_a_read_keeps_its_strings_as_numbers_state_time_and_images() -> None:
    parsed = reads(devices.genetec_read(plate="7ABC123", at=AT, vehicle_id="guid-1"))
    (read,) = parsed.reads
    assert (read.plate, read.state, read.confidence) == ("7ABC123", "CA", 0.96)
    assert read.read_at == AT
    assert (read.lat, read.lon, read.direction) == (37.8044, -122.2712, "approaching")
    assert (read.vehicle.make, read.vehicle.model) == (None, None)  # "-" is no answer
    assert (read.vehicle.color, read.vehicle.color_confidence) == ("Blue", 0.88)
    assert read.vehicle.type == "Passenger Vehicle"
    assert (read.camera_ref, read.source_id) == ("genetec:SHARPV-40317", "guid-1")
    assert parsed.camera_label == "SHARPV-40317 - Camera"
    assert [i.kind for i in parsed.images] == [ImageKind.CONTEXT, ImageKind.PLATE_CROP]


def test_local_time_in_the_utc_fields_is_recognised() -> None:
    message = devices.genetec_read(plate="7ABC123", at=AT, vehicle_id="g", local_as_utc=True)
    (read,) = reads(message).reads
    assert read.read_at == AT
    assert any("repeat the local time" in note for note in read.notes)


def test_a_state_read_with_low_confidence_is_not_used() -> None:
    message = devices.genetec_read(plate="7ABC123", at=AT, vehicle_id="g")
    message["Attributes"]["State Name Confidence Score"] = "31"
    (read,) = reads(message).reads
    assert read.state is None and "31%" in read.notes[0]


def test_no_guid_gives_an_id_from_camera_time_and_plate() -> None:
    message = devices.genetec_read(plate="7ABC123", at=AT, vehicle_id="")
    assert reads(message).reads[0].source_id == "SHARPV-40317@03/24/2026 17:05:09/7ABC123"


def test_what_is_not_a_read() -> None:
    with pytest.raises(VendorFormatError, match="no Plate"):
        genetec.parse({"CameraName": "x"}, received_at=RECEIVED)
    assert isinstance(genetec.parse({"Plate": "--"}, received_at=RECEIVED), Ignored)
