"""Beats from GeoJSON (Oakland's real 2009 beats, read from the shared data folder) and grids."""

import json
from pathlib import Path
from typing import Any

import pytest
import shapely  # type: ignore[import-untyped]

from geo import Point, ZoneFormatError
from geo.zones import BeatMap, from_geojson, grid_beats, normalize_code, read_geojson
from tests.shared_data import OAKLAND

BEATS_FILE = OAKLAND / "oakland-police-beats-2009.geojson"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    assert BEATS_FILE.exists(), (
        f"{BEATS_FILE} is missing: the shared Oakland data sits beside the repo"
    )
    with open(BEATS_FILE, encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


@pytest.fixture(scope="module")
def oakland() -> BeatMap:
    return read_geojson(BEATS_FILE)


def inside(raw: dict[str, Any], key: str, value: str) -> Point:
    """A point inside the feature whose `key` is `value` in the raw file, by shapely directly."""
    feature = next(f for f in raw["features"] if f["properties"][key] == value)
    p = shapely.geometry.shape(feature["geometry"]).representative_point()
    return Point(p.y, p.x)


def test_oakland_has_57_beats_and_two_polygons_that_are_not_beats(oakland: BeatMap) -> None:
    assert len(oakland) == 57
    assert oakland.skipped == 2
    assert all(len(code) >= 3 and code == code.upper() for code in oakland.codes)


@pytest.mark.parametrize(
    ("name", "lat", "lon", "beat", "district"),
    [
        ("City Hall", 37.8053, -122.2727, "04X", "1"),
        ("Coliseum", 37.7516, -122.2009, "31X", "6"),
        ("Fruitvale BART", 37.7746, -122.2216, "23X", "4"),
    ],
)
def test_known_places_are_in_their_beats(
    oakland: BeatMap, name: str, lat: float, lon: float, beat: str, district: str
) -> None:
    assert oakland.beat_at(Point(lat, lon)) == beat, name
    assert oakland.district_at(Point(lat, lon)) == district, name


@pytest.mark.parametrize(
    ("cp_beat", "shown"),
    [("7x", "07X"), ("1X", "01X"), ("13Z", "13Z"), ("31X", "31X"), ("35Y", "35Y")],
)
def test_a_point_inside_a_beat_maps_back_to_it(
    oakland: BeatMap, raw: dict[str, Any], cp_beat: str, shown: str
) -> None:
    assert oakland.beat_at(inside(raw, "CP_BEAT", cp_beat)) == shown


def test_codes_are_shown_as_oaklands_own_name_field_writes_them(
    oakland: BeatMap, raw: dict[str, Any]
) -> None:
    names = {f["properties"]["Name"] for f in raw["features"]}
    assert set(oakland.codes) == names - {"PDT2", "LKM1"}


@pytest.mark.parametrize("name", ["LKM1", "PDT2"])  # Lake Merritt; the City of Piedmont
def test_lake_merritt_and_piedmont_are_in_no_beat(
    oakland: BeatMap, raw: dict[str, Any], name: str
) -> None:
    assert oakland.beat_at(inside(raw, "Name", name)) is None


def test_san_francisco_is_in_no_oakland_beat(oakland: BeatMap) -> None:
    assert oakland.beat_at(Point(37.7793, -122.4193)) is None


def test_codes_are_found_in_any_spelling(oakland: BeatMap) -> None:
    beat = oakland.get("7x")
    assert beat is not None and beat.code == "07X" and beat.district == "1"
    assert "07x" in oakland and "7X" in oakland and "99X" not in oakland
    assert oakland.beat_at(beat.inside_point()) == "07X"


@pytest.mark.parametrize(
    ("raw_code", "shown"),
    [
        ("7x", "07X"),
        (" 1X ", "01X"),
        ("13Z", "13Z"),
        ("111", "111"),
        (1713, "1713"),
        (3.0, "3"),
        ("R1C2", "R1C2"),
        ("-1", None),
        ("0", None),
        (-1, None),
        ("", None),
        ("  ", None),
        ("N/A", None),
        ("null", None),
        (None, None),
    ],
)
def test_normalize_code(raw_code: object, shown: str | None) -> None:
    assert normalize_code(raw_code) == shown


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features: tuple[dict[str, Any] | None, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": g, "properties": p} for g, p in features],
    }


@pytest.mark.parametrize("key", ["beat", "BEAT", "Beat", "beat_num", "name"])
def test_the_code_property_is_detected(key: str) -> None:
    beats = from_geojson(collection((square(0, 0), {key: "2a", "OBJECTID": 1})))
    assert beats.codes == ("02A",)


def test_the_code_property_can_be_named_and_features_that_are_not_beats_are_skipped() -> None:
    data = collection(
        (square(0, 0), {"Zone": "5", "beat": "ignored"}),
        (square(0.01, 0), {"Zone": "5"}),  # a second part of zone 5
        ({"type": "Point", "coordinates": [0.005, 0.005]}, {"Zone": "7"}),
        (None, {"Zone": "8"}),
        (square(1, 1), {"Zone": ""}),
    )
    beats = from_geojson(data, code_property="zone")
    assert beats.codes == ("5",)
    assert beats.skipped == 3
    assert beats.beat_at(Point(0.005, 0.015)) == "5"
    assert beats.beat_at(Point(1.005, 1.005)) is None


def test_a_multipolygon_beat_covers_all_its_parts() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(0, 0)["coordinates"], square(5, 5)["coordinates"]],
    }
    beats = from_geojson(collection((multi, {"CP_BEAT": "9y", "POL_DIST": "3"})))
    assert beats.beat_at(Point(5.005, 5.005)) == "09Y"
    assert beats.district_at(Point(0.005, 0.005)) == "3"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        (collection((square(0, 0), {"OBJECTID": 1})), "pass code_property= one of: OBJECTID"),
        (collection((square(0, 0), {"beat": "-1"})), "no feature has a beat code"),
    ],
)
def test_a_file_without_beats_is_refused_with_a_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ZoneFormatError, match=message):
        from_geojson(data)


def test_an_unknown_code_property_is_refused() -> None:
    with pytest.raises(ZoneFormatError, match="no feature has a property 'precinct'"):
        from_geojson(collection((square(0, 0), {"beat": "1"})), code_property="precinct")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "beats.geojson"
    path.write_text("<kml/>", encoding="utf-8")
    with pytest.raises(ZoneFormatError, match="not JSON"):
        read_geojson(path)


def test_grid_beats_tile_the_area_north_west_first() -> None:
    centre = Point(37.8044, -122.2711)
    grid = grid_beats(centre, rows=3, cols=4, cell_m=1000.0)
    assert len(grid) == 12
    assert grid.codes[:5] == ("01A", "01B", "01C", "01D", "02A")
    assert grid.beat_at(Point(centre.lat + 0.0001, centre.lon + 0.0001)) == "02C"
    assert grid.beat_at(Point(centre.lat + 0.0134, centre.lon - 0.0225)) == "01A"
    assert grid.beat_at(Point(centre.lat + 0.02, centre.lon)) is None
    for beat in grid:
        assert grid.beat_at(beat.inside_point()) == beat.code


def test_an_empty_beat_map_knows_no_beat() -> None:
    assert BeatMap([]).beat_at(Point(0, 0)) is None
