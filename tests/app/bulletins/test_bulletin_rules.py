"""When a read fits a bulletin (app/bulletins/rules.py), rule by rule, on plain values.

Every case starts from one bulletin, a silver Honda Civic with plate 7ABC123 seen 1 km around
CAMERA at INCIDENT_AT, and one read that fits it; each row changes the one thing its rule is
about. No database and no app: `Watched` and `StoredRead` are built directly.
"""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerts.compose import Vehicle
from app.bulletins.rules import Fit, Rules, Watched, fit, may_fit
from app.models import BulletinStatus
from app.reads.stored import StoredRead
from geo import Point
from geo.areas import METRES_PER_DEGREE, Growth, circle
from lpr.patterns import Pattern

INCIDENT_AT = datetime(2025, 3, 1, 22, 0, tzinfo=UTC)
CAMERA = Point(37.8044, -122.2712)
RULES = Rules(
    growth=Growth(speed_mps=15.0, max_reach_m=10_000.0), retro_margin=timedelta(minutes=30)
)
CIVIC = Vehicle(make="Honda", model="Civic", color="silver")
EAST, WEST = 90.0, 270.0

INSIDE = "inside the search area"
GROWN = "inside the area grown since the incident (driving time)"


def bulletin(**overrides: Any) -> Watched:
    """Active for 4 hours; 1 km around CAMERA; plate 7ABC123; a silver Honda Civic."""
    values: dict[str, Any] = {
        "id": 1, "version": 1, "priority": 1, "kind": "robbery",
        "status": BulletinStatus.ACTIVE, "occurred_at": INCIDENT_AT,
        "expires_at": INCIDENT_AT + timedelta(hours=4), "area": circle(CAMERA, 1000.0),
        "heading_deg": None, "pattern": Pattern("7ABC123"), "state": None, "vehicle": CIVIC,
        "year_max": None, "case_number": None,
    }  # fmt: skip
    return Watched(**(values | overrides))


def read(
    *plates: str | tuple[str, float | None],
    minutes: float = 2.0,
    east_m: float | None = 0.0,
    heading_deg: float | None = None,
    state: str | None = None,
    vehicle: Vehicle = CIVIC,
) -> StoredRead:
    """A read `minutes` after the incident, `east_m` east of CAMERA (None: no position).
    `plates` are its OCR candidates, best first, each a key or (key, confidence)."""
    keys = tuple((p, 0.9) if isinstance(p, str) else p for p in plates or ("7ABC123",))
    lat = lon = None
    if east_m is not None:
        lat = CAMERA.lat
        lon = CAMERA.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(CAMERA.lat)))
    return StoredRead(
        id=7, camera_id=3, plate=keys[0][0], plate_key=keys[0][0], keys=keys, state=state,
        read_at=INCIDENT_AT + timedelta(minutes=minutes), lat=lat, lon=lon,
        heading_deg=heading_deg, vehicle=vehicle,
    )  # fmt: skip


def fits(watched: Watched, view: StoredRead) -> Fit:
    found = fit(watched, view, RULES)
    assert found is not None, "expected the read to fit the bulletin"
    return found


def reason(found: Fit, part: str) -> dict[str, Any] | None:
    matching = [r for r in found.reasons if r["part"] == part]
    assert len(matching) <= 1
    return matching[0] if matching else None


def test_a_fit_gives_its_reasons_in_order_plate_description_state_area_direction() -> None:
    found = fits(bulletin(state="CA", heading_deg=EAST), read(state="CA", heading_deg=EAST))
    assert (found.bulletin_id, found.read_id, found.key) == (1, 7, "7ABC123")
    assert found.texts == (
        "plate 7ABC123 is 7ABC123",
        "make Honda matches",
        "model Civic matches",
        "color silver matches",
        "state CA matches",
        INSIDE,
        "heading east, as reported",
    )
    assert found.warnings == ()
    assert 0.0 <= found.score <= 1.0


# 1. Time: from occurred_at - retro margin (30 min) to expires_at (4 h), both ends included.
@pytest.mark.parametrize(
    ("minutes", "expires_at", "is_fit"),
    [
        pytest.param(10, INCIDENT_AT + timedelta(hours=4), True, id="after-the-incident"),
        pytest.param(-29, INCIDENT_AT + timedelta(hours=4), True, id="inside-retro-margin"),
        pytest.param(-30, INCIDENT_AT + timedelta(hours=4), True, id="at-retro-margin"),
        pytest.param(-31, INCIDENT_AT + timedelta(hours=4), False, id="before-retro-margin"),
        pytest.param(240, INCIDENT_AT + timedelta(hours=4), True, id="at-expiry"),
        pytest.param(241, INCIDENT_AT + timedelta(hours=4), False, id="after-expiry"),
        pytest.param(3 * 24 * 60, None, True, id="never-expires"),
    ],
)
def test_a_read_fits_only_inside_the_time_window(
    minutes: float, expires_at: datetime | None, is_fit: bool
) -> None:
    found = fit(bulletin(expires_at=expires_at), read(minutes=minutes), RULES)
    assert (found is not None) == is_fit


