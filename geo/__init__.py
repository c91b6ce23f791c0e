"""Coordinates, zones and officer proximity. Pure."""

from geo.coords import Point, bearing_deg, compass, distance_m
from geo.errors import GeoError, InvalidCoordinate, InvalidMotion, ZoneFormatError
from geo.index import OfficerIndex
from geo.motion import Motion, Sighting
from geo.proximity import Nearby, Position, nearest
from geo.ranking import Ranking

__all__ = [
    "GeoError",
    "InvalidCoordinate",
    "InvalidMotion",
    "Motion",
    "Nearby",
    "OfficerIndex",
    "Point",
    "Position",
    "Ranking",
    "Sighting",
    "ZoneFormatError",
    "bearing_deg",
    "compass",
    "distance_m",
    "nearest",
]
