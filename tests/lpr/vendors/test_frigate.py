from datetime import UTC, datetime

import pytest

from lpr.vendors import Ignored, Reads, VendorFormatError, frigate
from tests.lpr.vendors.samples import RECEIVED, sample

EVENT_ID = "1607123955.475377-mxklsc"
UPDATE_AT = datetime(2020, 12, 4, 23, 19, 18, 748393, tzinfo=UTC)


def parse(body: object, topic: str | None = None) -> object:
    return frigate.parse(body, received_at=RECEIVED, topic=topic)


def reads_of(parsed: object) -> Reads:
    assert isinstance(parsed, Reads), parsed
    return parsed


def event(**after: object) -> dict[str, object]:
    return {
        "type": "update",
        "before": {},
        "after": {
            "id": "1700000000.5-abcdef",
            "camera": "driveway",
            "label": "car",
            "top_score": 0.91,
            "frame_time": 1_700_000_001.25,
            "start_time": 1_700_000_000.5,
            "false_positive": False,
            "sub_label": None,
            "recognized_license_plate": "ABC123",
            "recognized_license_plate_score": 0.88,
            **after,
        },
    }


def test_events_sample() -> None:
    parsed = reads_of(
        parse(sample("frigate-mqtt-events-recognized_license_plate-frigate-docs.jsonc"))
    )
    assert parsed.kind == "events"
    (read,) = parsed.reads
    assert (read.plate, read.confidence) == ("ABC12345", 0.933451)
    assert read.read_at == datetime(2020, 12, 4, 23, 19, 22, 82975, tzinfo=UTC)  # after.frame_time
    assert read.camera_ref == "frigate:front_door"
    assert read.source_id == f"{EVENT_ID}:ABC12345"
    assert read.vehicle.type is None  # the docs' example object is a person
    assert read.notes == ("a plate on an object labelled 'person'",)


@pytest.mark.parametrize(
    "name",
    [
        "frigate-mqtt-tracked_object_update-lpr-frigate-docs.jsonc",
        "frigate-mqtt-tracked_object_update-lpr-0.16-frigate-docs.json",
    ],
)
def test_lpr_update_samples(name: str) -> None:
    parsed = reads_of(parse(sample(name)))
    assert parsed.kind == "tracked_object_update"
    (read,) = parsed.reads
    assert (read.plate, read.confidence, read.read_at) == ("123ABC", 0.95, UPDATE_AT)
    assert read.camera_ref == "frigate:driveway_cam"
    assert read.source_id == f"{EVENT_ID}:123ABC"


def test_reviews_sample_is_ignored() -> None:
    parsed = parse(sample("frigate-mqtt-reviews-frigate-docs.jsonc"))
    assert parsed == Ignored(
        "reviews carry no plate text (sub_labels are known-plate or face names)", kind="reviews"
    )


def test_the_same_object_in_an_event_and_an_update_is_one_read() -> None:
    update = {
        "type": "lpr",
        "id": "1700000000.5-abcdef",
        "plate": "ABC123",
        "score": 0.9,
        "camera": "driveway",
        "timestamp": 1_700_000_001.0,
    }
    from_event = reads_of(parse(event())).reads[0]
    from_update = reads_of(parse(update)).reads[0]
    assert from_event.source_id == from_update.source_id == "1700000000.5-abcdef:ABC123"


def test_a_car_gives_the_vehicle_type() -> None:
    vehicle = reads_of(parse(event())).reads[0].vehicle
    assert (vehicle.type, vehicle.type_confidence) == ("car", 0.91)


def test_joined_plates_become_one_read_each() -> None:
    parsed = reads_of(parse(event(recognized_license_plate="ABC123, XYZ789")))
    assert [r.plate for r in parsed.reads] == ["ABC123", "XYZ789"]
    assert [r.source_id for r in parsed.reads] == [
        "1700000000.5-abcdef:ABC123",
        "1700000000.5-abcdef:XYZ789",
    ]


@pytest.mark.parametrize(
    ("after", "reason"),
    [
        ({"recognized_license_plate": None}, "no recognized_license_plate on this object (yet)"),
        ({"false_positive": True}, "the object is still in its false-positive phase"),
        ({"recognized_license_plate": "?!"}, "plate '?!' has no letters or digits"),
    ],
)
def test_events_without_a_plate_are_ignored(after: dict[str, object], reason: str) -> None:
    assert parse(event(**after)) == Ignored(reason, kind="events")


def test_a_known_plate_name_in_sub_label_is_not_a_plate() -> None:
    parsed = parse(event(recognized_license_plate=None, sub_label=["John's Car", 0.9]))
    assert isinstance(parsed, Ignored)


def test_the_topic_decides_when_given_with_any_prefix() -> None:
    assert isinstance(parse(event(), topic="site1/frigate/events"), Reads)
    assert parse(event(), topic="frigate/stats") == Ignored(
        "topic 'frigate/stats' carries no plate reads", kind="stats"
    )


@pytest.mark.parametrize("kind", ["description", "face", "classification"])
def test_other_update_types_are_ignored(kind: str) -> None:
    parsed = parse({"type": kind, "id": "1.2-abc", "description": "a red car"})
    assert parsed == Ignored(f"tracked_object_update type '{kind}' carries no plate", kind=kind)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "lpr", "id": "1.2-abc", "camera": "x"}, "the Frigate lpr update has no plate"),
        ({"camera": "x"}, "not a Frigate message"),
    ],
)
def test_unreadable_messages_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(VendorFormatError, match=message):
        parse(body)


def test_an_event_without_after_is_refused_when_the_topic_says_event() -> None:
    with pytest.raises(VendorFormatError, match="no 'after' object"):
        parse({"type": "new"}, topic="frigate/events")


def test_an_event_with_a_data_object_is_still_an_event() -> None:
    body = event(data={"box": [1, 2, 3, 4], "score": 0.9})
    assert reads_of(parse(body)).reads[0].plate == "ABC123"
