import base64
import json
from datetime import UTC, datetime

import pytest

from lpr import plates
from lpr.vendors import (
    Heartbeat,
    Ignored,
    ImageKind,
    Reads,
    Sighting,
    VendorFormatError,
    loads_lenient,
    openalpr,
)
from tests.lpr.vendors.samples import RECEIVED, sample

AGENT = "Y" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


def parse(body: object, **kwargs: object) -> object:
    return openalpr.parse(body, received_at=RECEIVED, **kwargs)


def reads_of(parsed: object) -> Reads:
    assert isinstance(parsed, Reads), parsed
    return parsed


def group(**fields: object) -> dict[str, object]:
    """A small agent alpr_group; tests override what they look at."""
    return {
        "data_type": "alpr_group",
        "version": 2,
        "agent_uid": "AGENT1",
        "camera_id": 42,
        "epoch_start": 1_700_000_000_000,
        "best_plate_number": "ABC123",
        "best_confidence": 91.5,
        "best_uuid": "AGENT1-42-1700000000100",
        "uuids": ["AGENT1-42-1700000000000", "AGENT1-42-1700000000100"],
        "plate_indexes": [0, 1],
        "best_plate": {"plate": "ABC123", "confidence": 91.5, "region": "us-tx"},
        **fields,
    }


# The samples


def test_group_v2_sample() -> None:
    parsed = reads_of(parse(sample("openalpr-alpr_group-v2-openalpr-doc.json")))
    assert parsed.kind == "alpr_group"
    (read,) = parsed.reads
    assert read.plate == "D2651BF"
    assert read.state == "MO"  # best_region us-mo at 57 %
    assert read.read_at == datetime(2019, 7, 9, 14, 5, 21, 504000, tzinfo=UTC)  # epoch_start ms
    assert read.camera_ref == f"openalpr:{AGENT}:1234"
    assert read.confidence == pytest.approx(0.93877, abs=1e-5)
    assert (read.lat, read.lon) == (37.635986328125, -79.2059326171875)
    assert read.heading_deg == pytest.approx(85.5532836914062)
    assert [(c.plate, round(c.confidence or 0, 4)) for c in read.candidates] == [
        ("D2651BF", 0.9388),
        ("D2651F", 0.8136),  # best of the group-level 74.8 and best_plate's 81.4
        ("D265BF", 0.8093),
    ]
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.model, vehicle.color, vehicle.type) == (
        "ford",
        "focus",
        "black",
        "sedan-standard",
    )
    assert vehicle.make_confidence == pytest.approx(0.189259, abs=1e-6)
    assert vehicle.model_confidence == pytest.approx(0.036403, abs=1e-6)
    assert vehicle.color_confidence == pytest.approx(0.273192, abs=1e-6)
    assert vehicle.type_confidence == pytest.approx(0.511733, abs=1e-6)
    assert vehicle.year is None  # "2010-2014" is a range, not a year
    assert read.source_id == f"{AGENT}-1234-1562681122676"
    assert parsed.related_ids == (
        (
            f"{AGENT}-1234-1562681121543#0",
            f"{AGENT}-1234-1562681121504#0",
            f"{AGENT}-1234-1562681121576#0",
        ),
    )
    # the doc example has placeholder text where agents send base64: dropped, said so
    assert parsed.images == ()
    assert "vehicle_crop_jpeg is not base64: image not kept" in parsed.notes


def test_group_v1_sample_has_site_id_and_a_bare_region_read_at_zero_confidence() -> None:
    (read,) = reads_of(parse(sample("openalpr-alpr_group-v1-openalpr-doc.json"))).reads
    assert read.plate == "A13709"
    assert read.read_at == datetime(2015, 11, 24, 0, 50, 8, 789000, tzinfo=UTC)
    assert read.camera_ref == "openalpr:dimitar-video:1414799424"
    assert read.confidence == pytest.approx(0.92075203)
    assert len(read.candidates) == 10
    assert read.candidates[1].plate == "A137O9"
    assert read.candidates[1].confidence == pytest.approx(0.8332373)
    assert read.state is None
    assert read.notes == ("region 'mo' read at 0% confidence: no state",)
    assert read.source_id == "dimitar-video-cam1414799424-1448326208789"


