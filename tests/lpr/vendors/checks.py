"""What every parser result must satisfy, whatever the input."""

import math
from datetime import UTC, timedelta

from lpr import plates
from lpr.read import Read, VehicleSeen
from lpr.vendors import Heartbeat, Ignored, Parsed, Reads, SeenVehicle, Sighting


def check(parsed: Parsed) -> None:
    match parsed:
        case Reads():
            assert parsed.reads and parsed.kind
            assert len(parsed.related_ids) == len(parsed.reads)
            for read in parsed.reads:
                _check_read(read)
            for image in parsed.images:
                assert image.read_index is None or 0 <= image.read_index < len(parsed.reads)
                assert image.data and image.media_type.startswith("image/")
        case Sighting():
            assert parsed.vehicles and parsed.kind
            for seen in parsed.vehicles:
                _check_seen(seen)
        case Heartbeat():
            assert parsed.received_at.utcoffset() == timedelta(0)
            assert parsed.sent_at is None or parsed.sent_at.tzinfo is UTC
            for camera in parsed.cameras:
                vendor, _, name = camera.camera_ref.partition(":")
                assert vendor.isalpha() and name
        case Ignored():
            assert parsed.reason and parsed.kind
        case _:
            raise AssertionError(f"not a Parsed value: {parsed!r}")


def _check_read(read: Read) -> None:
    plates.parse(read.plate)  # raises if Lookout could not store it
    assert read.read_at is None or read.read_at.tzinfo is UTC
    _unit(read.confidence)
    assert read.candidates and read.candidates[0].plate == read.plate
    assert len(read.candidates) <= 20
    for candidate in read.candidates:
        plates.parse(candidate.plate)
        _unit(candidate.confidence)
    assert (read.lat is None) == (read.lon is None)
    if read.lat is not None and read.lon is not None:
        assert -90 <= read.lat <= 90 and -180 <= read.lon <= 180
    assert read.heading_deg is None or 0 <= read.heading_deg < 360
    assert read.state is None or plates.normalize_state(read.state) == read.state
    assert read.image_url is None or read.image_url.startswith(("http://", "https://"))
    assert read.direction is None or (read.direction == read.direction.lower() and read.direction)
    assert read.camera_ref is None or read.camera_ref.partition(":")[2]
    _check_vehicle(read.vehicle)
    assert all(isinstance(note, str) and note for note in read.notes)


def _check_seen(seen: SeenVehicle) -> None:
    assert seen.seen_at is None or seen.seen_at.tzinfo is UTC
    _check_vehicle(seen.vehicle)


def _check_vehicle(vehicle: VehicleSeen) -> None:
    for confidence in (
        vehicle.make_confidence,
        vehicle.model_confidence,
        vehicle.color_confidence,
        vehicle.type_confidence,
    ):
        _unit(confidence)
    assert vehicle.year is None or 1900 <= vehicle.year <= 2100


def _unit(value: float | None) -> None:
    assert value is None or (math.isfinite(value) and 0 <= value <= 1), value
