import json
from datetime import UTC, datetime

import pytest

from lpr.vendors import (
    Ignored,
    ImageKind,
    Reads,
    Sighting,
    VendorFormatError,
    loads_lenient,
    platerecognizer,
)
from tests.lpr.vendors.samples import RECEIVED, sample

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 500
STREAM_AT = datetime(2025, 2, 19, 8, 35, 4, 691903, tzinfo=UTC)


def parse(body: object) -> object:
    return platerecognizer.parse(body, received_at=RECEIVED)


def reads_of(parsed: object) -> Reads:
    assert isinstance(parsed, Reads), parsed
    return parsed


def snapshot(**result: object) -> dict[str, object]:
    return {
        "timestamp": "2024-05-01T10:00:00Z",
        "camera_id": "gate-1",
        "results": [{"plate": "abc123", "score": 0.9, **result}],
    }


# The samples


def test_snapshot_cloud_sample_with_make_model_colour() -> None:
    parsed = reads_of(
        parse(sample("platerecognizer-snapshot-cloud-response-mmc-platerec-docs.jsonc"))
    )
    assert parsed.kind == "snapshot"
    (read,) = parsed.reads
    assert read.plate == "nhk552"
    assert read.read_at == datetime(2020, 10, 12, 16, 17, 27, 574008, tzinfo=UTC)
    assert read.confidence == 0.904
    assert [(c.plate, c.confidence) for c in read.candidates] == [("nhk552", 0.904)]
    assert read.camera_ref is None  # camera_id null: the app uses the API key's camera
    assert read.state is None
    assert read.notes == ("region 'gb' is outside the US, Canada and Mexico: no state",)
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "Riley",
        "RMF",
        "black",
        "Sedan",
    )
    assert (vehicle.make_confidence, vehicle.model_confidence) == (0.306, 0.306)
    assert (vehicle.color_confidence, vehicle.type_confidence) == (0.937, 0.798)


def test_vehicle_detection_mode_sample() -> None:
    parsed = reads_of(
        parse(sample("platerecognizer-snapshot-vehicle-detection-mode-platerec-docs.json"))
    )
    assert parsed.kind == "snapshot_vehicle_mode"
    (read,) = parsed.reads
    assert (read.plate, read.confidence) == ("nhk552", 0.838)
    assert read.read_at == datetime(2021, 11, 23, 17, 56, 47, 896406, tzinfo=UTC)
    assert read.camera_ref == "platerecognizer:my-camera"
    assert (
        read.notes[0]
        == "time timestamp '2021-11-23 17:56:47.896406' has no UTC offset: taken as UTC"
    )
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "Riley",
        "RMF",
        "black",
        "Sedan",
    )
    assert (vehicle.make_confidence, vehicle.color_confidence, vehicle.type_confidence) == (
        0.339,
        0.846,
        0.834,
    )


def test_snapshot_webhook_sample_has_two_plates_and_no_camera() -> None:
    parsed = reads_of(
        parse(sample("platerecognizer-webhook-snapshot-image.done-platerec-docs.json"))
    )
    assert parsed.kind == "image.done"
    assert [(r.plate, round(r.confidence or 0, 4)) for r in parsed.reads] == [
        ("765410", 0.9132),
        ("830265", 0.7701),
    ]
    assert {r.read_at for r in parsed.reads} == {
        datetime(2019, 8, 31, 14, 22, 6, 983000, tzinfo=UTC)
    }
    assert {r.camera_ref for r in parsed.reads} == {None}  # hook.id 2 is the webhook, not a camera


def test_stream_webhook_2025_sample() -> None:
    parsed = reads_of(parse(sample("platerecognizer-stream-webhook-2025-lpr-ai.json")))
    assert parsed.kind == "recognition"
    (read,) = parsed.reads
    assert (read.plate, read.confidence, read.read_at) == ("wa88822", 0.999, STREAM_AT)
    assert read.camera_ref == "platerecognizer:camera-1"
    assert read.heading_deg == 180.0
    assert read.state is None  # a Polish plate
    assert [(c.plate, c.confidence) for c in read.candidates] == [
        ("wa88822", 0.999),
        ("wa8b822", 0.864),
        ("wa8bb22", 0.728),
    ]
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "Peugeot",
        "207",
        "black",
        "Sedan",
    )
    assert (vehicle.make_confidence, vehicle.color_confidence, vehicle.type_confidence) == (
        0.89,
        0.926,
        0.868,
    )
    assert read.source_id == "camera-1@2025-02-19T08:35:04.691903+00:00/wa88822"


