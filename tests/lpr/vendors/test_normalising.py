"""Times, confidences, regions and directions, through the helpers every vendor module uses."""

from datetime import UTC, datetime, timedelta

import pytest

from lpr.vendors import fields, timestamps

RECEIVED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def when(value: object) -> tuple[datetime | None, list[str]]:
    notes: list[str] = []
    return timestamps.parse(value, field="t", received_at=RECEIVED, notes=notes), notes


@pytest.mark.parametrize(
    "value",
    [
        1_767_268_800,  # s
        1_767_268_800.0,
        "1767268800",
        1_767_268_800_000,  # ms
        1_767_268_800_000_000,  # µs
        1_767_268_800_000_000_000,  # ns
        "2026-01-01T12:00:00Z",
        "2026-01-01T13:00:00+01:00",
        "2026-01-01 13:00:00.000000+0100",  # no colon in the offset
        "2026-01-01T07:00:00-05:00",
    ],
)
def test_epochs_in_any_unit_and_iso_with_any_offset_give_one_instant(value: object) -> None:
    assert when(value) == (RECEIVED, [])


def test_a_naive_iso_time_is_taken_as_utc_with_a_note() -> None:
    assert when("2026-01-01 12:00:00") == (
        RECEIVED,
        ["time t '2026-01-01 12:00:00' has no UTC offset: taken as UTC"],
    )


@pytest.mark.parametrize(
    ("value", "note"),
    [
        (86_400, "time t 86400 is 56 years off: used received time"),  # a reset clock: 1970
        (946_684_800, "time t 946684800 is 26 years off: used received time"),  # 2000-01-01
        (RECEIVED.timestamp() + 2 * 86400, "time t 1767441600.0 is 2 days off: used received time"),
        (
            "2090-01-01T00:00:00Z",
            "time t '2090-01-01T00:00:00Z' is 64 years off: used received time",
        ),
        (0, "time t 0 is unreadable: used received time"),
        (-5, "time t -5 is unreadable: used received time"),
        ("soon", "time t 'soon' is unreadable: used received time"),
        ("2026-01-01", "time t '2026-01-01' is unreadable: used received time"),
        (True, "time t true is unreadable: used received time"),
        ({"t": 1}, "time t an object is unreadable: used received time"),
        (
            "0001-01-01T00:00:00+14:00",
            "time t '0001-01-01T00:00:00+14:00' is unreadable: used received time",
        ),
    ],
)
def test_garbage_and_far_off_times_fall_back_to_the_received_time(value: object, note: str) -> None:
    assert when(value) == (None, [note])


def test_times_within_the_window_are_kept() -> None:
    assert when(RECEIVED.timestamp() - 12 * 365 * 86400)[0] is not None  # the 2014 samples
    assert when(RECEIVED.timestamp() + 3600)[0] == RECEIVED + timedelta(hours=1)  # a fast clock


def test_no_time_at_all_is_said() -> None:
    notes: list[str] = []
    assert timestamps.first([("a", None), ("b", "")], received_at=RECEIVED, notes=notes) is None
    assert notes == ["no time in the message: used received time"]


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        (93.5, True, 0.935),
        (100, True, 1.0),
        (0.85, False, 0.85),
        (85, False, 0.85),  # a 0-1 vendor sending percent
        (1, False, 1.0),  # Plate Recognizer's integer 1
        ("0.5", False, 0.5),
        (101, True, None),
        (250, False, None),
        (-0.1, False, None),
        (True, False, None),
        (None, True, None),
        ("high", False, None),
    ],
)
def test_confidences_end_up_on_0_to_1(value: object, percent: bool, expected: float | None) -> None:
    assert fields.confidence(value, percent=percent) == (
        pytest.approx(expected) if expected is not None else None
    )


@pytest.mark.parametrize(
    ("raw", "bare_is_country", "state", "notes"),
    [
        ("us-ca", False, "CA", []),
        ("US-CA", False, "CA", []),
        ("us_ca", False, "CA", []),
        ("ca", False, "CA", []),
        ("CA", False, "CA", []),
        (" ca ", False, "CA", []),
        ("ca", True, None, []),
        ("us-ca", True, "CA", []),
        ("pl", True, None, ["region 'pl' is outside the US, Canada and Mexico: no state"]),
        ("pl", False, None, ["region 'pl' is not a state or province code: no state"]),
        ("fr-75", True, None, ["region 'fr-75' is outside the US, Canada and Mexico: no state"]),
        ("", False, None, []),
        (7, False, None, []),
    ],
)
def test_region_codes(
    raw: object, bare_is_country: bool, state: str | None, notes: list[str]
) -> None:
    found: list[str] = []
    assert fields.state(raw, found, bare_is_country=bare_is_country) == state
    assert found == notes


@pytest.mark.parametrize(
    ("value", "degrees"),
    [
        (85.5, 85.5),
        ("270", 270.0),
        (360, 0.0),
        (-90, 270.0),
        ("NE", 45.0),
        ("north", 0.0),
        ("South-West", 225.0),
        ("", None),
        ("forward", None),
        (9999, None),
        (None, None),
    ],
)
def test_direction_of_travel(value: object, degrees: float | None) -> None:
    assert fields.heading(value) == degrees


def test_candidates_put_the_chosen_plate_first_and_drop_repeats_and_unreadables() -> None:
    found = fields.candidates(
        "ABC123",
        0.8,
        [("ZBC123", 0.9), ("abc 123", 0.7), ("", 0.6), ("A8C123", None), ("ABC12", 0.5)],
    )
    assert [(c.plate, c.confidence) for c in found] == [
        ("ABC123", 0.8),
        ("ZBC123", 0.9),
        ("ABC12", 0.5),
        ("A8C123", None),
    ]
