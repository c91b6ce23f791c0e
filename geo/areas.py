"""Search areas of bulletins, and where a fleeing car may be by now (DOMAIN.md 4).

An `Area` is a circle (centre and radius), a GeoJSON polygon, or a set of beats. `Reach` is the
set of places a car that was inside the area at the time of the incident may be now:

    direction unknown:  A ⊕ disk(reach)
    direction known:    (A ⊕ disk(back_fraction × reach)) ∪ (A ⊕ sector(reach, heading ± spread))

where ⊕ is the Minkowski sum and the sector is the pie slice of radius `reach` opening
`spread_deg` either side of the heading: ahead the car can be anywhere it could have driven
to while keeping roughly to its direction, never further than speed × time; it may also have
turned round, so a smaller disk grows all round. `Growth` holds the model:

    reach(elapsed) = min(speed_mps × elapsed_s, max_reach_m), rounded up to the millimetre

Lookout's defaults: 15 m/s (54 km/h, a car driving away through a city without stopping),
capped at 10 km, spread ±35°, back 1/4 of the reach. Disk and sector both contain the origin,
are convex and scale with `reach`, so a Reach always contains its area and never shrinks as
time passes (property-tested in tests/geo/test_areas.py). `buffer(m)` adds m all round.

Membership is decided without building the grown shape: p is in A ⊕ disk(r) when its distance
to A is at most r, and in A ⊕ sector when the mirrored sector at p (apex p, opening backwards)
comes within the buffer of A; the arc is drawn as a polygon just outside the true arc, so it
errs towards telling an officer too many. Distances are in metres in a local equirectangular
projection about the area's centre (true to well under 1 % across a city and 10 km beyond).
"""

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.validation

from geo.coords import Point
from geo.errors import InvalidArea
from geo.zones import BeatMap

METRES_PER_DEGREE = 111_195.0  # on the mean-radius sphere of geo.coords
MIN_RADIUS_M = 50.0
MAX_RADIUS_M = 50_000.0
MAX_EXTENT_M = 100_000.0  # a polygon wider than this is not a search area but a region
# Every stored read is tested against every active bulletin's area: an outline of 62,000
# positions slows every read. A search area needs no more detail than this (all rings).
MAX_POLYGON_POSITIONS = 500
_ARC_STEP_DEG = 7.5  # the sector's arc is drawn in steps of at most this many degrees
_ORIGIN = shapely.Point(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Growth:
    """How fast, how far and how wide a search area grows with the time since the incident."""

    speed_mps: float = 15.0
    max_reach_m: float = 10_000.0
    spread_deg: float = 35.0  # the sector ahead opens this far either side of the heading
    back_fraction: float = 0.25  # growth all round (a turn back), as a share of the reach

    def __post_init__(self) -> None:
        values = (self.speed_mps, self.max_reach_m, self.spread_deg, self.back_fraction)
        if not all(math.isfinite(v) and v >= 0.0 for v in values):
            raise ValueError(f"growth parameters must be finite and >= 0, got {values}")
        if self.spread_deg > 90.0 or self.back_fraction > 1.0:
            raise ValueError("spread_deg is at most 90 and back_fraction a share: 0..1")

    def reach_m(self, elapsed_s: float) -> float:
        """Metres a car may have covered in `elapsed_s` seconds (negative counts as 0), capped
        at `max_reach_m` and rounded up to the millimetre, so equal reaches compare equal."""
        metres = min(self.speed_mps * max(0.0, elapsed_s), self.max_reach_m)
        return math.ceil(metres * 1000.0) / 1000.0


NO_GROWTH = Growth(speed_mps=0.0, max_reach_m=0.0)


@dataclass(frozen=True, slots=True)
class _Frame:
    """Local metres: x east and y north of `origin`."""

    origin: Point
    kx: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "kx", METRES_PER_DEGREE * max(0.01, math.cos(math.radians(self.origin.lat)))
        )

    def xy(self, point: Point) -> tuple[float, float]:
        dlon = (point.lon - self.origin.lon + 540.0) % 360.0 - 180.0
        return dlon * self.kx, (point.lat - self.origin.lat) * METRES_PER_DEGREE

    def point(self, x: float, y: float) -> Point:
        lat = max(-90.0, min(90.0, self.origin.lat + y / METRES_PER_DEGREE))
        lon = (self.origin.lon + x / self.kx + 540.0) % 360.0 - 180.0
        return Point(lat, lon)

    def geometry(self, lonlat: Any) -> Any:
        """A shapely geometry in lon/lat, in this frame's metres."""
        return shapely.transform(lonlat, self._to_xy)

    def _to_xy(self, coords: Any) -> Any:
        out = coords.copy()
        dlon = (coords[:, 0] - self.origin.lon + 540.0) % 360.0 - 180.0
        out[:, 0] = dlon * self.kx
        out[:, 1] = (coords[:, 1] - self.origin.lat) * METRES_PER_DEGREE
        return out


