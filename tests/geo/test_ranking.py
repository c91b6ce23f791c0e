"""Ranking officers by estimated time to reach the car."""

from datetime import UTC, datetime, timedelta

import pytest

from geo import Motion, Point, Position, Ranking
from geo.motion import project
from geo.ranking import best_placed, score

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
CAR = Point(37.8044, -122.2711)
FRESH = timedelta(minutes=5)


def officer(
    officer_id: int,
    *,
    bearing_from_car: float,
    metres: float,
    heading_deg: float | None = None,
    speed_mps: float | None = None,
    age_s: float = 10.0,
) -> Position:
    return Position(
        officer_id=officer_id,
        point=project(CAR, bearing_from_car, metres, 1.0),
        recorded_at=NOW - timedelta(seconds=age_s),
        heading_deg=heading_deg,
        speed_mps=speed_mps,
    )


def rank(positions: list[Position], *, motion: Motion | None = None, **kwargs: object) -> list[int]:
    options: dict[str, object] = {"radius_m": 5000.0, "fresh_for": FRESH, "limit": 10}
    options.update(kwargs)
    found = best_placed(CAR, positions, now=NOW, motion=motion, **options)  # type: ignore[arg-type]
    return [n.officer_id for n in found]


def test_an_officer_driving_toward_the_car_ranks_before_one_driving_away() -> None:
    west_heading_east = officer(1, bearing_from_car=270, metres=1000, heading_deg=90, speed_mps=12)
    east_heading_east = officer(2, bearing_from_car=90, metres=1000, heading_deg=90, speed_mps=12)
    assert rank([east_heading_east, west_heading_east]) == [1, 2]


def test_an_officer_closing_fast_beats_a_nearer_one_standing_still() -> None:
    parked = officer(1, bearing_from_car=0.0, metres=800.0)
    closing = officer(2, bearing_from_car=180.0, metres=1500.0, heading_deg=0.0, speed_mps=20.0)
    assert rank([parked, closing]) == [2, 1]
    # eta = distance / (13.9 m/s + closing speed): 1500 / 33.9 s against 800 / 13.9 s
    assert score(closing, CAR, None, Ranking()).eta_s == pytest.approx(1500 / 33.9, rel=1e-3)


def test_an_officer_the_car_is_driving_toward_ranks_before_one_behind_it() -> None:
    ahead = officer(1, bearing_from_car=90.0, metres=1000.0)
    behind = officer(2, bearing_from_car=270.0, metres=1000.0)
    assert rank([behind, ahead], motion=Motion(90.0, 15.0)) == [1, 2]
    assert rank([ahead, behind], motion=Motion(270.0, 15.0)) == [2, 1]


def test_without_headings_or_speeds_the_order_is_nearest_first() -> None:
    positions = [
        officer(i, bearing_from_car=i * 40.0, metres=m)
        for i, m in enumerate([3000.0, 200.0, 1200.0, 700.0], start=1)
    ]
    assert rank(positions) == [2, 4, 3, 1]
    assert rank(positions, ranking=None) == [2, 4, 3, 1]


@pytest.mark.parametrize(
    ("heading", "speed"),
    [(None, 20.0), (90.0, None), (-1.0, 20.0), (90.0, -1.0), (90.0, 0.5)],
)
def test_an_unmeasured_or_parked_motion_counts_as_standing_still(
    heading: float | None, speed: float | None
) -> None:
    p = officer(1, bearing_from_car=270.0, metres=1000.0, heading_deg=heading, speed_mps=speed)
    n = score(p, CAR, None, Ranking())
    assert n.closing_mps == 0.0
    assert n.eta_s == pytest.approx(1000.0 / 13.9, rel=1e-6)


def test_a_wild_speed_is_capped_and_driving_away_still_arrives() -> None:
    rocket = officer(1, bearing_from_car=270.0, metres=1000.0, heading_deg=90.0, speed_mps=900.0)
    assert score(rocket, CAR, None, Ranking()).closing_mps == pytest.approx(40.0)
    away = officer(2, bearing_from_car=270.0, metres=1000.0, heading_deg=270.0, speed_mps=30.0)
    assert score(away, CAR, None, Ranking()).eta_s == pytest.approx(1000.0 / 5.0, rel=1e-6)


def test_stale_distant_and_excluded_officers_are_left_out() -> None:
    positions = [
        officer(1, bearing_from_car=0.0, metres=100.0, age_s=301.0),
        officer(2, bearing_from_car=0.0, metres=5001.0),
        officer(3, bearing_from_car=0.0, metres=300.0),
        officer(4, bearing_from_car=0.0, metres=400.0),
        officer(5, bearing_from_car=0.0, metres=500.0, age_s=-30.0),  # phone clock ahead: fresh
    ]
    assert rank(positions) == [3, 4, 5]
    assert rank(positions, exclude={3}) == [4, 5]
    assert rank(positions, limit=1) == [3]
    assert rank(positions, limit=0) == []


def test_ranking_refuses_a_floor_above_the_response_speed() -> None:
    with pytest.raises(ValueError, match="floor_mps"):
        Ranking(response_mps=5.0, floor_mps=10.0)
