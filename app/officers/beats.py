"""The agency's beats: imported once into the database, loaded by every process.

With no beats imported, a demo grid around the agency's centre stands in, so a fresh install
still tags reads and routes to beat officers.
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

# shapely ships no type information (geo/ imports it the same way).
from shapely.geometry import mapping
from sqlalchemy import delete, exists, select
from sqlmodel import Session, col

from app.cache import Memo
from app.models import Beat as BeatRow
from app.models import Device, OfficerStatus, Role, User
from app.officers import areas
from geo import Point
from geo.zones import Beat, BeatMap, from_geojson, grid_beats

log = logging.getLogger(__name__)

DEMO_CENTER = Point(37.8044, -122.2712)  # downtown Oakland
DEMO_GRID = (6, 6, 2000.0)  # rows, columns, cell size in metres


def demo_beats(center: Point = DEMO_CENTER) -> BeatMap:
    rows, cols, cell_m = DEMO_GRID
    return grid_beats(center, rows, cols, cell_m)


def load(
    session: Session,
    *,
    path: Path | None = None,
    code_property: str | None = None,
    center: Point = DEMO_CENTER,
) -> tuple[BeatMap, str]:
    """The beats of `path`, else the imported ones, else the demo grid; and words saying which."""
    if path is not None:
        data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
        beats = from_geojson(data, code_property=code_property)
        return beats, f"{len(beats)} beats from {path}"
    rows = session.scalars(select(BeatRow).order_by("code")).all()
    if not rows:
        return demo_beats(center), "demo grid"
    features = [
        {
            "type": "Feature",
            "properties": {"beat": row.code, "district": row.district},
            "geometry": row.geometry,
        }
        for row in rows
    ]
    beats = from_geojson(
        {"type": "FeatureCollection", "features": features},
        code_property="beat",
        district_property="district",
    )
    return beats, f"{len(beats)} imported beats"


def import_file(
    session: Session,
    path: Path,
    *,
    now: datetime,
    code_property: str | None = None,
    district_property: str | None = None,
) -> BeatMap:
    """Replace the stored beats with those of a GeoJSON file (any agency's beats/districts)."""
    data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    beats = from_geojson(data, code_property=code_property, district_property=district_property)
    replace(session, beats, source=path.name, now=now)
    return beats


def replace(session: Session, beats: BeatMap, *, source: str, now: datetime) -> None:
    session.execute(delete(BeatRow))
    session.add_all(
        BeatRow(
            code=beat.code,
            district=beat.district,
            geometry=dict(mapping(beat.geometry)),
            source=source,
            created_at=now,
        )
        for beat in beats
    )
    session.flush()
    areas.roll_up(session)


def to_geojson(beats: BeatMap) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [_feature(beat) for beat in beats],
    }


def _feature(beat: Beat) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": beat.code, "district": beat.district},
        "geometry": json.loads(json.dumps(mapping(beat.geometry))),
    }


class BeatTagger:
    """`beat_at` for reads, remembered per position: fixed cameras report the same point again
    and again, and a polygon lookup costs more than the rest of a read's preparation."""

    def __init__(self, beats: BeatMap, *, remember: int = 20_000) -> None:
        self.beats = beats
        # A position outside every beat is remembered too, as "" (Memo's None means unknown).
        self._known: Memo[tuple[float, float], str] = Memo(max_size=remember)

    def beat_at(self, lat: float, lon: float) -> str | None:
        key = (lat, lon)
        known = self._known.get(key)
        if known is None:
            known = self.beats.beat_at(Point(lat, lon)) or ""
            self._known.put(key, known)
        return known or None


def officers_on_beats(session: Session, codes: Iterable[str | None]) -> list[int]:
    """On-duty officers assigned to any of the beats, with a working phone: told of every hit
    and bulletin there, wherever they are."""
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return []
    has_device = exists().where(col(Device.user_id) == OfficerStatus.user_id, col(Device.is_active))
    query = (
        select(col(OfficerStatus.user_id))
        .join(User, col(User.id) == OfficerStatus.user_id)
        .where(
            col(OfficerStatus.assigned_beat).in_(wanted),
            col(OfficerStatus.on_duty),
            col(User.role) == Role.OFFICER,
            col(User.is_active),
            has_device,
        )
    )
    return sorted(user_id for user_id in session.scalars(query) if user_id is not None)
