"""Dead reckoning: projecting a car from its last read, estimating its way from two reads."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import InvalidMotion, Motion, Point, Sighting, bearing_deg, distance_m
from geo.motion import ago, describe, estimate, motion_of, project, where_now

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
BROADWAY_14TH = Point(37.8044, -122.2711)

points = st.builds(
    Point,
    lat=st.floats(min_value=-89.9, max_value=89.9, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
any_points = st.builds(
    Point,
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
headings = st.floats(min_value=0, max_value=360, exclude_max=True, allow_nan=False)
speeds = st.floats(min_value=0, max_value=100, allow_nan=False)
durations = st.floats(min_value=0, max_value=3600, allow_nan=False)


def seen(point: Point, seconds_before_now: float, **kwargs: float) -> Sighting:
    return Sighting(point, NOW - timedelta(seconds=seconds_before_now), **kwargs)


@given(points, headings, speeds, durations)
def test_projection_covers_speed_times_time(
    start: Point, heading: float, speed: float, seconds: float
) -> None:
    end = project(start, heading, speed, seconds)
    assert distance_m(start, end) == pytest.approx(speed * seconds, rel=1e-6, abs=1e-3)


@given(
    points, headings, st.floats(min_value=1, max_value=40), st.floats(min_value=1, max_value=300)
)
def test_projection_moves_along_the_heading(
    start: Point, heading: float, speed: float, seconds: float
) -> None:
    end = project(start, heading, speed, seconds)
    off = abs((bearing_deg(start, end) - heading + 180.0) % 360.0 - 180.0)
    assert off < 1e-3


@given(any_points, headings, speeds)
def test_projection_by_no_time_or_no_speed_is_the_identity(
    start: Point, heading: float, speed: float
) -> None:
    assert project(start, heading, speed, 0.0) == start
    assert project(start, heading, 0.0, 60.0) == start


def test_projection_across_the_antimeridian_wraps_the_longitude() -> None:
    end = project(Point(0.0, 179.999), 90.0, 20.0, 60.0)
    assert -180.0 <= end.lon < -179.99
    assert distance_m(Point(0.0, 179.999), end) == pytest.approx(1200.0, rel=1e-6)


@pytest.mark.parametrize(
    ("heading", "speed", "seconds"),
    [(90.0, -1.0, 10.0), (90.0, math.nan, 10.0), (90.0, 10.0, -5.0), (math.inf, 10.0, 10.0)],
)
def test_an_impossible_projection_is_refused(heading: float, speed: float, seconds: float) -> None:
    with pytest.raises(InvalidMotion):
        project(BROADWAY_14TH, heading, speed, seconds)


@pytest.mark.parametrize(("heading", "speed"), [(360.0, 1.0), (-1.0, 1.0), (0.0, -0.5)])
def test_motion_refuses_values_outside_its_range(heading: float, speed: float) -> None:
    with pytest.raises(InvalidMotion):
        Motion(heading, speed)


def test_two_reads_give_the_direction_of_arrival_and_the_average_speed() -> None:
    east = project(BROADWAY_14TH, 90.0, 11.0, 60.0)  # 660 m east in a minute: 39.6 km/h
    motion = estimate(seen(BROADWAY_14TH, 95), seen(east, 35))
    assert motion is not None
    assert motion.heading_deg == pytest.approx(90.0, abs=0.1)
    assert motion.speed_mps == pytest.approx(11.0, rel=1e-6)
    assert estimate(seen(east, 35), seen(BROADWAY_14TH, 95)) == motion  # either order


@pytest.mark.parametrize(
    ("metres", "seconds_apart", "why"),
    [
        (660.0, 0.0, "same moment"),
        (10.0, 60.0, "same camera: no direction"),
        (660.0, 3600.0, "an hour apart: it may have stopped anywhere"),
        (5_000.0, 30.0, "600 km/h: a twin plate or a misread"),
    ],
)
def test_two_reads_that_say_nothing_reliable_give_no_estimate(
    metres: float, seconds_apart: float, why: str
) -> None:
    later = project(BROADWAY_14TH, 0.0, metres, 1.0)
    assert estimate(seen(BROADWAY_14TH, seconds_apart), seen(later, 0)) is None, why


def test_the_cameras_own_heading_wins_and_the_two_reads_fill_in_the_speed() -> None:
    north = project(BROADWAY_14TH, 0.0, 15.0, 40.0)
    latest = seen(north, 10, heading_deg=10.0)
    motion = motion_of(latest, seen(BROADWAY_14TH, 50))
    assert motion is not None
    assert (motion.heading_deg, motion.speed_mps) == (10.0, pytest.approx(15.0))


def test_a_camera_that_sends_minus_one_has_measured_nothing() -> None:
    assert motion_of(seen(BROADWAY_14TH, 10, heading_deg=-1.0, speed_mps=-1.0)) is None
    assert motion_of(seen(BROADWAY_14TH, 10, heading_deg=270.0)) == Motion(heading_deg=270.0)


def test_the_car_is_projected_from_its_last_read_to_now() -> None:
    last = seen(BROADWAY_14TH, 35)
    here = where_now(last, Motion(90.0, 11.0), NOW)
    assert distance_m(BROADWAY_14TH, here) == pytest.approx(385.0, rel=1e-6)
    assert 89.0 < bearing_deg(BROADWAY_14TH, here) < 91.0


def test_projection_stops_at_the_horizon_and_never_runs_backwards() -> None:
    long_ago = seen(BROADWAY_14TH, 600)
    here = where_now(long_ago, Motion(0.0, 10.0), NOW, horizon=timedelta(minutes=2))
    assert distance_m(BROADWAY_14TH, here) == pytest.approx(1200.0, rel=1e-6)
    from_the_future = seen(BROADWAY_14TH, -30)
    assert where_now(from_the_future, Motion(0.0, 10.0), NOW) == BROADWAY_14TH


@pytest.mark.parametrize("motion", [None, Motion(heading_deg=90.0), Motion(speed_mps=12.0)])
def test_without_heading_and_speed_the_car_is_where_it_was_read(motion: Motion | None) -> None:
    assert where_now(seen(BROADWAY_14TH, 35), motion, NOW) == BROADWAY_14TH


@pytest.mark.parametrize(
    ("motion", "seconds", "text"),
    [
        (Motion(90.0, 11.0), 35, "heading east, about 40 km/h, last seen 35 s ago"),
        (Motion(0.0, 2.0), 3, "heading north, about 5 km/h, last seen just now"),
        (Motion(heading_deg=225.0), 150, "heading southwest, last seen 2 min ago"),
        (Motion(speed_mps=0.2), 600, "stopped, last seen 10 min ago"),
        (None, 3900, "last seen 1 h 5 min ago"),
    ],
)
def test_describe_says_where_the_car_is_going_in_words(
    motion: Motion | None, seconds: float, text: str
) -> None:
    assert describe(motion, seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-4, "just now"),
        (4.4, "just now"),
        (59.4, "59 s ago"),
        (59.6, "1 min ago"),
        (7200, "2 h ago"),
        (86_400 * 2, "2 days ago"),
        (86_400 * 20, "3 weeks ago"),
        (86_400 * 100, "3 months ago"),
        (96_757 * 3600, "11 years ago"),
    ],
)
def test_ago(seconds: float, text: str) -> None:
    assert ago(seconds) == text