def test_results_v2_sample_gives_one_read_per_plate_in_the_frame() -> None:
    parsed = reads_of(parse(sample("openalpr-alpr_results-v2-openalpr-doc.json")))
    assert parsed.kind == "alpr_results"
    first, second = parsed.reads
    frame_at = datetime(2019, 7, 9, 14, 13, 28, 425000, tzinfo=UTC)
    assert (first.plate, first.read_at, first.camera_ref) == (
        "D2651BF",
        frame_at,
        f"openalpr:{AGENT}:1234",
    )
    assert first.confidence == pytest.approx(0.929419, abs=1e-6)
    assert first.state is None  # us-mo at 40 %
    assert first.source_id == f"{AGENT}-1234-1562681608425#0"
    assert (second.plate, second.state, second.read_at) == ("CG3L5Y", "MO", frame_at)
    assert second.confidence == pytest.approx(0.947376, abs=1e-6)
    assert second.source_id == f"{AGENT}-1234-1562681608425#1"
    assert [c.plate for c in second.candidates] == ["CG3L5Y", "CGL5Y", "CG3L5"]


def test_open_source_alprd_sample_has_seconds_and_a_time_per_result() -> None:
    parsed = reads_of(parse(sample("openalpr-alprd-opensource-results-openalpr-doc.json")))
    first, second = parsed.reads
    assert (first.plate, first.read_at) == ("S11FRE", datetime(2014, 6, 7, 17, 10, 50, tzinfo=UTC))
    assert (second.plate, second.read_at) == (
        "EJLESSIE",
        datetime(2014, 6, 7, 16, 20, 50, tzinfo=UTC),
    )
    assert first.camera_ref == "openalpr:headquarters:1"
    assert first.confidence == pytest.approx(0.77130661)
    assert first.state is None and first.notes == ()  # region "" is simply not given
    assert first.source_id == "f11e0acc-6aaf-4817-9299-9e6773043b8e#0"


def test_cloud_v3_sample_has_vehicle_attributes_per_result_and_no_camera() -> None:
    (read,) = reads_of(parse(sample("openalpr-cloud-alpr_results-v3-openalpr-doc.json"))).reads
    assert (read.plate, read.state) == ("627WWI", "WA")
    assert read.read_at == datetime(2020, 6, 22, 18, 17, 18, 217000, tzinfo=UTC)
    assert read.confidence == pytest.approx(0.940911, abs=1e-6)
    assert read.camera_ref is None and read.source_id is None  # uuid is ""
    vehicle = read.vehicle
    assert (vehicle.make, vehicle.color, vehicle.type) == (
        "daihatsu",
        "silver-gray",
        "sedan-compact",
    )
    assert vehicle.make_confidence == pytest.approx(0.671475, abs=1e-6)
    # the top make_model is a mini; the model shown must belong to the make shown
    assert (vehicle.model, vehicle.model_confidence) == (
        "sirion",
        pytest.approx(0.052924, abs=1e-6),
    )
    assert vehicle.type_confidence == pytest.approx(0.998513, abs=1e-6)


def test_web_service_sample_keeps_the_chosen_plate_first() -> None:
    (read,) = reads_of(parse(sample("openalpr-webservice-alpr_results-openalpr-doc.json"))).reads
    assert (read.plate, read.state) == ("AKS4329", "GA")
    assert read.read_at == datetime(2015, 11, 23, 17, 22, 37, 883000, tzinfo=UTC)
    assert [c.plate for c in read.candidates] == ["AKS4329", "AKS43Z9", "AKS3Z9", "AKS329"]
    assert read.candidates[1].confidence == pytest.approx(0.88429092)  # higher, but not chosen


def test_heartbeat_v2_sample() -> None:
    beat = parse(sample("openalpr-heartbeat-v2-openalpr-doc.json"))
    assert isinstance(beat, Heartbeat)
    assert beat.agent_ref == f"openalpr:{AGENT}"
    assert beat.agent_version == "2.7.101"
    assert beat.sent_at == datetime(2019, 7, 9, 14, 18, 24, 8000, tzinfo=UTC)
    assert beat.received_at == RECEIVED
    assert beat.camera_refs == (f"openalpr:{AGENT}:1234",)
    (camera,) = beat.cameras
    assert (camera.name, camera.streaming) == ("test", True)
    assert (camera.lat, camera.lon) == (37.635986328125, -79.2059326171875)
    assert camera.last_frame_at == datetime(2019, 7, 9, 14, 18, 24, 1000, tzinfo=UTC)


