"""Police beats: which beat a point is in, from an agency's GeoJSON or a generated demo grid.

Beat codes are shown upper-case with the number part at least two digits wide: Oakland's
`CP_BEAT` says `7x` and `1X`, while the same file's `Name` field and OPD's incident data write
`07X` and `01X`, so `normalize_code` makes them `07X` and `01X`. A code of digits alone (`111`,
a patrol beat `3`) or one that does not start with digits (`R1C2`) is only upper-cased and
stripped.

A feature is not a beat, and is skipped, when its geometry is not a Polygon or MultiPolygon,
or its code is missing, blank, a placeholder (`none`, `null`, `n/a`) or a number <= 0. Oakland
marks the City of Piedmont and Lake Merritt with `CP_BEAT = "-1"`: points there are in no beat.
"""

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from os import PathLike
from typing import Any

import shapely

from geo.coords import Point
from geo.errors import ZoneFormatError

# Property names that hold a beat code, most specific first; matched case-insensitively.
CODE_PROPERTIES = (
    "cp_beat",
    "beat_num",
    "beatnum",
    "beat_code",
    "beatcode",
    "beat_id",
    "beat_no",
    "police_beat",
    "beat",
    "pol_beat",
    "name",
)
DISTRICT_PROPERTIES = ("pol_dist", "district", "district_num", "dist_num", "dist")
_PLACEHOLDERS = {"", "NONE", "NULL", "N/A", "NA", "-"}
_NUMBERED = re.compile(r"(\d+)([A-Z][A-Z0-9]*)")
_POLYGONAL = {"Polygon", "MultiPolygon"}
_METRES_PER_DEGREE = 111_195.0  # on the mean-radius sphere of geo.coords


@dataclass(frozen=True, slots=True)
class Beat:
    """One beat: its display code, its district if the file names one, and its shape (a shapely
    Polygon or MultiPolygon in lon/lat, all features with this code joined)."""

    code: str
    district: str | None
    geometry: Any  # shapely ships no type information

    def inside_point(self) -> Point:
        """A point guaranteed to lie inside the beat (not necessarily its centre)."""
        p = self.geometry.representative_point()
        return Point(float(p.y), float(p.x))


