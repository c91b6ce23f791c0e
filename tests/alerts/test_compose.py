"""What the phone shows for a hot-list hit: title, body, payload, detail levels."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts import compose
from alerts.compose import Audience, Detail, HitFacts, Vehicle
from alerts.push import Platform

TZ = ZoneInfo("America/Los_Angeles")
READ_AT = datetime(2026, 11, 25, 21, 40, tzinfo=UTC)  # 13:40 in Oakland


def _facts(**overrides: object) -> HitFacts:
    values: dict[str, object] = {
        "alert_id": 42, "plate_read": "7A8C123", "plate_listed": "7ABC123", "state": "CA",
        "list_name": "NCIC stolen", "list_kind": "stolen_vehicle", "priority": 2,
        "reason": "Stolen vehicle", "case_number": "24-0001", "match": "confusable",
        "read_at": READ_AT, "lat": 37.8044, "lon": -122.2712, "heading_deg": 90.0,
        "camera_name": "Broadway & 14th", "composed_at": READ_AT + timedelta(seconds=40),
        "record_vehicle": Vehicle(year=2016, make="Honda", model="Civic", color="silver"),
        "explanation": "read 7A8C123, entry 7ABC123: position 3 read 8, entry B — OCR-confusable",
    }  # fmt: skip
    return HitFacts(**(values | overrides))  # type: ignore[arg-type]


def _message(facts: HitFacts, detail: Detail = Detail.FULL, distance: float | None = 1234.0):
    return compose.message(
        facts, Audience(distance, 90.0 if distance else None), token="phone-0001",
        platform=Platform.ANDROID, detail=detail, ttl_s=600, tz=TZ,
    )  # fmt: skip


def test_a_misread_says_so_in_the_title_body_and_payload() -> None:
    message = _message(_facts())
    assert message.title == "P2 Look for this car: 7A8C123 (CA) — POSSIBLE MISREAD — verify plate"
    assert "Why: read 7A8C123, entry 7ABC123: position 3 read 8, entry B" in message.body
    assert "Vehicle on record: silver 2016 Honda Civic" in message.body
    assert "Seen 40 s ago, 13:40:00 PST by Broadway & 14th" in message.body
    assert "1.2 km east of you" in message.body
    assert message.body.endswith("Confirm with dispatch before stopping.")
    assert message.data["match_label"] == "POSSIBLE MISREAD — verify plate"


def test_an_exact_hit_says_exact() -> None:
    message = _message(_facts(plate_read="7ABC123", match="exact"))
    assert message.title.endswith("— EXACT")
    assert message.data["match_label"] == "EXACT"


def test_the_payload_carries_the_required_fields_all_strings() -> None:
    data = _message(_facts()).data
    required = {"alert_id", "plate", "state", "lat", "lon", "read_at", "list", "priority", "match"}
    assert required <= set(data)
    assert all(isinstance(value, str) for value in data.values())
    assert (data["alert_id"], data["plate"], data["priority"]) == ("42", "7A8C123", "2")
    assert data["read_at"] == READ_AT.isoformat()


def test_minimal_detail_shows_kind_priority_and_distance_only() -> None:
    message = _message(_facts(), Detail.MINIMAL)
    assert "7A8C123" not in message.title + message.body
    assert "Honda" not in message.body
    # The page's link names only the alert id: nothing of the record.
    assert set(message.data) == {"alert_id", "url", "kind", "priority", "sightings", "distance_m"}
    assert message.data["distance_m"] == "1234"
    assert "1.2 km" in message.body


@pytest.mark.parametrize(("priority", "urgent"), [(1, True), (2, True), (3, True), (4, False)])
def test_urgency_follows_priority(priority: int, urgent: bool) -> None:
    message = _message(_facts(priority=priority))
    assert message.urgent is urgent
    assert message.collapse_key == "alert-42" and message.ttl_s == 600


def test_seen_again_and_motion_are_shown() -> None:
    facts = _facts(
        sightings=3, motion="heading north, about 60 km/h, last seen 35 s ago", beat="04X"
    )
    message = _message(facts, distance=None)
    assert message.title.endswith("— seen again")
    assert "heading north, about 60 km/h, last seen 35 s ago (beat 04X)" in message.body
    assert "Seen 3 times" in message.body
    assert "of you" not in message.body  # no distance without the officer's position


@pytest.mark.parametrize(
    ("composed_at", "seen"),
    [
        (READ_AT + timedelta(minutes=3), "Seen 3 min ago, 13:40:00 PST by"),
        (READ_AT + timedelta(days=2), "Seen 2 days ago, Wed 25 Nov 13:40 PST by"),
        (READ_AT + timedelta(days=800), "Seen 2 years ago, 25 Nov 2026 13:40 PST by"),
    ],
)
def test_the_push_says_how_long_ago_and_the_date_when_not_today(
    composed_at: datetime, seen: str
) -> None:
    """Never "last seen 96757 h ago" with a bare time: an officer must see at once that the
    read is old."""
    assert seen in _message(_facts(composed_at=composed_at)).body


def test_the_stored_summary_dates_what_is_not_today_but_says_no_age() -> None:
    """The alert list keeps the summary for hours: an age in it would go stale."""
    text = compose.summary(_facts(composed_at=READ_AT + timedelta(days=2)), TZ)
    assert "Seen Wed 25 Nov 13:40 PST by Broadway & 14th" in text
    assert " ago" not in text


def test_a_historical_hit_says_so_first() -> None:
    facts = _facts(composed_at=READ_AT + timedelta(hours=3), historical=True)
    assert compose.title(facts).startswith("P2 Historical hit, read 3 h ago: 7A8C123 (CA)")