@dataclass(frozen=True, slots=True)
class Area:
    """A search area. Build one with `circle`, `polygon` or `beats`; `contains` includes the
    boundary. `center` is the circle's centre, or a point inside the polygon or beats."""

    kind: str  # "circle", "polygon" or "beats"
    center: Point
    radius_m: float | None = None  # circles only
    codes: tuple[str, ...] = ()  # beats only
    _frame: _Frame = field(init=False, repr=False, compare=False)
    _shape: Any = field(default=None, repr=False, compare=False)  # metres; None for a circle
    _extent_m: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_frame", _Frame(self.center))
        if self._shape is None:
            assert self.radius_m is not None
            object.__setattr__(self, "_extent_m", self.radius_m)
            return
        shapely.prepare(self._shape)
        corners = shapely.get_coordinates(self._shape)
        extent = float(max(math.hypot(x, y) for x, y in corners)) if len(corners) else 0.0
        object.__setattr__(self, "_extent_m", extent)

    def contains(self, point: Point) -> bool:
        return self.distance_m(point) <= 0.0

    def distance_m(self, point: Point) -> float:
        """Metres from `point` to the area; 0 inside it or on its edge."""
        x, y = self._frame.xy(point)
        if self._shape is None:
            assert self.radius_m is not None
            return max(0.0, math.hypot(x, y) - self.radius_m)
        if shapely.intersects_xy(self._shape, x, y):
            return 0.0
        return float(shapely.distance(self._shape, shapely.Point(x, y)))

    def buffer(self, metres: float) -> "Reach":
        """The area and everything within `metres` of it."""
        return Reach(self, around_m=_metres(metres), margin_m=_metres(metres))

    def grown(
        self, elapsed_s: float, heading_deg: float | None, growth: Growth = Growth()
    ) -> "Reach":
        """Where a car inside the area `elapsed_s` seconds ago may be now (module docstring);
        `heading_deg` is its direction of travel, None when unknown."""
        reach = growth.reach_m(elapsed_s)
        if heading_deg is None or not math.isfinite(heading_deg):
            return Reach(self, around_m=reach)
        return Reach(
            self,
            around_m=reach * growth.back_fraction,
            forward_m=reach,
            spread_deg=growth.spread_deg,
            heading_deg=heading_deg % 360.0,
        )

    @property
    def extent_m(self) -> float:
        """The radius of a circle about `center` that holds the whole area."""
        return self._extent_m

    def describe(self) -> str:
        """E.g. "within 1.5 km of 37.80440, -122.27120", "beats 04X, 05X", "a drawn area"."""
        match self.kind:
            case "circle":
                assert self.radius_m is not None
                where = f"{self.center.lat:.5f}, {self.center.lon:.5f}"
                return f"within {_length(self.radius_m)} of {where}"
            case "beats":
                return ("beat " if len(self.codes) == 1 else "beats ") + ", ".join(self.codes)
            case _:
                return f"a drawn area about {_length(self._extent_m)} across from its centre"

    def _distance_to_m(self, shape: Any) -> float:
        """Metres from a shapely geometry in frame metres to the area; 0 when they meet."""
        if self._shape is None:
            assert self.radius_m is not None
            return max(0.0, float(shapely.distance(_ORIGIN, shape)) - self.radius_m)
        if shapely.intersects(self._shape, shape):
            return 0.0
        return float(shapely.distance(self._shape, shape))