def normalize_code(raw: object, *, pad_to: int = 2) -> str | None:
    """The display form of a beat code (see the module docstring), or None for "no beat"."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        raw = int(raw) if raw.is_integer() else raw
    code = str(raw).strip().upper()
    if code in _PLACEHOLDERS:
        return None
    try:
        if float(code) <= 0:
            return None
    except ValueError:
        pass
    numbered = _NUMBERED.fullmatch(code)
    if numbered:
        return numbered[1].zfill(pad_to) + numbered[2]
    return code


class BeatMap:
    """Beats and a spatial index over them; `beat_at` takes about 10 µs."""

    def __init__(self, beats: Iterable[Beat], *, skipped: int = 0) -> None:
        self._beats = {b.code: b for b in beats}
        self.skipped = skipped  # features that were not beats (see the module docstring)
        self._order = list(self._beats.values())
        geometries = [b.geometry for b in self._order]
        shapely.prepare(geometries)
        self._tree = shapely.STRtree(geometries)

    def __len__(self) -> int:
        return len(self._beats)

    def __iter__(self) -> Iterator[Beat]:
        return iter(self._order)

    def __contains__(self, code: object) -> bool:
        return normalize_code(code) in self._beats

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._beats)

    def get(self, code: str) -> Beat | None:
        """The beat with this code, in any spelling `normalize_code` accepts ("7x" → 07X)."""
        normalized = normalize_code(code)
        return None if normalized is None else self._beats.get(normalized)

    def beat_at(self, point: Point) -> str | None:
        """The code of the beat containing `point` (its boundary included), None outside all
        beats. On a line two beats share, the one listed first in the file wins."""
        beat = self._beat_at(point)
        return None if beat is None else beat.code

    def district_at(self, point: Point) -> str | None:
        """The district of the beat containing `point`, if the file names districts."""
        beat = self._beat_at(point)
        return None if beat is None else beat.district

    def _beat_at(self, point: Point) -> Beat | None:
        hits = self._tree.query(shapely.Point(point.lon, point.lat), predicate="intersects")
        return self._order[int(min(hits))] if len(hits) else None


def from_geojson(
    data: Mapping[str, Any],
    *,
    code_property: str | None = None,
    district_property: str | None = None,
    pad_to: int = 2,
) -> BeatMap:
    """Beats from a parsed GeoJSON FeatureCollection in lon/lat (WGS84).

    `code_property` names the property that holds the beat code; when None, the first of
    CODE_PROPERTIES that the features carry is used (case-insensitively), and likewise
    DISTRICT_PROPERTIES for `district_property`. Features sharing a code are joined into one
    beat. Raises ZoneFormatError when `data` is not a FeatureCollection, a geometry cannot be
    read, no code property is found, or no feature is a beat.
    """
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ZoneFormatError("expected a GeoJSON FeatureCollection with a 'features' list")
    features = [
        f
        for f in data["features"]
        if isinstance(f, Mapping)
        and isinstance(f.get("geometry"), Mapping)
        and f["geometry"].get("type") in _POLYGONAL
    ]
    names = _property_names(features)
    code_key = _pick(names, code_property, CODE_PROPERTIES)
    if code_key is None:
        raise ZoneFormatError(
            f"no beat code property among {', '.join(CODE_PROPERTIES)}; "
            f"pass code_property= one of: {_list(names)}"
        )
    district_key = _pick(names, district_property, DISTRICT_PROPERTIES)
    parts: dict[str, list[Any]] = {}
    districts: dict[str, str | None] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        code = normalize_code(_get(properties, code_key), pad_to=pad_to)
        if code is None:
            continue
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ZoneFormatError(
                f"feature {number} ({code}): unreadable geometry: {error}"
            ) from error
        if geometry.is_empty:
            continue
        if not geometry.is_valid:
            geometry = _polygons(shapely.make_valid(geometry))
        parts.setdefault(code, []).append(geometry)
        if district_key is not None and districts.get(code) is None:
            districts[code] = normalize_code(_get(properties, district_key), pad_to=0)
    if not parts:
        raise ZoneFormatError(f"no feature has a beat code in property '{code_key}'")
    beats = [
        Beat(code, districts.get(code), g[0] if len(g) == 1 else shapely.union_all(g))
        for code, g in parts.items()
    ]
    return BeatMap(beats, skipped=len(data["features"]) - sum(len(g) for g in parts.values()))


def read_geojson(path: str | PathLike[str], **options: Any) -> BeatMap:
    """`from_geojson` on a file; the same options. Raises ZoneFormatError for bad JSON."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except json.JSONDecodeError as error:
        raise ZoneFormatError(f"{path}: not JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise ZoneFormatError(f"{path}: expected a GeoJSON object")
    return from_geojson(data, **options)


def grid_beats(center: Point, rows: int, cols: int, cell_m: float) -> BeatMap:
    """A demo grid of `rows` × `cols` square beats `cell_m` wide, centred on `center`.

    Codes are the row number and a column letter, north-west first: 01A, 01B, …, 02A, …; the
    district is the row number. At most 26 columns.
    """
    if not (rows >= 1 and 1 <= cols <= 26 and cell_m > 0):
        raise ValueError("need rows >= 1, 1 <= cols <= 26 and cell_m > 0")
    dlat = cell_m / _METRES_PER_DEGREE
    dlon = dlat / max(0.01, math.cos(math.radians(center.lat)))
    north = center.lat + rows * dlat / 2
    west = center.lon - cols * dlon / 2
    beats = []
    for row in range(rows):
        for col in range(cols):
            top, left = north - row * dlat, west + col * dlon
            box = shapely.box(left, top - dlat, left + dlon, top)
            beats.append(Beat(f"{row + 1:02d}{chr(ord('A') + col)}", str(row + 1), box))
    return BeatMap(beats)


def _property_names(features: list[Mapping[str, Any]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for feature in features:
        for key in feature.get("properties") or {}:
            names.setdefault(str(key).lower(), str(key))
    return names


def _pick(names: dict[str, str], given: str | None, candidates: tuple[str, ...]) -> str | None:
    if given is not None:
        if given.lower() not in names:
            raise ZoneFormatError(f"no feature has a property '{given}'; found: {_list(names)}")
        return names[given.lower()]
    return next((names[c] for c in candidates if c in names), None)


def _get(properties: Mapping[str, Any], key: str) -> Any:
    if key in properties:
        return properties[key]
    lowered = key.lower()
    return next((v for k, v in properties.items() if str(k).lower() == lowered), None)


def _polygons(geometry: Any) -> Any:
    polygons = [g for g in shapely.get_parts(geometry) if g.geom_type in _POLYGONAL]
    return shapely.union_all(polygons)


def _list(names: dict[str, str]) -> str:
    return ", ".join(sorted(names.values())) or "(no properties)"
