"""Search areas: building them (and refusing bad ones), membership, and how they grow."""

import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import Point, distance_m
from geo.areas import MAX_POLYGON_POSITIONS, Area, Growth, beats, circle, polygon
from geo.directions import heading_of
from geo.errors import InvalidArea, InvalidMotion
from geo.motion import project
from geo.zones import grid_beats

CENTER = Point(37.8044, -122.2712)
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-122.28, 37.79], [-122.26, 37.79], [-122.26, 37.81], [-122.28, 37.81], [-122.28, 37.79]]
    ],
}
# An L: the square with its north-east quarter cut away.
ELL = {
    "type": "Polygon",
    "coordinates": [
        [[-122.28, 37.79], [-122.26, 37.79], [-122.26, 37.80], [-122.27, 37.80],
         [-122.27, 37.81], [-122.28, 37.81], [-122.28, 37.79]]
    ],
}  # fmt: skip
BEATS = grid_beats(CENTER, 4, 4, 1000.0)


def at(heading_deg: float, metres: float, origin: Point = CENTER) -> Point:
    return project(origin, heading_deg, metres, 1.0)


def test_a_circle_holds_what_is_within_its_radius() -> None:
    area = circle(CENTER, 1000)
    assert area.contains(CENTER)
    assert area.contains(at(45, 990))
    assert not area.contains(at(45, 1010))
    assert area.distance_m(at(0, 1500)) == pytest.approx(500, abs=2)


def test_a_polygon_holds_its_inside_and_not_its_cut_away_corner() -> None:
    area = polygon(ELL)
    assert area.kind == "polygon"
    assert area.contains(Point(37.795, -122.275))
    assert not area.contains(Point(37.805, -122.265))  # the missing quarter
    assert area.contains(area.center)


def test_beats_are_the_union_of_their_polygons() -> None:
    codes = BEATS.codes[:2]
    area = beats(BEATS, [c.lower() for c in codes])
    assert area.codes == codes
    for code in codes:
        beat = BEATS.get(code)
        assert beat is not None and area.contains(beat.inside_point())
    other = BEATS.get(BEATS.codes[-1])
    assert other is not None and not area.contains(other.inside_point())
    assert area.describe() == f"beats {codes[0]}, {codes[1]}"


@pytest.mark.parametrize(
    ("geojson", "says"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, "must be a GeoJSON Polygon"),
        ({"type": "Polygon", "coordinates": []}, "has no coordinates"),
        (
            {"type": "Polygon", "coordinates": [[[-122.28, 37.79], [-122.26, 37.79],
                                                 [-122.26, 37.81], [-122.28, 37.81]]]},
            "does not close",
        ),
        (
            {"type": "Polygon", "coordinates": [[[-122.28, 37.79], [-122.26, 37.79],
                                                 [-122.28, 37.79]]]},
            "has 3 positions; a closed ring needs at least 4",
        ),
        (
            {"type": "Polygon", "coordinates": [[[-122.28, 37.79], [-122.26, 37.81],
                                                 [-122.26, 37.79], [-122.28, 37.81],
                                                 [-122.28, 37.79]]]},
            "Self-intersection",
        ),
        (
            {"type": "Polygon", "coordinates": [[[37.79, -122.28], [37.79, 122.26],
                                                 [37.81, -122.26], [37.79, -122.28]]]},
            "latitude -122.28 outside -90..90",
        ),
        (
            {"type": "Polygon", "coordinates": [[[-123, 37], [-121, 37], [-121, 39],
                                                 [-123, 37]]]},
            "draw the search area, not the region",
        ),
    ],
)  # fmt: skip
def test_bad_polygons_are_refused_saying_why(geojson: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidArea, match=says):
        polygon(geojson)


@pytest.mark.parametrize("radius_m", [0, 10, 60_000, math.nan])
def test_a_radius_out_of_range_is_refused(radius_m: float) -> None:
    with pytest.raises(InvalidArea, match="out of range: use 50 to 50000 m"):
        circle(CENTER, radius_m)


def test_unknown_beats_are_named_with_the_known_ones() -> None:
    with pytest.raises(InvalidArea, match=r"unknown beats: 99Q; known beats: 01A, 01B"):
        beats(BEATS, ["01A", "99Q"])
    with pytest.raises(InvalidArea, match="name at least one beat"):
        beats(BEATS, [])


@pytest.mark.parametrize(
    ("written", "degrees"),
    [("north", 0), ("N", 0), ("northbound", 0), ("NB", 0), ("east", 90), ("E", 90),
     ("eastbound", 90), ("EB", 90), ("NE", 45), ("north-east", 45), ("north east", 45),
     ("northeast", 45), ("SSW", 202.5), ("west", 270), ("wb", 270), (" 90 ", 90), ("90°", 90),
     (135, 135), (360, 0), (0.5, 0.5)],
)  # fmt: skip
def test_directions_in_words_and_degrees(written: str | float, degrees: float) -> None:
    assert heading_of(written) == degrees


@pytest.mark.parametrize("written", ["upward", "", "B", "NEE", 400, -1, True])
def test_unknown_directions_are_refused_listing_what_works(written: str | float) -> None:
    with pytest.raises(InvalidMotion, match="direction"):
        heading_of(written)