# 2. Place: 1 km around CAMERA, grown by 15 m/s since the incident (1.8 km after 2 minutes);
# with a direction of travel, ahead by the whole reach but all round by a quarter of it.
@pytest.mark.parametrize(
    ("east_m", "minutes", "heading_deg", "area_text"),
    [
        pytest.param(500, 2, None, INSIDE, id="inside-the-area"),
        pytest.param(2000, 2, None, GROWN, id="inside-the-grown-area"),
        pytest.param(3500, 2, None, None, id="beyond-the-grown-area"),
        pytest.param(1500, -5, None, None, id="before-the-incident-the-area-has-not-grown"),
        pytest.param(2000, 2, EAST, GROWN, id="ahead-along-the-direction-of-travel"),
        pytest.param(-2000, 2, EAST, None, id="as-far-behind-the-direction-of-travel"),
    ],
)
def test_a_read_fits_inside_the_area_grown_to_its_time(
    east_m: float, minutes: float, heading_deg: float | None, area_text: str | None
) -> None:
    found = fit(bulletin(heading_deg=heading_deg), read(east_m=east_m, minutes=minutes), RULES)
    if area_text is None:
        assert found is None
    else:
        assert found is not None
        assert reason(found, "area") == {"part": "area", "result": "same", "text": area_text}


def test_a_read_without_a_position_never_fits() -> None:
    assert fit(bulletin(), read(east_m=None), RULES) is None


# 3. Plate: the first OCR candidate (best first) that the pattern matches.
@pytest.mark.parametrize(
    ("pattern", "candidates", "key", "text", "rank"),
    [
        pytest.param(
            "7ABC123", ["7ABC123"], "7ABC123", "plate 7ABC123 is 7ABC123", 1, id="full-first"
        ),
        pytest.param(
            "7ABC123", ["7A8C123", ("7ABC123", 0.6)], "7ABC123",
            "plate 7ABC123 is 7ABC123 (OCR candidate 2 of 2, confidence 60%)", 2,
            id="full-second-candidate",
        ),
        pytest.param(
            "7AB?123", ["7ABX123"], "7ABX123",
            "plate 7ABX123 fits 7AB?123: position 4 unknown (read X)", 1, id="one-unknown",
        ),
        pytest.param(
            "7AB*", ["7ABC123"], "7ABC123",
            "plate 7ABC123 fits 7AB*: positions 4-7 unknown (read C123)", 1, id="a-run-unknown",
        ),
        pytest.param(
            "7AB*", ["8XYZ999", "6ABQ1", ("7ABQ1", None)], "7ABQ1",
            "plate 7ABQ1 fits 7AB*: positions 4-5 unknown (read Q1) (OCR candidate 3 of 3)", 3,
            id="third-candidate-without-confidence",
        ),
    ],
)  # fmt: skip
def test_the_pattern_takes_the_first_ocr_candidate_it_matches(
    pattern: str, candidates: list[str | tuple[str, float | None]], key: str, text: str, rank: int
) -> None:
    found = fits(bulletin(pattern=Pattern(pattern)), read(*candidates))
    assert found.key == key
    plate = reason(found, "plate")
    assert plate is not None
    assert (plate["text"], plate["candidate_rank"]) == (text, rank)


def test_a_read_whose_candidates_the_pattern_never_matches_does_not_fit() -> None:
    assert fit(bulletin(), read("7ABC124", "8ABC123"), RULES) is None


def test_a_plate_read_first_scores_above_the_same_plate_as_a_lower_candidate() -> None:
    first = fits(bulletin(), read("7ABC123", "7A8C123"))
    second = fits(bulletin(), read("7A8C123", "7ABC123"))
    assert first.score > second.score


def test_a_full_plate_scores_above_a_partial_one_on_the_same_read() -> None:
    full, partial = (fits(bulletin(pattern=Pattern(p)), read()) for p in ("7ABC123", "7AB*"))
    assert full.score > partial.score


