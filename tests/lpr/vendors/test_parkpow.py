from datetime import UTC, datetime, timedelta

import pytest

from lpr.vendors import Reads, VendorFormatError, parkpow
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = AT + timedelta(hours=1)


def reads(message: object) -> Reads:
    parsed = parkpow.parse(message, received_at=RECEIVED)  # type: ignore[arg-type]
    check(parsed)
    assert isinstance(parsed, Reads), parsed
    return parsed


def test_a_visit_keeps_the_forwarded_result() -> None:
    parsed = reads({"data": devices.parkpow_visit(plate="7ABC123", at=AT, visit_id=88)})
    (read,) = parsed.reads
    assert (read.plate, read.state, read.confidence) == ("7abc123", "CA", 0.907)
    assert read.read_at == AT
    assert (read.lat, read.lon, read.heading_deg) == (37.8044, -122.2712, 172.0)
    assert (read.vehicle.make, read.vehicle.model, read.vehicle.color) == (
        "Tesla", "Model 3", "white"
    )  # fmt: skip
    assert (read.camera_ref, read.source_id) == ("parkpow:gate-2", "visit:88:start")
    assert read.image_url == "https://app.parkpow.example/media/visits/88-start.jpg"
    assert parsed.camera_label == "Gate 2 entrance"


def test_a_closed_visit_adds_its_exit_and_a_list_is_read_whole() -> None:
    visits = [
        devices.parkpow_visit(plate="7ABC123", at=AT, visit_id=1, ended=True),
        devices.parkpow_visit(plate="8DEF456", at=AT, visit_id=2),
    ]
    parsed = reads(visits)
    assert [(r.plate, r.source_id, r.camera_ref) for r in parsed.reads] == [
        ("7abc123", "visit:1:start", "parkpow:gate-2"),
        ("7abc123", "visit:1:end", "parkpow:gate-2-exit"),
        ("8def456", "visit:2:start", "parkpow:gate-2"),
    ]


def test_a_genetec_read_forwarded_in_vehicle_mode_shape() -> None:
    visit = devices.parkpow_visit(plate="7ABC123", at=AT, visit_id=3)
    visit["start_data"] = {
        "plate": {"type": "Plate", "score": 0.97, "props": {
            "plate": [{"value": "7ABC123", "score": 0.97}],
            "region": [{"value": "us-nv", "score": 0.9}]}},
        "vehicle": {"type": "Sedan", "score": 0.9, "props": {
            "color": [{"value": "Grey", "score": 0.9}], "make_model": [], "orientation": []}},
    }  # fmt: skip
    (read,) = reads(visit).reads
    assert (read.state, read.confidence, read.vehicle.color) == ("NV", 0.97, "Grey")


def test_an_alert_form_and_what_is_no_visit() -> None:
    form = {"license_plate": "7abc123", "time": AT.isoformat(), "camera": "gate-2",
            "vehicle_id": "551", "vehicle_tag": "Visitor"}  # fmt: skip
    parsed = parkpow.parse_form(form, received_at=RECEIVED)
    check(parsed)
    assert isinstance(parsed, Reads)
    assert (parsed.reads[0].camera_ref, parsed.reads[0].read_at) == ("parkpow:gate-2", AT)
    with pytest.raises(VendorFormatError, match="not a ParkPow visit"):
        parkpow.parse({"results": []}, received_at=RECEIVED)
    with pytest.raises(VendorFormatError, match="no license_plate"):
        parkpow.parse_form({"x": "y"}, received_at=RECEIVED)