def test_heartbeat_v1_sample_names_cameras_by_site() -> None:
    beat = parse(sample("openalpr-heartbeat-v1-openalpr-doc.json"))
    assert isinstance(beat, Heartbeat)
    assert beat.camera_refs == ("openalpr:your-unique-sitename:1630410444",)
    assert beat.sent_at == datetime(2016, 1, 22, 1, 31, 42, 97000, tzinfo=UTC)
    assert beat.cameras[0].streaming is True


# Message types


def test_an_alert_gives_the_same_read_and_ids_as_its_group() -> None:
    body = group(web_server_config={"camera_label": "Main St"})
    alert = {
        "data_type": "alpr_alert",
        "epoch_time": 1_700_000_000_000,
        "plate_number": "ABC123",
        "list_type": "Blacklist",
        "alert_list": "Stolen",
        "camera_name": "ignored when the group names the camera",
        "group": body,
    }
    from_group = reads_of(parse(body))
    from_alert = reads_of(parse(alert))
    assert from_alert.kind == "alpr_alert"
    assert from_alert.reads == from_group.reads
    assert from_alert.related_ids == from_group.related_ids
    assert from_alert.camera_label == "Main St"


def test_an_alert_without_its_group_is_read_from_its_own_fields() -> None:
    alert = {
        "data_type": "alpr_alert",
        "epoch_time": 1_700_000_000_000,
        "plate_number": "XYZ789",
        "agent_uid": "AGENT1",
        "camera_number": 7,
        "camera_name": "North gate",
    }
    parsed = reads_of(parse(alert))
    assert parsed.reads[0].plate == "XYZ789"
    assert parsed.reads[0].camera_ref == "openalpr:AGENT1:7"
    assert parsed.camera_label == "North gate"


def test_a_frame_and_its_group_share_an_id_so_the_app_keeps_one_read() -> None:
    frame = {
        "data_type": "alpr_results",
        "uuid": "AGENT1-42-1700000000100",
        "agent_uid": "AGENT1",
        "camera_id": 42,
        "epoch_time": 1_700_000_000_100,
        "results": [{"plate": "QQQ111", "plate_index": 0}, {"plate": "ABC123", "plate_index": 1}],
    }
    frames = reads_of(parse(frame))
    grouped = reads_of(parse(group()))
    assert frames.keys(1)[0] in grouped.keys(0)  # ABC123 was plate 1 of that frame
    assert frames.keys(0)[0] not in grouped.keys(0)  # QQQ111 is another vehicle
    assert grouped.keys(0) == (
        "AGENT1-42-1700000000100",
        "AGENT1-42-1700000000000#0",
        "AGENT1-42-1700000000100#1",
    )