def test_without_a_direction_the_area_grows_evenly_at_the_assumed_speed() -> None:
    growth = Growth(speed_mps=15, max_reach_m=10_000)
    reach = circle(CENTER, 500).grown(120, None, growth)  # 1.8 km in two minutes
    for heading in (0, 90, 180, 270):
        assert reach.contains(at(heading, 2250))
        assert not reach.contains(at(heading, 2350))


def test_with_a_direction_it_grows_ahead_within_the_spread_and_little_behind() -> None:
    growth = Growth(speed_mps=15, max_reach_m=10_000, spread_deg=35, back_fraction=0.25)
    reach = circle(CENTER, 500).grown(240, 90, growth)  # eastbound, 3.6 km in four minutes
    assert reach.contains(at(90, 3900))  # 3.4 km ahead of the circle's edge
    assert not reach.contains(at(90, 4300))  # further than a car could have got
    assert reach.contains(at(65, 3000))  # within 35 degrees of east
    assert not reach.contains(at(20, 3000))  # north-east by north: off the fan
    assert reach.contains(at(270, 1350))  # a turn back: a quarter of the reach
    assert not reach.contains(at(270, 1500))


def test_growth_is_capped() -> None:
    growth = Growth(speed_mps=15, max_reach_m=2000)
    assert growth.reach_m(3600) == 2000
    reach = circle(CENTER, 500).grown(3600, None, growth)
    assert reach.contains(at(0, 2490)) and not reach.contains(at(0, 2600))


def test_a_buffer_holds_everything_that_close() -> None:
    buffered = polygon(SQUARE).buffer(300)
    east_edge = Point(37.80, -122.26)
    assert buffered.contains(at(90, 290, east_edge))
    assert not buffered.contains(at(90, 320, east_edge))


def test_the_bounding_circle_holds_the_reach_and_the_drawing_agrees() -> None:
    reach = polygon(ELL).grown(300, 45, Growth()).buffer(200)
    center, radius_m = reach.bounding_circle()
    drawing = reach.to_geojson()
    assert drawing["type"] in ("Polygon", "MultiPolygon")
    for heading in range(0, 360, 15):
        for metres in (500, 2000, 4000, 6000):
            point = at(heading, metres, reach.area.center)
            if reach.contains(point):
                assert distance_m(center, point) <= radius_m * 1.01


# Properties. Points are drawn around the area; elapsed times in whole seconds.

areas = st.sampled_from([circle(CENTER, 800), polygon(SQUARE), polygon(ELL),
                         beats(BEATS, ["01A", "02B", "03C"])])  # fmt: skip
headings = st.one_of(st.none(), st.floats(min_value=0, max_value=359.99))
offsets = st.tuples(st.floats(min_value=0, max_value=359.99), st.floats(0, 12_000))
growths = st.builds(
    Growth,
    speed_mps=st.floats(0, 40),
    max_reach_m=st.floats(0, 20_000),
    spread_deg=st.floats(0, 90),
    back_fraction=st.floats(0, 1),
)


@settings(max_examples=300, deadline=None)
@given(areas, headings, growths, st.integers(0, 3 * 3600), offsets)
def test_a_grown_area_contains_the_original(
    area: Area, heading: float | None, growth: Growth, elapsed_s: int, offset: tuple[float, float]
) -> None:
    point = at(offset[0], offset[1], area.center)
    if area.contains(point):
        assert area.grown(elapsed_s, heading, growth).contains(point)


@settings(max_examples=400, deadline=None)
@given(
    areas, headings, growths, st.integers(0, 3600), st.integers(0, 3600), offsets,
    st.floats(0, 2000),
)  # fmt: skip
def test_a_grown_area_never_shrinks_as_time_passes(
    area: Area,
    heading: float | None,
    growth: Growth,
    first_s: int,
    more_s: int,
    offset: tuple[float, float],
    margin_m: float,
) -> None:
    point = at(offset[0], offset[1], area.center)
    earlier = area.grown(first_s, heading, growth).buffer(margin_m)
    later = area.grown(first_s + more_s, heading, growth).buffer(margin_m)
    assume(earlier.contains(point))
    assert later.contains(point)


@settings(max_examples=200, deadline=None)
@given(areas, headings, st.integers(0, 1800), offsets)
def test_nothing_is_further_from_the_area_than_a_car_could_drive(
    area: Area, heading: float | None, elapsed_s: int, offset: tuple[float, float]
) -> None:
    growth = Growth()
    point = at(offset[0], offset[1], area.center)
    if area.grown(elapsed_s, heading, growth).contains(point):
        # 1 % for the arc drawn outside the true one and the local projection
        assert area.distance_m(point) <= growth.reach_m(elapsed_s) * 1.01 + 1.0


def test_a_polygon_of_more_positions_than_a_search_area_needs_is_refused() -> None:
    def ring(count: int) -> list[list[float]]:
        points = [
            [-122.27 + 0.01 * math.cos(2 * math.pi * i / count),
             37.80 + 0.01 * math.sin(2 * math.pi * i / count)]
            for i in range(count)
        ]  # fmt: skip
        return [*points, points[0]]

    assert polygon({"type": "Polygon", "coordinates": [ring(MAX_POLYGON_POSITIONS - 1)]})
    with pytest.raises(InvalidArea, match="62,001 positions; at most 500"):
        polygon({"type": "Polygon", "coordinates": [ring(62_000)]})
