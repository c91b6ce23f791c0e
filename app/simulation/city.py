"""The city the hour is played in: beats (as the service serves them), cameras at real street
intersections inside them, and the corridors that link cameras along one street.

Distances use a local equirectangular projection around the city's centre: metres are exact
enough for a city 20 km across, and no projection library is needed.
"""

import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import (
    LineString,
    MultiLineString,
    Point,
    shape,
)
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

EARTH_M_PER_DEG = 111_320.0
CAMERA_SPACING_M = (600.0, 350.0, 150.0)  # tried in turn until enough cameras fit
ON_STREET_M = 40.0
MAJOR_ROADS = ("primary", "secondary")
# An intersection where a camera may go: lat, lon, beat code, the streets that cross there.
Site = tuple[float, float, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Beat:
    code: str
    area: BaseGeometry  # lon/lat

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        """A uniformly random (lat, lon) inside the beat."""
        min_x, min_y, max_x, max_y = self.area.bounds
        for _ in range(10_000):
            lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if self.area.contains(Point(lon, lat)):
                return lat, lon
        point = self.area.representative_point()
        return point.y, point.x


@dataclass(frozen=True, slots=True)
class Camera:
    name: str
    lat: float
    lon: float
    beat: str
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class City:
    beats: tuple[Beat, ...]
    cameras: tuple[Camera, ...]
    corridors: tuple[tuple[int, ...], ...]  # camera indexes in order along one street

    def beat(self, code: str) -> Beat:
        return next(b for b in self.beats if b.code == code)


def beats_from_geojson(collection: dict[str, Any]) -> tuple[Beat, ...]:
    """Beats from `GET /v1/beats` (properties `beat` or `code`), polygons only."""
    found = []
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        code = props.get("beat") or props.get("code")
        geometry = shape(feature["geometry"])
        if code and not geometry.is_empty:
            found.append(Beat(code=str(code), area=geometry))
    return tuple(sorted(found, key=lambda b: b.code))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (lat, lon) points."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * EARTH_M_PER_DEG
    dx = (a[1] - b[1]) * EARTH_M_PER_DEG * math.cos(mean_lat)
    return math.hypot(dx, dy)


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Direction from a to b in degrees clockwise from north, 0 <= x < 360."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dy = b[0] - a[0]
    dx = (b[1] - a[1]) * math.cos(mean_lat)
    return math.degrees(math.atan2(dx, dy)) % 360


def build(
    beats: tuple[Beat, ...], streets_file: Path | None, *, cameras: int, rng: random.Random
) -> City:
    """Place `cameras` cameras at intersections of named streets inside the beats (or, with no
    streets file, on a grid of synthetic avenues), and link them into corridors."""
    if not beats:
        raise ValueError("the service serves no beats (GET /v1/beats is empty)")
    major: frozenset[str] = frozenset()
    if streets_file is not None:
        streets, major = _streets(streets_file)
        candidates = _intersections(streets, beats)
    else:
        streets, candidates = _grid(beats)
    chosen = _spread(candidates, cameras, rng, major)
    placed = tuple(
        Camera(name=f"{' & '.join(names)}", lat=lat, lon=lon, beat=beat, streets=names)
        for lat, lon, beat, names in chosen
    )
    return City(beats=beats, cameras=placed, corridors=_corridors(placed, streets))


def _streets(path: Path) -> tuple[dict[str, BaseGeometry], frozenset[str]]:
    """Each named street as one geometry, and the names of the primary and secondary roads."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parts: dict[str, list[LineString]] = defaultdict(list)
    major = set()
    for feature in data["features"]:
        props = feature.get("properties") or {}
        name = props.get("name")
        if name and props.get("highway") in MAJOR_ROADS:
            major.add(name)
        geometry = shape(feature["geometry"])
        if not name:
            continue
        if isinstance(geometry, MultiLineString):
            parts[name].extend(geometry.geoms)
        elif isinstance(geometry, LineString):
            parts[name].append(geometry)
    return {name: MultiLineString(lines) for name, lines in parts.items()}, frozenset(major)


def _intersections(streets: dict[str, BaseGeometry], beats: tuple[Beat, ...]) -> list[Site]:
    names = sorted(streets)
    tree = STRtree([streets[n] for n in names])
    beat_tree = STRtree([b.area for b in beats])
    found: list[Site] = []
    for i, name in enumerate(names):
        for j in tree.query(streets[name]):
            other = names[int(j)]
            if int(j) <= i or _same_street(name, other):
                continue
            crossing = streets[name].intersection(streets[other])
            for point in _points(crossing):
                inside = [
                    int(k) for k in beat_tree.query(point) if beats[int(k)].area.contains(point)
                ]
                if inside:
                    found.append((point.y, point.x, beats[inside[0]].code, (name, other)))
    return found


def _same_street(a: str, b: str) -> bool:
    return a.split()[0] == b.split()[0]  # "Broadway" primary and tertiary, ramps of a freeway


def _points(geometry: BaseGeometry) -> list[Point]:
    if isinstance(geometry, Point):
        return [geometry]
    return [g for g in getattr(geometry, "geoms", []) if isinstance(g, Point)]


def _grid(
    beats: tuple[Beat, ...],
) -> tuple[dict[str, BaseGeometry], list[Site]]:
    """Avenues every 500 m across the beats' extent, where there is no street file."""
    min_x = min(b.area.bounds[0] for b in beats)
    min_y = min(b.area.bounds[1] for b in beats)
    max_x = max(b.area.bounds[2] for b in beats)
    max_y = max(b.area.bounds[3] for b in beats)
    step_lat = 500 / EARTH_M_PER_DEG
    step_lon = step_lat / math.cos(math.radians((min_y + max_y) / 2))
    streets: dict[str, BaseGeometry] = {}
    rows = [min_y + step_lat * (k + 0.5) for k in range(int((max_y - min_y) / step_lat))]
    cols = [min_x + step_lon * (k + 0.5) for k in range(int((max_x - min_x) / step_lon))]
    for k, lat in enumerate(rows):
        streets[f"{k + 1}th Street"] = LineString([(min_x, lat), (max_x, lat)])
    for k, lon in enumerate(cols):
        streets[f"Avenue {chr(65 + k % 26)}{k // 26 or ''}"] = LineString(
            [(lon, min_y), (lon, max_y)]
        )
    found: list[Site] = []
    for k, lat in enumerate(rows):
        for m, lon in enumerate(cols):
            point = Point(lon, lat)
            beat = next((b.code for b in beats if b.area.contains(point)), None)
            if beat:
                avenue = f"Avenue {chr(65 + m % 26)}{m // 26 or ''}"
                found.append((lat, lon, beat, (f"{k + 1}th Street", avenue)))
    return streets, found


def _spread(
    candidates: list[Site],
    wanted: int,
    rng: random.Random,
    major: frozenset[str] = frozenset(),
) -> list[Site]:
    """Up to `wanted` candidates, far apart, on as many beats as possible, on major streets
    (where agencies put their cameras) before minor ones."""
    pool = sorted(set(candidates))
    rng.shuffle(pool)
    pool.sort(key=lambda c: -sum(name in major for name in c[3]))
    chosen: list[Site] = []
    for spacing in CAMERA_SPACING_M:
        for new_beats_only in (True, False):
            for candidate in pool:
                if len(chosen) >= wanted:
                    return chosen
                covered = {c[2] for c in chosen}
                if candidate in chosen or (new_beats_only and candidate[2] in covered):
                    continue
                here = (candidate[0], candidate[1])
                if all(distance_m(here, (c[0], c[1])) >= spacing for c in chosen):
                    chosen.append(candidate)
    return chosen


def _corridors(
    cameras: tuple[Camera, ...], streets: dict[str, BaseGeometry]
) -> tuple[tuple[int, ...], ...]:
    """For each street, the cameras on it in order along it (those within ON_STREET_M)."""
    corridors = []
    for name, line in sorted(streets.items()):
        on = [
            i
            for i, camera in enumerate(cameras)
            if name in camera.streets
            or line.distance(Point(camera.lon, camera.lat)) * EARTH_M_PER_DEG < ON_STREET_M
        ]
        if len(on) < 2:
            continue
        # Order along the street's main axis: the two cameras furthest apart give it.
        ends = max(
            ((a, b) for a in on for b in on if a < b),
            key=lambda p: distance_m(_at(cameras[p[0]]), _at(cameras[p[1]])),
        )
        origin = _at(cameras[ends[0]])
        corridors.append(tuple(sorted(on, key=lambda i: distance_m(origin, _at(cameras[i])))))
    return tuple(corridors)


def _at(camera: Camera) -> tuple[float, float]:
    return camera.lat, camera.lon
