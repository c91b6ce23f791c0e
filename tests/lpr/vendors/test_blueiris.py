from datetime import UTC, datetime

import pytest

from lpr import plates
from lpr.vendors import Ignored, Reads, VendorFormatError, blueiris
from tests.lpr.vendors import devices
from tests.lpr.vendors.checks import check

AT = datetime(2026, 3, 4, 17, 5, 9, 250000, tzinfo=UTC)
RECEIVED = datetime(2026, 3, 4, 17, 5, 11, tzinfo=UTC)


def parse(message: object) -> object:
    parsed = blueiris.parse(message, received_at=RECEIVED)  # type: ignore[arg-type]
    check(parsed)
    return parsed


def test_an_alert_gives_one_read_per_plate_with_the_alert_time_and_camera() -> None:
    alert = devices.blueiris_alert(
        plates=[("SGX 7923G", 0.91), ("KYJ5", 0.62)], at=AT, path="LPR.20260304_170509.1.jpg"
    )
    parsed = parse(alert)
    assert isinstance(parsed, Reads) and parsed.kind == "alpr"
    assert [(r.plate, r.confidence) for r in parsed.reads] == [("SGX 7923G", 0.91), ("KYJ5", 0.62)]
    assert plates.normalize(parsed.reads[0].plate) == "SGX7923G"  # the two lines are one plate
    read = parsed.reads[0]
    assert (read.read_at, read.camera_ref, read.state) == (AT, "blueiris:DrivewayLPR", None)
    assert read.source_id == "DrivewayLPR@LPR.20260304_170509.1.jpg#SGX7923G"
    assert [i.media_type for i in parsed.images] == ["image/webp"]


def test_the_bare_ai_dump_array_uses_the_modules_processing_time() -> None:
    parsed = parse(devices.blueiris_ai_dump(plates=[("7ABC123", 0.8)], at=AT))
    (read,) = parsed.reads  # type: ignore[attr-defined]
    assert read.read_at == AT.replace(microsecond=0)
    # no camera and no alert: the module's processing time still tells a re-sent dump
    processed = AT.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert (read.camera_ref, read.source_id) == (None, f"-@{processed}#7ABC123")


def test_a_local_alert_time_is_read_against_the_time_received() -> None:
    alert = devices.blueiris_alert(plates=[("7ABC123", 0.8)], at=AT, path="p")
    alert["timestamp"] = "2026-03-04 09:05:09.250"  # &ALERT_TIME in local time, UTC-8
    (read,) = parse(alert).reads  # type: ignore[attr-defined]
    assert read.read_at == AT


def test_no_alpr_or_no_plate_is_ignored_and_other_json_refused() -> None:
    objects_only = devices.blueiris_alert(plates=[], at=AT, path="p")
    objects_only["ai_dump"] = objects_only["ai_dump"][:1]
    assert parse(objects_only) == Ignored("no alpr module in ai_dump (found: objects)", "alert")
    assert isinstance(parse(devices.blueiris_alert(plates=[], at=AT, path="p")), Ignored)
    with pytest.raises(VendorFormatError, match="no ai_dump array"):
        blueiris.parse({"camera": "x"}, received_at=RECEIVED)
