from datetime import UTC, datetime

import pytest

from lpr.vendors import Ignored, ImageKind, Reads, VendorFormatError, survision
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 4, 17, 5, 11, tzinfo=UTC)


def parse(message: object) -> object:
    parsed = survision.parse(message, received_at=RECEIVED)  # type: ignore[arg-type]
    check(parsed)
    return parsed


def test_a_recognition_keeps_plate_reliability_time_and_image() -> None:
    parsed = parse(devices.survision_message(plate="7ABC123", at=AT, event="41"))
    assert isinstance(parsed, Reads)
    (read,) = parsed.reads
    assert (read.plate, read.state, read.confidence) == ("7ABC123", "CA", 0.94)
    assert read.read_at == AT
    assert (read.direction, read.camera_ref) == ("front", None)
    assert read.source_id == f"7/41@{devices.millis(AT)}"
    assert [i.kind for i in parsed.images] == [ImageKind.CONTEXT]


def test_without_an_event_id_the_session_and_time_name_the_read() -> None:
    message = devices.survision_message(plate="7ABC123", at=AT, event="41")
    del message["anpr"]["@id"]
    (read,) = parse(message).reads  # type: ignore[attr-defined]
    assert read.source_id == f"7@{devices.millis(AT)}"


def test_a_country_context_names_no_state() -> None:
    message = devices.survision_message(plate="MW818WM", at=AT, event="1", context="FR")
    (read,) = parse(message).reads  # type: ignore[attr-defined]
    assert read.state is None


def test_no_plate_and_other_messages_are_ignored_and_other_json_refused() -> None:
    empty = devices.survision_message(plate="", at=AT, event="1")
    assert parse(empty) == Ignored("anpr decision without a read plate", kind="anpr")
    assert parse({"infos": {"@sensor": "x"}}) == Ignored(
        "message 'infos' carries no plate read", kind="infos"
    )
    with pytest.raises(VendorFormatError, match="no 'anpr' object"):
        survision.parse({"plate": "7ABC123"}, received_at=RECEIVED)
