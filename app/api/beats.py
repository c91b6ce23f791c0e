"""Beats: the polygons reads and alerts are tagged with, for the console and the phone map."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.deps import CurrentUser, RuntimeDep
from app.officers import beats
from geo import Point

router = APIRouter(prefix="/beats", tags=["beats"])


class BeatAt(BaseModel):
    beat: str | None
    district: str | None


@router.get("")
def list_beats(runtime: RuntimeDep, _user: CurrentUser) -> dict[str, Any]:
    """All beats as a GeoJSON FeatureCollection (lon/lat)."""
    return beats.to_geojson(runtime.beats)


@router.get("/at")
def beat_at(
    runtime: RuntimeDep,
    _user: CurrentUser,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
) -> BeatAt:
    """The beat (and district) containing a point; nulls outside every beat."""
    point = Point(lat, lon)
    beat_map = runtime.beats
    return BeatAt(beat=beat_map.beat_at(point), district=beat_map.district_at(point))
