"""Distances, bearings and compass words: table cases and hypothesis properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import InvalidCoordinate, Point, bearing_deg, compass, distance_m
from geo.coords import EARTH_RADIUS_M

points = st.builds(
    Point,
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
headings = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)

CITY_HALL = Point(37.8053, -122.2727)
COLISEUM = Point(37.7516, -122.2009)


@pytest.mark.parametrize(
    ("lat", "lon"), [(91, 0), (-90.5, 0), (0, 180.1), (0, -181), (math.nan, 0), (0, math.inf)]
)
def test_a_point_off_the_globe_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidCoordinate):
        Point(lat, lon)


def test_city_hall_to_the_coliseum_is_about_8700_m_southeast() -> None:
    assert distance_m(CITY_HALL, COLISEUM) == pytest.approx(8_700, rel=0.02)
    assert compass(bearing_deg(CITY_HALL, COLISEUM)) == "southeast"


@pytest.mark.parametrize(
    ("target", "expected"),
    [(Point(1, 0), 0.0), (Point(0, 1), 90.0), (Point(-1, 0), 180.0), (Point(0, -1), 270.0)],
)
def test_bearings_from_the_origin_follow_the_compass(target: Point, expected: float) -> None:
    assert bearing_deg(Point(0, 0), target) == pytest.approx(expected)


@given(points, points)
def test_distance_is_symmetric_and_never_negative(a: Point, b: Point) -> None:
    assert distance_m(a, b) == pytest.approx(distance_m(b, a), abs=1e-6)
    assert 0.0 <= distance_m(a, b) <= math.pi * EARTH_RADIUS_M + 1e-6


@given(points)
def test_a_point_is_zero_metres_from_itself(a: Point) -> None:
    assert distance_m(a, a) == 0.0


@given(points, points, points)
def test_no_detour_is_shorter_than_the_direct_way(a: Point, b: Point, c: Point) -> None:
    assert distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 1e-3


@given(points, points)
def test_bearing_is_in_zero_to_360(a: Point, b: Point) -> None:
    assert 0.0 <= bearing_deg(a, b) < 360.0


@given(headings)
def test_compass_names_the_nearest_of_eight_words(heading: float) -> None:
    words = ["north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"]
    word = compass(heading)
    centre = words.index(word) * 45.0
    off = abs((heading - centre + 180.0) % 360.0 - 180.0)
    assert off <= 22.5 + 1e-9


def test_every_compass_word_is_reachable() -> None:
    assert {compass(h) for h in range(0, 360, 5)} == {
        "north",
        "northeast",
        "east",
        "southeast",
        "south",
        "southwest",
        "west",
        "northwest",
    }