def test_a_plate_less_vehicle_is_a_sighting() -> None:
    body = {
        "data_type": "vehicle",
        "agent_uid": "AGENT1",
        "camera_id": 42,
        "epoch_start": 1_700_000_000_000,
        "best_uuid": "AGENT1-42-1700000000000",
        "travel_direction": 180.0,
        "vehicle": {
            "color": [{"name": "red", "confidence": 80.0}],
            "make": [{"name": "toyota", "confidence": 60.0}],
            "make_model": [{"name": "toyota_camry", "confidence": 40.0}],
            "missing_plate": [{"name": "yes", "confidence": 99.0}],
        },
        "vehicle_crop_jpeg": base64.b64encode(JPEG).decode(),
    }
    parsed = parse(body)
    assert isinstance(parsed, Sighting)
    (seen,) = parsed.vehicles
    assert (seen.vehicle.make, seen.vehicle.model, seen.vehicle.color) == ("toyota", "camry", "red")
    assert seen.seen_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert (seen.camera_ref, seen.heading_deg) == ("openalpr:AGENT1:42", 180.0)
    assert [(i.kind, i.data) for i in parsed.images] == [(ImageKind.VEHICLE_CROP, JPEG)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {"data_type": "alpr_something_new", "x": 1},
            "data_type 'alpr_something_new' carries no plate read",
        ),
        ({"openalpr_webhook": "test"}, "a test message from the OpenALPR web server"),
        ({"data_type": "alpr_results", "results": []}, "alpr_results: no plate in results"),
        (
            {"data_type": "alpr_results", "error": True, "results": []},
            "alpr_results: the agent reported an error in results",
        ),
        (
            group(best_plate_number="#$%", best_plate={"plate": "***"}),
            "alpr_group plate '#$%' has no letters or digits",
        ),
    ],
)
def test_messages_without_a_read_are_ignored_with_the_reason(
    body: dict[str, object], reason: str
) -> None:
    parsed = parse(body)
    assert isinstance(parsed, Ignored)
    assert parsed.reason == reason


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"data_type": "alpr_group", "epoch_start": 1},
            "alpr_group has no best_plate_number and no best_plate.plate",
        ),
        (
            {"data_type": "alpr_alert"},
            "alpr_alert has no best_plate_number and no best_plate.plate",
        ),
        (
            {"data_type": "alpr_results", "results": {"plate": "A"}},
            "alpr_results has no results array",
        ),
        ({"plate": "ABC123"}, "not an OpenALPR message: no data_type and no results (keys: plate)"),
        ({"data_type": 3, "results": []}, "data_type must be a string, not int"),
    ],
)
def test_bodies_without_the_fields_of_any_message_are_refused(
    body: dict[str, object], message: str
) -> None:
    with pytest.raises(VendorFormatError) as raised:
        parse(body)
    assert str(raised.value) == message


def test_a_frame_result_without_a_readable_plate_is_skipped_and_said() -> None:
    body = {"data_type": "alpr_results", "results": [{"plate": ""}, {"plate": "ABC123"}, 7]}
    parsed = reads_of(parse(body))
    assert [r.plate for r in parsed.reads] == ["ABC123"]
    assert parsed.notes == (
        "results[0] plate '' is unreadable: skipped",
        "results[2] is not an object: skipped",
    )


# Quirks


def test_agent_2_8_group_with_a_bom_uses_best_plate_number_and_notes_the_other() -> None:
    body = "\ufeff" + json.dumps(
        group(best_plate_number="A424761", best_plate={"plate": "TEST123"})
    )
    (read,) = reads_of(parse(body.encode())).reads
    assert read.plate == "A424761"
    assert read.notes == ("best_plate.plate 'TEST123' differs from best_plate_number: not used",)


def test_cli_output_after_library_noise_is_read() -> None:
    body = (
        b"libdc1394 error: Failed to initialize libdc1394\n"
        b'{"version": 2, "data_type": "alpr_results", "epoch_time": 1700000000000,'
        b' "results": [{"plate": "ABC123", "confidence": 90.1}]}\n'
    )
    (read,) = reads_of(parse(body)).reads
    assert read.plate == "ABC123"
    assert read.confidence == pytest.approx(0.901)


def test_cli_failure_text_is_refused_with_what_it_says() -> None:
    with pytest.raises(
        VendorFormatError, match="the body is not JSON: it starts 'Image file not found"
    ):
        parse(b"Image file not found: /tmp/car.jpg\n")


def test_seconds_and_milliseconds_give_the_same_time() -> None:
    in_ms = reads_of(parse({"epoch_time": 1_700_000_000_250, "results": [{"plate": "ABC123"}]}))
    in_s = reads_of(parse({"epoch_time": 1_700_000_000.25, "results": [{"plate": "ABC123"}]}))
    assert (
        in_ms.reads[0].read_at
        == in_s.reads[0].read_at
        == datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)
    )


def test_garbage_epochs_like_those_seen_on_arm_fall_back_to_the_received_time() -> None:
    body = {"epoch_time": 4294967295123456789, "results": [{"plate": "ABC123"}]}
    (read,) = reads_of(parse(body)).reads
    assert read.read_at is None
    assert read.notes[0].endswith("off: used received time")