def test_stream_jsonl_sample_trusts_the_local_time_over_the_mislabelled_z() -> None:
    (parsed,) = platerecognizer.parse_jsonl(
        sample("platerecognizer-stream-jsonl-output-lpr-ai.jsonl"), received_at=RECEIVED
    )
    (read,) = reads_of(parsed).reads
    assert reads_of(parsed).kind == "stream_jsonl"
    assert (read.plate, read.read_at, read.camera_ref) == (
        "wa88822",
        STREAM_AT,
        "platerecognizer:camera-1",
    )
    assert len(read.candidates) == 6
    assert read.notes[0] == "timestamp and timestamp_local differ by 60 minutes: used the local one"
    # the webhook of the same read gives the same id: the app stores it once
    webhook = reads_of(parse(sample("platerecognizer-stream-webhook-2025-lpr-ai.json")))
    assert read.source_id == webhook.reads[0].source_id


def test_stream_csv_sample_with_python_literal_cells() -> None:
    (parsed,) = platerecognizer.parse_csv(
        sample("platerecognizer-stream-csv-output-lpr-ai.csv"), received_at=RECEIVED
    )
    (read,) = reads_of(parsed).reads
    assert (read.plate, read.confidence, read.read_at) == ("wa88822", 0.999, STREAM_AT)
    assert read.camera_ref == "platerecognizer:camera-1"  # from /camera-1_screenshots/
    assert read.heading_deg == 180.0
    assert (read.vehicle.make, read.vehicle.model, read.vehicle.color) == (
        "Peugeot",
        "207",
        "black",
    )
    assert [c.plate for c in read.candidates][:3] == ["wa88822", "wa8b822", "wa8bb22"]
    assert read.source_id == "camera-1@2025-02-19T08:35:04.691903+00:00/wa88822"


def test_stream_csv_guides_sample_has_candidates_without_scores() -> None:
    (parsed,) = platerecognizer.parse_csv(
        sample("platerecognizer-stream-csv-output-first-row-platerec-guides.csv"),
        received_at=RECEIVED,
        camera_id="lobby",
    )
    (read,) = reads_of(parsed).reads
    assert (read.plate, read.confidence) == ("sjubi1", 0.781)
    assert read.read_at == datetime(2021, 10, 27, 6, 20, 43, 970337, tzinfo=UTC)
    assert read.camera_ref == "platerecognizer:lobby"
    assert read.heading_deg == 225.0
    assert [(c.plate, c.confidence) for c in read.candidates] == [
        ("sjubi1", 0.781),
        ("sju809", None),
    ]
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "Volkswagen",
        "Golf",
        "white",
        "Big Truck",
    )
    assert (vehicle.make_confidence, vehicle.color_confidence, vehicle.type_confidence) == (
        0.009,
        0.672,
        0.267,
    )


# Shapes and quirks


def test_multipart_webhook_json_field_and_uploaded_frame() -> None:
    body = json.dumps({"hook": {"event": "recognition", "id": "cam-9"}, "data": snapshot()})
    parsed = reads_of(
        platerecognizer.parse_multipart_fields({"json": body, "upload": JPEG}, received_at=RECEIVED)
    )
    assert (
        parsed.reads[0].camera_ref == "platerecognizer:gate-1"
    )  # data.camera_id wins over hook.id
    (image,) = parsed.images
    assert (image.read_index, image.kind, image.media_type, image.data) == (
        None,
        ImageKind.CONTEXT,
        "image/jpeg",
        JPEG,
    )


def test_multipart_upload_over_the_cap_is_dropped_with_a_note() -> None:
    body = json.dumps(snapshot()).encode()
    parsed = reads_of(
        platerecognizer.parse_multipart_fields(
            {"json": body, "upload": JPEG}, received_at=RECEIVED, max_image_bytes=100
        )
    )
    assert parsed.images == ()
    assert parsed.notes == (
        f"upload is {len(JPEG)} bytes, more than the 100 bytes allowed: not kept",
    )


def test_multipart_without_the_json_field_is_refused() -> None:
    with pytest.raises(VendorFormatError, match=r"no 'json' field \(fields: upload\)"):
        platerecognizer.parse_multipart_fields({"upload": JPEG}, received_at=RECEIVED)


def test_stream_camera_comes_from_the_hook_when_data_has_none() -> None:
    body = {
        "hook": {"event": "recognition", "id": "camera-7"},
        "data": {**snapshot(), "camera_id": None},
    }
    assert reads_of(parse(body)).reads[0].camera_ref == "platerecognizer:camera-7"


@pytest.mark.parametrize("camera_id", [None, "null", "", "  "])
def test_no_camera_id(camera_id: object) -> None:
    assert reads_of(parse({**snapshot(), "camera_id": camera_id})).reads[0].camera_ref is None


