"""Coordinates, zones and officer proximity. Pure."""

from geo.coords import Point, bearing_deg, compass, distance_m
from geo.errors import GeoError, InvalidCoordinate
from geo.proximity import Nearby, Position, nearest

__all__ = [
    "GeoError",
    "InvalidCoordinate",
    "Nearby",
    "Point",
    "Position",
    "bearing_deg",
    "compass",
    "distance_m",
    "nearest",
]
