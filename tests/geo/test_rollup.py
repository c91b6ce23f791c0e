"""Beats roll up to the area covering most of each: Oakland's 57 beats into its five Areas,
and made-up squares where the answer is plain."""

import shapely  # type: ignore[import-untyped]

from geo.rollup import area_of_beats
from geo.zones import Beat, BeatMap, read_geojson
from tests.shared_data import OAKLAND, missing


def square(code: str, west: float, south: float, size: float) -> Beat:
    return Beat(code, None, shapely.box(west, south, west + size, south + size))


def test_a_beat_goes_to_the_area_holding_most_of_it_and_none_when_outside_all() -> None:
    areas = BeatMap([square("W", 0, 0, 10), square("E", 10, 0, 10)])
    beats = BeatMap([
        square("01X", 8, 1, 1),  # inside W
        square("02X", 9.7, 1, 1),  # 70 % in E
        square("03X", 9.5, 1, 1),  # half and half: the area listed first
        square("04X", 50, 50, 1),  # in no area
    ])  # fmt: skip
    assert area_of_beats(beats, areas) == {"01X": "W", "02X": "E", "03X": "W", "04X": None}


def test_oakland_beats_roll_up_to_its_five_police_areas() -> None:
    beats_file = OAKLAND / "oakland-police-beats-2009.geojson"
    areas_file = OAKLAND / "oakland-police-areas-2013.geojson"
    if not (beats_file.is_file() and areas_file.is_file()):
        missing("Oakland's beats and police areas")
    areas = read_geojson(areas_file, code_property="New_Dist", pad_to=0)
    rolled = area_of_beats(read_geojson(beats_file), areas)
    assert len(rolled) == 57 and None not in rolled.values()
    # City Hall's beat is in Area 1, the Coliseum's and the airport's in Area 5.
    assert (rolled["04X"], rolled["31X"]) == ("1", "5")
    assert sorted(set(rolled.values())) == ["1", "2", "3", "4", "5"]