@dataclass(frozen=True, slots=True)
class Reach:
    """An area grown as the module docstring says, plus a buffer of `margin_m` (which
    `around_m` already includes)."""

    area: Area
    around_m: float = 0.0
    forward_m: float = 0.0
    spread_deg: float = 0.0
    heading_deg: float | None = None
    margin_m: float = 0.0

    def contains(self, point: Point) -> bool:
        base = self.area.distance_m(point)
        if base <= self.around_m:
            return True
        if self.heading_deg is None or self.forward_m <= 0.0:
            return False
        if base > self.forward_m + self.margin_m:
            return False  # beyond the sector's reach whatever its direction
        x, y = self.area._frame.xy(point)
        return self.area._distance_to_m(self._sector(x, y, -1.0)) <= self.margin_m

    def buffer(self, metres: float) -> "Reach":
        """This reach and everything within `metres` of it."""
        m = _metres(metres)
        return Reach(
            self.area,
            self.around_m + m,
            self.forward_m,
            self.spread_deg,
            self.heading_deg,
            self.margin_m + m,
        )

    def bounding_circle(self) -> tuple[Point, float]:
        """A centre and a radius in metres that hold the whole reach."""
        ahead = self.forward_m / math.cos(math.radians(_ARC_STEP_DEG) / 2) + self.margin_m
        return self.area.center, self.area.extent_m + max(self.around_m, ahead)

    def to_geojson(self, quad_segs: int = 8) -> dict[str, Any]:
        """The reach as a GeoJSON (Multi)Polygon in lon/lat, for maps: a drawing with
        polygonal curves, not the test `contains` makes."""
        frame = self.area._frame
        if self.area._shape is None:
            assert self.area.radius_m is not None
            base = _ORIGIN.buffer(self.area.radius_m, quad_segs=quad_segs)
        else:
            base = self.area._shape
        parts = [base.buffer(self.around_m, quad_segs=quad_segs) if self.around_m else base]
        if self.heading_deg is not None and self.forward_m > 0.0:
            swept = _minkowski(base, self._sector(0.0, 0.0, 1.0))
            if self.margin_m:
                swept = swept.buffer(self.margin_m, quad_segs=quad_segs)
            parts.append(swept)
        grown = shapely.union_all(parts)
        lonlat = shapely.transform(grown, lambda xy: _to_lonlat(frame, xy))
        return dict(shapely.geometry.mapping(lonlat))

    def _sector(self, x: float, y: float, sign: float) -> Any:
        """The sector with its apex at (x, y), opening along the heading (sign 1) or against
        it (sign -1), its arc drawn just outside the true one."""
        assert self.heading_deg is not None
        steps = max(1, math.ceil(2 * self.spread_deg / _ARC_STEP_DEG))
        step = math.radians(2 * self.spread_deg / steps)
        radius = self.forward_m / math.cos(step / 2)  # chords outside the arc
        first = math.radians(self.heading_deg - self.spread_deg)
        points = [(x, y)]
        for k in range(steps + 1):
            theta = first + k * step
            points.append(
                (x + sign * radius * math.sin(theta), y + sign * radius * math.cos(theta))
            )
        if self.spread_deg == 0.0:
            return shapely.LineString(points[:2])
        return shapely.Polygon(points)


def circle(center: Point, radius_m: float) -> Area:
    """A circle; raises InvalidArea unless MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M."""
    if not (math.isfinite(radius_m) and MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M):
        raise InvalidArea(
            f"radius_m {radius_m:g} is out of range: use {MIN_RADIUS_M:g} to {MAX_RADIUS_M:g} m"
        )
    return Area("circle", center, radius_m=radius_m)


def polygon(geojson: Mapping[str, Any]) -> Area:
    """An area from a GeoJSON Polygon (lon/lat, first ring the outline, then any holes).

    Raises InvalidArea, saying what is wrong, when it is not a Polygon, a ring does not close
    or has fewer than 4 positions, a position is not [lon, lat] in range, the outline crosses
    itself (shapely's explanation and where), it is wider than MAX_EXTENT_M, or its rings hold
    more than MAX_POLYGON_POSITIONS positions in all.
    """
    if not isinstance(geojson, Mapping) or geojson.get("type") != "Polygon":
        got = geojson.get("type") if isinstance(geojson, Mapping) else type(geojson).__name__
        raise InvalidArea(
            f'polygon must be a GeoJSON Polygon ({{"type": "Polygon", ...}}), got {got}'
        )
    rings = geojson.get("coordinates")
    if not isinstance(rings, Sequence) or isinstance(rings, str) or not rings:
        raise InvalidArea("polygon has no coordinates: expected a list of rings of [lon, lat]")
    positions = sum(len(ring) for ring in rings if isinstance(ring, Sequence))
    if positions > MAX_POLYGON_POSITIONS:
        raise InvalidArea(
            f"polygon has {positions:,} positions; at most {MAX_POLYGON_POSITIONS} (all rings "
            "together): simplify the outline, a search area needs no finer detail"
        )
    checked = [_ring(ring, number) for number, ring in enumerate(rings, start=1)]
    lonlat = shapely.Polygon(checked[0], checked[1:])
    if not lonlat.is_valid:
        why = shapely.validation.explain_validity(lonlat)
        raise InvalidArea(f"polygon is not valid: {why} (GeoJSON positions are [lon, lat])")
    if lonlat.area == 0.0:
        raise InvalidArea("polygon encloses no area")
    return _framed("polygon", lonlat)


