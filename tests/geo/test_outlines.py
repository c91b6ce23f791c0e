"""Outlines finer than a search area needs are simplified to fit, keeping their ground and
their holes; small ones are kept exactly as drawn."""

import math

import pytest
import shapely

from geo import Point
from geo.areas import MAX_POLYGON_POSITIONS, polygon
from geo.errors import InvalidArea
from geo.outlines import simplified


def _ring(count: int, radius_deg: float) -> list[list[float]]:
    ring = [
        [-122.27 + radius_deg * math.cos(2 * math.pi * i / count),
         37.80 + radius_deg * math.sin(2 * math.pi * i / count)]
        for i in range(count)
    ]  # fmt: skip
    return [*ring, ring[0]]


def test_a_fine_outline_with_a_hole_is_simplified_to_fit_keeping_its_ground() -> None:
    drawn = {"type": "Polygon", "coordinates": [_ring(2500, 0.02), _ring(1500, 0.005)]}
    coarse, tolerance_m = simplified(drawn)
    rings = coarse["coordinates"]
    assert len(rings) == 2  # the hole is kept
    assert sum(len(r) for r in rings) <= MAX_POLYGON_POSITIONS
    assert 0 < tolerance_m <= 250
    before = shapely.Polygon(drawn["coordinates"][0], drawn["coordinates"][1:])
    after = shapely.Polygon(rings[0], rings[1:])
    assert after.is_valid and abs(after.area - before.area) / before.area < 0.01
    area = polygon(coarse)  # what the service then tests every read against
    assert area.contains(Point(37.81, -122.27)) and not area.contains(Point(37.80, -122.27))


def test_an_outline_that_fits_is_kept_as_drawn() -> None:
    drawn = {"type": "Polygon", "coordinates": [_ring(100, 0.01)]}
    assert simplified(drawn) == (drawn, 0.0)


def test_an_outline_of_tens_of_thousands_of_positions_is_refused() -> None:
    with pytest.raises(InvalidArea, match="30,001 positions; at most 20,000"):
        simplified({"type": "Polygon", "coordinates": [_ring(30_000, 0.01)]})
