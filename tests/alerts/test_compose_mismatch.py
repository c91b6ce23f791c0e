"""The description-mismatch warning (DOMAIN.md 5.3), the comparisons under it, and what the
phone shows for a bulletin."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts import bulletins, vehicles
from alerts.bulletins import Action, Audience, BulletinFacts, Sighting
from alerts.compose import Detail, Vehicle, description_warning
from alerts.push import Platform
from alerts.vehicles import Agreement

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
TZ = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("record", "camera", "kind", "expected"),
    [
        (Vehicle(make="Toyota", model="Camry", color="white"),
         Vehicle(make="Honda", model="Accord", color="red"), "stolen_vehicle",
         "DESCRIPTION MISMATCH: record white Toyota Camry, camera saw red Honda Accord "
         "(compared make, model and colour) — "
         "verify before any stop"),
        (Vehicle(make="Toyota", model="Camry", color="white"), Vehicle(make="TOYT",
         model="CAMRY LE", color="WHI"), "stolen_vehicle", None),
        (Vehicle(make="Honda", color="silver"), Vehicle(make="honda", color="gray"), None, None),
        (Vehicle(make="Honda", color="silver"), Vehicle(make="Honda", color="black"), None,
         "DESCRIPTION MISMATCH: record silver Honda, camera saw black Honda "
         "(compared make and colour) — verify before any stop"),
        (Vehicle(make="Chevy", year=2012), Vehicle(make="Chevrolet", year=2013), None, None),
        (Vehicle(make="Chevy", year=2012), Vehicle(make="Chevrolet", year=2019), None,
         "DESCRIPTION MISMATCH: record 2012 Chevy, camera saw 2019 Chevrolet "
         "(compared make and year) — verify before any stop"),
        (Vehicle(make="Yamaha", type="MC"), Vehicle(make="Yamaha", type="sedan"), None,
         "DESCRIPTION MISMATCH: record Yamaha (MC), camera saw Yamaha (sedan) "
         "(compared make and type) — verify before any stop"),
        (Vehicle(make="Toyota", color="white"), Vehicle(), "stolen_vehicle",
         "Description not checked by camera — verify visually"),
        (Vehicle(make="Toyota", color="white"), Vehicle(type="sedan"), None,
         "Description not checked by camera — verify visually"),
        (Vehicle(), Vehicle(make="Honda"), "stolen_vehicle", None),
        (Vehicle(make="Toyota", color="white"), Vehicle(make="Honda", color="red"),
         "stolen_plate",
         "Stolen plate: the plate may be on another vehicle; description not compared"),
        (Vehicle(color="BLU/WHI"), Vehicle(color="white"), None, None),
    ],
)  # fmt: skip
def test_description_warning(
    record: Vehicle, camera: Vehicle, kind: str | None, expected: str | None
) -> None:
    assert description_warning(record, camera, list_kind=kind) == expected


def test_a_year_range_on_record_is_said_as_a_range() -> None:
    warning = description_warning(
        Vehicle(make="Honda", model="Civic", year=2014), Vehicle(make="Honda", year=2021),
        year_max=2016,
    )  # fmt: skip
    assert warning is not None
    assert "record Honda Civic (2014-2016), camera saw 2021 Honda" in warning


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [("silver", "grey", Agreement.CLOSE), ("gray", "GRY", Agreement.SAME),
     ("dark blue", "Blue", Agreement.SAME), ("burgundy", "red", Agreement.CLOSE),
     ("white", "black", Agreement.DIFFERENT), (None, "red", Agreement.UNKNOWN),
     ("silver/black", "black", Agreement.SAME), ("metallic charcoal", "grey", Agreement.SAME)],
)  # fmt: skip
def test_colours(a: str | None, b: str | None, agreement: Agreement) -> None:
    assert vehicles.compare_colour(a, b) is agreement


@pytest.mark.parametrize(
    ("a", "b", "agreement"),
    [("VW", "Volkswagen", Agreement.SAME), ("Mercedes-Benz", "MERZ", Agreement.SAME),
     ("Honda", "Acura", Agreement.DIFFERENT), ("honda", "", Agreement.UNKNOWN)],
)  # fmt: skip
def test_makes(a: str, b: str, agreement: Agreement) -> None:
    assert vehicles.compare_make(a, b) is agreement


def test_models_ignore_punctuation_and_trim() -> None:
    assert vehicles.compare_model("CR-V", "crv") is Agreement.SAME
    assert vehicles.compare_model("Civic", "Civic Type R") is Agreement.SAME
    assert vehicles.compare_model("Civic", "Accord") is Agreement.DIFFERENT


def _facts(**overrides: object) -> BulletinFacts:
    values: dict[str, object] = {
        "bulletin_id": 12, "alert_id": 40, "version": 1, "kind": "robbery", "priority": 2,
        "occurred_at": NOW - timedelta(minutes=2), "expires_at": NOW + timedelta(hours=8),
        "area": "within 1.0 km of 37.80440, -122.27120", "composed_at": NOW,
        "plate_pattern": "7AB*",
        "state": "CA", "vehicle": Vehicle(make="Honda", model="Civic", color="silver"),
        "direction_deg": 90.0, "case_number": "24-001234",
    }  # fmt: skip
    return BulletinFacts(**(values | overrides))  # type: ignore[arg-type]


def _push(facts: BulletinFacts, action: Action, **kwargs: object) -> dict[str, object]:
    message = bulletins.message(
        facts, action, Audience(0.0, None, True), token="phone-1", platform=Platform.ANDROID,
        detail=Detail.FULL, ttl_s=600, tz=TZ, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    return message.to_dict()


def test_every_push_of_a_bulletin_is_on_its_thread() -> None:
    facts = _facts()
    new = _push(facts, Action.NEW)
    update = _push(_facts(version=2, vehicle=Vehicle(make="Honda", color="grey")), Action.UPDATE)
    cancel = _push(_facts(status="cancelled", cancel_reason="vehicle located"), Action.CANCEL)
    assert {m["collapse_key"] for m in (new, update, cancel)} == {"bulletin-12"}
    assert new["title"] == "P2 BOLO ROBBERY: silver Honda Civic, plate 7AB* (CA)"
    assert "Heading east" in str(new["body"]) and "You are in the search area." in str(new["body"])
    assert str(update["title"]).startswith("P2 BOLO ROBBERY (updated): grey Honda")
    assert cancel["title"] == "CANCELLED — BOLO #12 robbery: vehicle located"
    assert cancel["data"] == {
        "alert_id": "40", "url": "/m/alerts/40", "kind": "bulletin", "bulletin_id": "12",
        "action": "cancel",
        "version": "1", "priority": "2", "status": "cancelled", "bulletin_kind": "robbery",
        "plate_pattern": "7AB*", "expires_at": (NOW + timedelta(hours=8)).isoformat(),
        "heading_deg": "90",
    }  # fmt: skip


def test_a_match_names_the_plate_read_and_why() -> None:
    sighting = Sighting(
        read_id=7, plate="7ABX123", state="CA", read_at=NOW, camera_name="Broadway & 14th",
        lat=37.8044, lon=-122.2712, heading_deg=90.0,
        reasons=("plate 7ABX123 fits 7AB*: positions 4-7 unknown (read X123)",
                 "color silver matches"),
        unknown=("model not reported by camera",),
    )  # fmt: skip
    push = _push(_facts(), Action.MATCH, sighting=sighting)
    assert push["title"] == "P2 Possible match for bulletin #12: 7ABX123 (CA)"
    body = str(push["body"])
    assert "Fits: plate 7ABX123 fits 7AB*: positions 4-7 unknown (read X123)" in body
    assert "Not checked: model not reported by camera" in body
    assert push["data"]["plate"] == "7ABX123" and push["data"]["action"] == "match"  # type: ignore[index]


def test_minimal_detail_keeps_the_plate_off_the_lock_screen() -> None:
    message = bulletins.message(
        _facts(), Action.NEW, Audience(), token="phone-1", platform=Platform.IOS,
        detail=Detail.MINIMAL, ttl_s=600, tz=TZ,
    )  # fmt: skip
    assert "7AB" not in message.title + message.body
    assert message.data["bulletin_id"] == "12" and message.collapse_key == "bulletin-12"


@pytest.mark.parametrize(
    ("camera", "unsure", "expected"),
    [
        # make and model guessed at 1 %: not compared; the sure colour agrees
        (Vehicle(color="white"), ("make", "model"),
         "Camera unsure of the make and model — verify visually"),
        (Vehicle(), ("make", "model", "color"),
         "Camera unsure of the make, model and colour — verify visually"),
        # a sure difference is still a mismatch, and says what was left out
        (Vehicle(color="red"), ("make", "model"),
         "DESCRIPTION MISMATCH: record white Iveco Daily, camera saw red (compared colour; "
         "camera unsure of make and model) — verify before any stop"),
    ],
)  # fmt: skip
def test_what_the_camera_was_unsure_of_is_never_a_mismatch(
    camera: Vehicle, unsure: tuple[str, ...], expected: str
) -> None:
    record = Vehicle(make="Iveco", model="Daily", color="white")
    assert description_warning(record, camera, unsure=unsure) == expected
