"""Outlines drawn finer than a search area needs, made coarse enough to test every read against.

A polygon exported from a GIS or traced along streets can hold thousands of positions, and
every read is tested against every active bulletin's area. `simplified` keeps a polygon of up
to `MAX_POLYGON_POSITIONS` as it is; a finer one (up to `MAX_DRAWN_POSITIONS`) is simplified
with shapely (Douglas-Peucker, keeping its topology: no ring crosses itself or another), the
tolerance growing from a metre until it fits, so the outline moves by no more than that.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import shapely

from geo.areas import MAX_POLYGON_POSITIONS, METRES_PER_DEGREE, ring_positions
from geo.errors import InvalidArea

MAX_DRAWN_POSITIONS = 20_000  # a drawn outline's positions, all rings; more is not an area
_FIRST_TOLERANCE_M = 1.0
_MAX_TOLERANCE_M = 250.0  # a search area moved further than this is another area


def positions_of(geojson: Mapping[str, Any]) -> int:
    rings = geojson.get("coordinates")
    if not isinstance(rings, Sequence) or isinstance(rings, str):
        return 0
    return sum(len(r) for r in rings if isinstance(r, Sequence) and not isinstance(r, str))


def simplified(geojson: Mapping[str, Any]) -> tuple[Mapping[str, Any], float]:
    """`geojson` (a Polygon) with at most MAX_POLYGON_POSITIONS positions, and the tolerance
    in metres it was simplified with (0: kept as it was). Raises InvalidArea for more than
    MAX_DRAWN_POSITIONS positions, or one that cannot be brought under the cap by moving
    its outline less than _MAX_TOLERANCE_M; anything else wrong is left for geo.areas.polygon
    to explain."""
    count = positions_of(geojson)
    if count <= MAX_POLYGON_POSITIONS or geojson.get("type") != "Polygon":
        return geojson, 0.0
    if count > MAX_DRAWN_POSITIONS:
        raise InvalidArea(
            f"polygon has {count:,} positions; at most {MAX_DRAWN_POSITIONS:,} (all rings "
            "together): simplify the outline, a search area needs no finer detail"
        )
    rings = [ring_positions(r, n) for n, r in enumerate(geojson["coordinates"], start=1)]
    shape = shapely.Polygon(rings[0], rings[1:])
    tolerance_m = _FIRST_TOLERANCE_M
    while tolerance_m <= _MAX_TOLERANCE_M:
        coarse = shape.simplify(tolerance_m / METRES_PER_DEGREE, preserve_topology=True)
        kept = [list(coarse.exterior.coords), *(list(i.coords) for i in coarse.interiors)]
        if sum(len(r) for r in kept) <= MAX_POLYGON_POSITIONS:
            coordinates = [[[lon, lat] for lon, lat in ring] for ring in kept]
            return {"type": "Polygon", "coordinates": coordinates}, tolerance_m
        tolerance_m *= 2
    raise InvalidArea(
        f"polygon has {count:,} positions and keeps more than {MAX_POLYGON_POSITIONS} even "
        f"with its outline moved by {_MAX_TOLERANCE_M:g} m: draw a simpler search area"
    )
