from datetime import UTC, datetime

import pytest

from lpr.vendors import Ignored, Reads, VendorFormatError, verkada
from tests.lpr.vendors.samples import RECEIVED, sample


def parse(body: object) -> object:
    return verkada.parse(body, received_at=RECEIVED)


def reads_of(parsed: object) -> Reads:
    assert isinstance(parsed, Reads), parsed
    return parsed


def webhook(**data: object) -> dict[str, object]:
    return {
        "webhook_type": "lpr",
        "created_at": 1_700_000_001,
        "data": {
            "camera_id": "cam-uuid",
            "license_plate_number": "7ABC123",
            "confidence": 0.9,
            **data,
        },
    }


def test_2020_sample_with_tabs_and_seconds() -> None:
    parsed = reads_of(parse(sample("verkada-lpr-webhook-2020-verkada-apidocs.json")))
    assert parsed.kind == "lpr"
    (read,) = parsed.reads
    assert (read.plate, read.confidence, read.state) == ("7NCR867", 0.85, None)
    assert read.read_at == datetime(2020, 10, 15, 1, 31, 24, tzinfo=UTC)  # data.created, s
    assert read.camera_ref == "verkada:7a226fef-3636-4428-bb61-aa3e61c4abea"
    assert read.source_id == "7a226fef-3636-4428-bb61-aa3e61c4abea@1602725484/7NCR867"
    assert read.notes == ()


def test_2025_sample_prefers_detected_in_milliseconds() -> None:
    (read,) = reads_of(parse(sample("verkada-lpr-webhook-2025-verkada-apidocs.json"))).reads
    assert (read.plate, read.state) == ("ABCD123", "CA")  # license_plate_state us-ca
    assert read.confidence == pytest.approx(0.9630414285714286)
    assert read.read_at == datetime(2025, 9, 19, 17, 27, 45, 879000, tzinfo=UTC)
    assert read.camera_ref == "verkada:38718198-8a78-4718-a60f-68e1a8de30ac"
    assert read.image_url is None  # the docs' placeholder
    assert read.notes == ("image_url 'IMAGE_URL' is not an http(s) URL: not kept",)


def test_a_real_image_url_is_kept() -> None:
    url = "https://api.verkada.com/lpr/images/abc.jpg?sig=1"
    assert reads_of(parse(webhook(image_url=url))).reads[0].image_url == url


@pytest.mark.parametrize(
    ("raw", "state"), [("us-ca", "CA"), ("US-CA", "CA"), ("ca", "CA"), ("CA", "CA"), (None, None)]
)
def test_state_variants(raw: str | None, state: str | None) -> None:
    assert reads_of(parse(webhook(license_plate_state=raw))).reads[0].state == state


def test_confidence_sent_as_a_percentage_is_scaled() -> None:
    assert reads_of(parse(webhook(confidence=85))).reads[0].confidence == 0.85


def test_time_falls_back_to_created_then_the_webhook_time() -> None:
    (read,) = reads_of(parse(webhook())).reads
    assert read.read_at == datetime.fromtimestamp(1_700_000_001, UTC)
    assert read.source_id is None


def test_other_webhook_types_are_ignored() -> None:
    parsed = parse({"webhook_type": "notification", "data": {"notification_type": "motion"}})
    assert parsed == Ignored(
        "webhook_type 'notification' carries no plate read", kind="notification"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"webhook_type": "lpr"}, "the Verkada lpr webhook has no data object"),
        ({"webhook_type": "lpr", "data": {"camera_id": "x"}}, "no data.license_plate_number"),
        ({"hello": "world"}, "not a Verkada webhook: no webhook_type and no data object"),
    ],
)
def test_bodies_without_a_plate_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(VendorFormatError, match=message):
        parse(body)


def test_an_unreadable_plate_is_ignored() -> None:
    assert parse(webhook(license_plate_number="---")) == Ignored(
        "plate '---' has no letters or digits", kind="lpr"
    )
