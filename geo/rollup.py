"""Beats rolled up into the agency's larger areas (Oakland's five police Areas): each beat
belongs to the one area holding the largest share of it.

An agency's area lines need not follow its beat lines (Oakland's 2013 Areas cut across some
2009 beats), so a beat goes to the area that covers most of it, never to two; a beat no area
touches belongs to none.
"""

from collections.abc import Mapping

import shapely

from geo.zones import BeatMap

AREA_PROPERTIES = ("area", "area_num", "area_id", "new_dist", "police_area", "name")


def area_of_beats(beats: BeatMap, areas: BeatMap) -> Mapping[str, str | None]:
    """Beat code → the code of the area covering the largest part of it (ties: the area
    listed first), or None when no area overlaps the beat at all."""
    area_list = list(areas)
    tree = shapely.STRtree([area.geometry for area in area_list])
    rolled: dict[str, str | None] = {}
    for beat in beats:
        best, best_share = None, 0.0
        for index in sorted(int(i) for i in tree.query(beat.geometry, predicate="intersects")):
            share = float(
                shapely.area(shapely.intersection(beat.geometry, area_list[index].geometry))
            )
            if share > best_share:
                best, best_share = area_list[index].code, share
        rolled[beat.code] = best
    return rolled