# 3. Without a pattern, the description alone: make and model both reported and agreeing, and
# nothing else contradicting the bulletin.
@pytest.mark.parametrize(
    ("record", "camera", "is_fit"),
    [
        pytest.param(CIVIC, CIVIC, True, id="make-and-model-agree"),
        pytest.param(
            CIVIC, Vehicle(make="HOND", model="Civic LX", color="grey"), True,
            id="same-in-other-words-and-a-close-colour",
        ),
        pytest.param(CIVIC, Vehicle(make="Honda", color="silver"), False, id="model-not-reported"),
        pytest.param(CIVIC, Vehicle(model="Civic", color="silver"), False, id="make-not-reported"),
        pytest.param(
            CIVIC, Vehicle(make="Honda", model="Accord", color="silver"), False,
            id="another-model",
        ),
        pytest.param(
            CIVIC, Vehicle(make="Toyota", model="Civic", color="silver"), False,
            id="another-make",
        ),
        pytest.param(
            CIVIC, Vehicle(make="Honda", model="Civic", color="red"), False,
            id="colour-contradicts",
        ),
        pytest.param(
            Vehicle(make="Honda", color="silver"), CIVIC, False,
            id="bulletin-without-a-model-is-not-watched",
        ),
    ],
)  # fmt: skip
def test_without_a_pattern_the_make_and_model_must_both_agree(
    record: Vehicle, camera: Vehicle, is_fit: bool
) -> None:
    view = read("6XYZ987", vehicle=camera)
    found = fit(bulletin(pattern=None, vehicle=record), view, RULES)
    assert (found is not None) == is_fit
    if found is not None:
        assert found.key == "6XYZ987"  # the read's own plate
        assert reason(found, "plate") is None
        assert [reason(found, part) for part in ("make", "model")] == [
            {"part": "make", "result": "same", "text": f"make {camera.make} matches"},
            {"part": "model", "result": "same", "text": f"model {camera.model} matches"},
        ]


# 4. State.
@pytest.mark.parametrize(
    ("pattern", "record", "camera", "state_reason", "warnings"),
    [
        pytest.param("7ABC123", "CA", "NV", None, None, id="differs"),
        pytest.param(None, "CA", "NV", None, None, id="differs-on-a-description-match"),
        pytest.param(
            "7ABC123", "CA", "CA", {"part": "state", "result": "same", "text": "state CA matches"},
            (), id="same",
        ),
        pytest.param(
            "7ABC123", "CA", None,
            {"part": "state", "result": "unknown", "text": "state not read — bulletin says CA"},
            ("State not read — bulletin says CA",), id="not-read",
        ),
        pytest.param("7ABC123", None, "NV", None, (), id="bulletin-without-a-state"),
    ],
)  # fmt: skip
def test_a_state_read_that_differs_from_the_bulletins_is_not_the_car(
    pattern: str | None,
    record: str | None,
    camera: str | None,
    state_reason: dict[str, str] | None,
    warnings: tuple[str, ...] | None,
) -> None:
    watched = bulletin(pattern=Pattern(pattern) if pattern else None, state=record)
    found = fit(watched, read(state=camera), RULES)
    if warnings is None:
        assert found is None
        return
    assert found is not None
    assert reason(found, "state") == state_reason
    assert found.warnings == warnings


# 5. Description next to a plate: a partial plate on another make or model is not the car; any
# other difference, or anything different on a full plate, fits with a warning.
MISMATCH = (
    "DESCRIPTION MISMATCH: record silver Honda Civic, camera saw {} "
    "(compared make, model and colour) — verify before any stop"
)


@pytest.mark.parametrize(
    ("pattern", "camera", "warnings"),
    [
        pytest.param(
            "7AB?123", Vehicle(make="Toyota", model="Corolla", color="silver"), None,
            id="partial-plate-another-make",
        ),
        pytest.param(
            "7AB*", Vehicle(make="Honda", model="Accord", color="silver"), None,
            id="partial-plate-another-model",
        ),
        pytest.param(
            "7AB*", Vehicle(make="Honda", model="Civic", color="red"),
            (MISMATCH.format("red Honda Civic"),), id="partial-plate-another-colour",
        ),
        pytest.param(
            "7ABC123", Vehicle(make="Toyota", model="Corolla", color="silver"),
            (MISMATCH.format("silver Toyota Corolla"),), id="full-plate-another-make",
        ),
        pytest.param(
            "7ABC123", Vehicle(make="Honda", model="Civic", color="red"),
            (MISMATCH.format("red Honda Civic"),), id="full-plate-another-colour",
        ),
        pytest.param(
            "7ABC123", Vehicle(make="Honda", model="Civic", color="grey"), (),
            id="close-colour-is-no-mismatch",
        ),
        pytest.param(
            "7ABC123", Vehicle(), ("Description not checked by camera — verify visually",),
            id="camera-saw-nothing",
        ),
    ],
)  # fmt: skip
def test_a_description_mismatch_rejects_a_partial_plate_and_warns_on_a_full_one(
    pattern: str, camera: Vehicle, warnings: tuple[str, ...] | None
) -> None:
    found = fit(bulletin(pattern=Pattern(pattern)), read(vehicle=camera), RULES)
    if warnings is None:
        assert found is None
    else:
        assert found is not None
        assert found.warnings == warnings