def test_best_uuid_epoch_ms_is_the_time_of_the_best_frame() -> None:
    (read,) = reads_of(parse(group(best_uuid_epoch_ms=1_700_000_000_100))).reads
    assert read.read_at == datetime(2023, 11, 14, 22, 13, 20, 100000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("region", "country", "state", "note"),
    [
        ("us-ca", None, "CA", None),
        ("US-CA", "us", "CA", None),
        ("ca", "us", "CA", None),  # v1 and the CLI send the bare state
        ("CA", None, "CA", None),
        ("ca-qc", "ca", "QC", None),
        ("mx-nle", "mx", None, "region 'mx-nle' is not a state or province code: no state"),
        ("gb", "eu", None, "region 'gb' in country 'eu': no state"),
        ("de", "eu", None, "region 'de' in country 'eu': no state"),  # Germany, not Delaware
        ("eu-de", "eu", None, "region 'eu-de' is outside the US, Canada and Mexico: no state"),
        ("zz", None, None, "region 'zz' is not a state or province code: no state"),
    ],
)
def test_region_codes(
    region: str, country: str | None, state: str | None, note: str | None
) -> None:
    body = group(best_region=region, best_region_confidence=90, best_plate={"plate": "ABC123"})
    if country:
        body["country"] = country
    (read,) = reads_of(parse(body)).reads
    assert read.state == state
    assert read.notes == ((note,) if note else ())


def test_gps_zero_zero_is_no_fix_and_position_off_earth_is_dropped() -> None:
    (no_fix,) = reads_of(parse(group(gps_latitude=0, gps_longitude=0))).reads
    assert (no_fix.lat, no_fix.lon, no_fix.notes) == (None, None, ())
    (bad,) = reads_of(parse(group(gps_latitude=95.0, gps_longitude=10.0))).reads
    assert (bad.lat, bad.lon) == (None, None)
    assert bad.notes == ("position 95.0, 10.0 is not on Earth: not kept",)


def test_inline_images_are_lifted_out_of_the_read() -> None:
    crop = base64.b64encode(JPEG).decode()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    body = group(
        best_plate={"plate": "ABC123", "plate_crop_jpeg": crop},
        vehicle_crop_jpeg="data:image/png;base64," + base64.b64encode(png).decode(),
        overview_jpeg=base64.encodebytes(JPEG).decode(),  # with line breaks, as MIME encoders do
    )
    parsed = reads_of(parse(body))
    assert [(i.read_index, i.kind, i.media_type, i.data) for i in parsed.images] == [
        (0, ImageKind.PLATE_CROP, "image/jpeg", JPEG),
        (0, ImageKind.VEHICLE_CROP, "image/png", png),
        (0, ImageKind.CONTEXT, "image/jpeg", JPEG),
    ]
    assert parsed.reads[0].image_url is None
    assert all(
        not isinstance(getattr(parsed.reads[0], f), bytes) for f in parsed.reads[0].__slots__
    )


def test_images_over_the_cap_or_not_images_are_dropped_with_a_note() -> None:
    big = base64.b64encode(JPEG * 10).decode()
    body = group(
        best_plate={"plate": "ABC123", "plate_crop_jpeg": base64.b64encode(JPEG).decode()},
        vehicle_crop_jpeg=big,
        overview_jpeg=base64.b64encode(b"plain text, not a picture").decode(),
    )
    parsed = reads_of(parse(body, max_image_bytes=len(JPEG)))
    assert [i.kind for i in parsed.images] == [ImageKind.PLATE_CROP]
    assert parsed.notes == (
        f"vehicle_crop_jpeg is about 10 KB, more than the {len(JPEG)} bytes allowed: not kept",
        "overview_jpeg is not a JPEG, PNG, GIF or WebP image: not kept",
    )


def test_a_preview_group_says_so() -> None:
    parsed = reads_of(parse(group(is_preview=True)))
    assert parsed.notes == ("a preview group: the agent sends the final group later",)


def test_every_read_plate_is_one_lookout_accepts() -> None:
    (read,) = reads_of(parse(group(best_plate_number="ab-c 123"))).reads
    assert read.plate == "ab-c 123"  # kept as sent, for evidence
    assert plates.normalize(read.plate) == "ABC123"


def test_the_received_time_must_carry_a_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        openalpr.parse(group(), received_at=datetime(2026, 1, 1))  # noqa: DTZ001


def test_jsonc_doc_samples_load() -> None:
    assert loads_lenient('{"a": 1 // note\n}') == {"a": 1}
