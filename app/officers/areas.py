"""The agency's police areas: imported from GeoJSON (`lookout import-areas`), and the beats
rolled up to them (`beat.area`), whichever of the two is imported last.

Statistics read an alert's area through its beat, so only beats stored in the database
(`lookout import-beats`) roll up; a LOOKOUT_BEATS_FILE read at start leaves them out.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

# shapely ships no type information (geo/ imports it the same way).
from shapely.geometry import mapping, shape
from sqlalchemy import select, update
from sqlmodel import Session, col

from app.models import Beat as BeatRow
from app.models import PoliceArea
from geo.rollup import AREA_PROPERTIES, area_of_beats
from geo.zones import Beat, BeatMap, from_geojson


def import_file(
    session: Session, path: Path, *, now: datetime, code_property: str | None = None
) -> BeatMap:
    """Replace the stored areas with those of a GeoJSON file (a commander stays with an area
    whose code is kept), and roll the stored beats up to them. Raises ZoneFormatError."""
    data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    areas = read(data, code_property=code_property)
    replace(session, areas, source=path.name, now=now)
    return areas


def read(data: Any, *, code_property: str | None = None) -> BeatMap:
    """Areas from a parsed FeatureCollection. Area codes are kept as written ("1", "NE")."""
    if code_property is None:
        names = {
            str(key).lower(): str(key)
            for feature in data.get("features") or []
            if isinstance(feature, dict)
            for key in feature.get("properties") or {}
        }
        code_property = next((names[c] for c in AREA_PROPERTIES if c in names), None)
    return from_geojson(data, code_property=code_property, pad_to=0)


def replace(session: Session, areas: BeatMap, *, source: str, now: datetime) -> None:
    kept = {row.code: row for row in session.scalars(select(PoliceArea))}
    for code, row in kept.items():
        if code not in areas:
            session.delete(row)
    for area in areas:
        geometry = dict(mapping(area.geometry))
        row = kept.get(area.code) or PoliceArea(
            code=area.code, name=f"Area {area.code}", geometry=geometry
        )
        row.geometry, row.source, row.created_at = geometry, source, now
        session.add(row)
    session.flush()
    roll_up(session)


def roll_up(session: Session) -> int:
    """Set every stored beat's area from the stored areas; how many beats have one."""
    areas = _stored(session, select(PoliceArea).order_by(col(PoliceArea.code)))
    beats = _stored(session, select(BeatRow).order_by(col(BeatRow.code)))
    session.execute(update(BeatRow).values(area=None))
    if not areas or not beats:
        return 0
    rolled = area_of_beats(beats, areas)
    for code, area in rolled.items():
        if area is not None:
            session.execute(update(BeatRow).where(col(BeatRow.code) == code).values(area=area))
    session.flush()
    return sum(area is not None for area in rolled.values())


def _stored(session: Session, query: Any) -> BeatMap | None:
    rows = session.scalars(query).all()
    if not rows:
        return None
    return BeatMap(Beat(row.code, None, shape(row.geometry)) for row in rows)