def beats(beat_map: BeatMap, codes: Iterable[str]) -> Area:
    """The union of beats by code (any spelling BeatMap.get accepts). Raises InvalidArea
    naming the unknown codes and listing the known ones."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise InvalidArea('beats is empty: name at least one beat, e.g. ["04X"]')
    found = {code: beat_map.get(code) for code in wanted}
    unknown = [code for code, beat in found.items() if beat is None]
    if unknown:
        known = list(beat_map.codes)
        shown = ", ".join(known[:60]) + (f" … ({len(known)} in all)" if len(known) > 60 else "")
        raise InvalidArea(f"unknown beats: {', '.join(unknown)}; known beats: {shown}")
    chosen = [beat for beat in found.values() if beat is not None]
    lonlat = shapely.union_all([beat.geometry for beat in chosen])
    return _framed("beats", lonlat, codes=tuple(dict.fromkeys(beat.code for beat in chosen)))


def _framed(kind: str, lonlat: Any, codes: tuple[str, ...] = ()) -> Area:
    """An area of a lon/lat shape, centred on its centroid (or a point inside it)."""
    middle = lonlat.centroid
    if not lonlat.contains(middle):
        middle = lonlat.representative_point()
    center = Point(float(middle.y), float(middle.x))
    framed = Area(kind, center, codes=codes, _shape=_Frame(center).geometry(lonlat))
    if framed.extent_m > MAX_EXTENT_M:
        raise InvalidArea(
            f"the area reaches {_length(framed.extent_m)} from its centre; at most "
            f"{_length(MAX_EXTENT_M)}: draw the search area, not the region"
        )
    return framed


def _ring(ring: Any, number: int) -> list[tuple[float, float]]:
    name = "outline" if number == 1 else f"hole {number - 1}"
    if not isinstance(ring, Sequence) or isinstance(ring, str):
        raise InvalidArea(f"polygon {name} must be a list of [lon, lat] positions")
    positions: list[tuple[float, float]] = []
    for i, position in enumerate(ring, start=1):
        if (
            not isinstance(position, Sequence)
            or isinstance(position, str)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise InvalidArea(f"polygon {name}, position {i}: expected [lon, lat] numbers")
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise InvalidArea(f"polygon {name}, position {i}: longitude {lon:g} outside -180..180")
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise InvalidArea(
                f"polygon {name}, position {i}: latitude {lat:g} outside -90..90 "
                "(GeoJSON positions are [lon, lat])"
            )
        positions.append((lon, lat))
    if len(positions) < 4:
        raise InvalidArea(
            f"polygon {name} has {len(positions)} positions; a closed ring needs at least 4 "
            "(the first repeated at the end)"
        )
    if positions[0] != positions[-1]:
        first, last = positions[0], positions[-1]
        raise InvalidArea(
            f"polygon {name} does not close: the first position [{first[0]:g}, {first[1]:g}] "
            f"must be repeated as the last (got [{last[0]:g}, {last[1]:g}])"
        )
    return positions


def _minkowski(shape: Any, convex: Any) -> Any:
    """The Minkowski sum of a polygon with a convex shape holding the origin: the polygon and,
    for every edge, the hull of the convex shape placed at both of its ends."""
    tip = shapely.get_coordinates(convex)
    parts = [shape]
    for polygon_part in shapely.get_parts(shape):
        for ring in (polygon_part.exterior, *polygon_part.interiors):
            for (x1, y1), (x2, y2) in itertools.pairwise(ring.coords):
                ends = [(x1 + dx, y1 + dy) for dx, dy in tip] + [
                    (x2 + dx, y2 + dy) for dx, dy in tip
                ]
                parts.append(shapely.MultiPoint(ends).convex_hull)
    return shapely.union_all(parts)


def _to_lonlat(frame: _Frame, xy: Any) -> Any:
    out = xy.copy()
    out[:, 0] = frame.origin.lon + xy[:, 0] / frame.kx
    out[:, 1] = frame.origin.lat + xy[:, 1] / METRES_PER_DEGREE
    return out


def _metres(value: float) -> float:
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"a buffer must be a finite number of metres >= 0, got {value}")
    return value


def _length(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"