def test_the_score_falls_as_the_description_agrees_less() -> None:
    def score(color: str) -> float:
        return fits(
            bulletin(), read(vehicle=Vehicle(make="Honda", model="Civic", color=color))
        ).score

    assert score("silver") > score("grey") > score("red")
    different = fits(bulletin(), read(vehicle=Vehicle(make="Honda", model="Civic", color="red")))
    assert reason(different, "color") == {
        "part": "color", "result": "different", "text": "color differs: record silver, camera red"
    }  # fmt: skip


# Direction: a heading within 45° of the bulletin's raises the score, one within 45° of the
# opposite lowers it, anything between says nothing.
@pytest.mark.parametrize(
    ("heading_deg", "direction_reason"),
    [
        pytest.param(80.0, {"result": "same", "text": "heading east, as reported"}, id="agrees"),
        pytest.param(
            130.0, {"result": "same", "text": "heading southeast, as reported"}, id="within-45"
        ),
        pytest.param(180.0, None, id="across"),
        pytest.param(
            WEST, {"result": "different", "text": "heading west, reported east"}, id="opposite"
        ),
        pytest.param(None, None, id="not-read"),
    ],
)
def test_the_reads_heading_is_compared_with_the_direction_of_travel(
    heading_deg: float | None, direction_reason: dict[str, str] | None
) -> None:
    found = fits(bulletin(heading_deg=EAST), read(heading_deg=heading_deg))
    expected = None if direction_reason is None else {"part": "direction", **direction_reason}
    assert reason(found, "direction") == expected


def test_a_heading_that_agrees_raises_the_score_and_an_opposite_one_lowers_it() -> None:
    def score(heading_deg: float | None) -> float:
        return fits(bulletin(heading_deg=EAST), read(heading_deg=heading_deg)).score

    assert score(EAST) > score(None) == score(180.0) > score(WEST)


# The retro search's first pass (`may_fit`): never refuses a read `fit` accepts.
def _row_of(view: StoredRead) -> dict[str, Any]:
    """The narrow columns of a stored read, as the retro search reads them."""
    guesses = [{"plate": key, "confidence": confidence} for key, confidence in view.keys[1:]]
    return {
        "plate": view.plate, "plate_key": view.plate_key, "confidence": view.keys[0][1],
        "candidates": guesses or None, "vehicle_make": view.vehicle.make,
        "vehicle_model": view.vehicle.model,
    }  # fmt: skip


GRID_PLATES = [("7ABC123",), ("7ABC128",), ("6XYZ987",), ("6XYZ987", "7ABC123"), ("7A8C123",)]
GRID_VEHICLES = [
    CIVIC, Vehicle(make="HOND", model="CIVIC LX"), Vehicle(make="Honda", model="Accord"),
    Vehicle(make="Toyota", model="Civic"), Vehicle(make=None, model="Civic"),
    Vehicle(make="Honda", model=None), Vehicle(make="Honda", model="C"),
    Vehicle(make="CHEV", model="crv"),
]  # fmt: skip
GRID_BULLETINS = [
    bulletin(), bulletin(pattern=Pattern("7AB*")), bulletin(pattern=Pattern("7?BC12?")),
    bulletin(pattern=None), bulletin(pattern=None, vehicle=Vehicle(make="Chevy", model="CR-V")),
]  # fmt: skip


@pytest.mark.parametrize("watched", GRID_BULLETINS)
def test_the_first_pass_keeps_every_read_that_fits(watched: Watched) -> None:
    fitting = refused = 0
    for plates in GRID_PLATES:
        for vehicle in GRID_VEHICLES:
            view = read(*plates, vehicle=vehicle)
            could = may_fit(watched, _row_of(view))
            if fit(watched, view, RULES) is not None:
                fitting += 1
                assert could, (plates, vehicle)
            refused += not could
    assert fitting > 0 and refused > 0  # the grid has both kinds for every bulletin