@pytest.mark.parametrize(
    ("region", "state", "note"),
    [
        ({"code": "us-ca", "score": 0.9}, "CA", None),
        ({"code": "ca-qc", "score": 0.9}, "QC", None),
        ({"code": "ca", "score": 0.9}, None, None),  # Canada, not California
        ({"code": "us", "score": 0.9}, None, None),
        ({"code": "", "score": 0}, None, None),
        (
            {"code": "pl", "score": 0.718},
            None,
            "region 'pl' is outside the US, Canada and Mexico: no state",
        ),
        ({"code": "us-tx", "score": 0.3}, None, "region 'us-tx' read at 30% confidence: no state"),
    ],
)
def test_regions_are_countries_unless_they_name_a_state(
    region: dict[str, object], state: str | None, note: str | None
) -> None:
    (read,) = reads_of(parse(snapshot(region=region))).reads
    assert read.state == state
    assert read.notes == ((note,) if note else ())


def test_scores_sent_on_0_to_100_are_scaled() -> None:
    (read,) = reads_of(
        parse(snapshot(score=99.9, candidates=[{"plate": "abc123", "score": 99.9}]))
    ).reads
    assert read.confidence == pytest.approx(0.999)


def test_direction_unknown_is_an_empty_string() -> None:
    assert reads_of(parse(snapshot(direction=""))).reads[0].heading_deg is None
    assert reads_of(parse(snapshot(direction=370))).reads[0].heading_deg == 10.0


def test_generic_make_is_no_make() -> None:
    model_make = [
        {"make": "generic", "model": "Invalid", "score": 0.5},
        {"make": "Ford", "model": "Unknown", "score": 0.2},
    ]
    vehicle = reads_of(parse(snapshot(model_make=model_make))).reads[0].vehicle
    assert (vehicle.make, vehicle.model, vehicle.make_confidence, vehicle.model_confidence) == (
        "Ford",
        None,
        0.2,
        None,
    )


def test_a_snapshot_webhook_without_plates_is_ignored() -> None:
    body = {
        "hook": {"event": "image.done", "id": 2},
        "data": {"results": [], "timestamp": "2024-05-01T10:00:00Z"},
    }
    parsed = parse(body)
    assert isinstance(parsed, Ignored)
    assert parsed.reason == "image.done: no plate in results"


def test_other_webhook_events_are_ignored() -> None:
    parsed = parse({"hook": {"event": "parking.exit", "id": 2}, "data": {}})
    assert parsed == Ignored(
        "webhook event 'parking.exit' carries no recognition", kind="parking.exit"
    )


def test_vehicle_mode_vehicles_without_plates_are_sightings() -> None:
    body = {
        "timestamp": "2024-05-01T10:00:00Z",
        "camera_id": "lot",
        "results": [
            {
                "vehicle": {
                    "type": "SUV",
                    "score": 0.8,
                    "props": {"color": [{"value": "red", "score": 0.7}]},
                }
            }
        ],
    }
    parsed = parse(body)
    assert isinstance(parsed, Sighting)
    (seen,) = parsed.vehicles
    assert (seen.vehicle.type, seen.vehicle.color, seen.camera_ref) == (
        "SUV",
        "red",
        "platerecognizer:lot",
    )
    assert seen.seen_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_a_vehicle_without_plate_beside_plated_ones_is_skipped_and_said() -> None:
    body = snapshot()
    body["results"] = [*body["results"], {"vehicle": {"type": "SUV", "score": 0.8, "props": {}}}]
    parsed = reads_of(parse(body))
    assert [r.plate for r in parsed.reads] == ["abc123"]
    assert parsed.notes == ("results[1] has no readable plate: skipped",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hook": {"event": "recognition"}, "data": 3}, "the webhook's 'data' is not an object"),
        ({"results": {"plate": "abc"}}, "snapshot: 'results' is not an array"),
        (
            {"detail": "Authentication credentials were not provided."},
            "not a Plate Recognizer message",
        ),
    ],
)
def test_bodies_of_no_known_shape_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(VendorFormatError, match=message):
        parse(body)


def test_jsonl_bad_lines_are_ignored_with_their_number() -> None:
    line = json.dumps(snapshot())
    parsed = platerecognizer.parse_jsonl(f"{line}\n\nnot json\n{line}\n", received_at=RECEIVED)
    assert [type(p).__name__ for p in parsed] == ["Reads", "Ignored", "Reads"]
    assert isinstance(parsed[1], Ignored)
    assert parsed[1].reason == "line 3: the body is not JSON: it starts 'not json'"


def test_csv_without_its_header_is_refused() -> None:
    with pytest.raises(VendorFormatError, match="the header needs 'timestamp' and 'plate'"):
        platerecognizer.parse_csv("a,b\n1,2\n", received_at=RECEIVED)
    with pytest.raises(VendorFormatError, match="the JSONL body is empty"):
        platerecognizer.parse_jsonl(b"\n\n", received_at=RECEIVED)


def test_the_jsonc_doc_sample_needs_its_comment_stripped() -> None:
    raw = sample("platerecognizer-snapshot-cloud-response-mmc-platerec-docs.jsonc")
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    assert isinstance(loads_lenient(raw), dict)
