"""WGS84 points, great-circle distance and bearings."""

import math
from dataclasses import dataclass

from geo.errors import InvalidCoordinate

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

_COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise InvalidCoordinate(f"latitude {self.lat} is outside -90..90")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise InvalidCoordinate(f"longitude {self.lon} is outside -180..180")


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres; symmetric, >= 0."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(origin: Point, target: Point) -> float:
    """Initial bearing from origin to target in degrees clockwise from true north, 0 <= x < 360."""
    phi1, phi2 = math.radians(origin.lat), math.radians(target.lat)
    dlmb = math.radians(target.lon - origin.lon)
    y = math.sin(dlmb) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    bearing = math.degrees(math.atan2(y, x)) % 360.0
    return 0.0 if bearing >= 360.0 else bearing  # -1e-300 % 360.0 rounds to 360.0


def compass(heading_deg: float) -> str:
    """The nearest of eight compass words for a heading in degrees ("north", "southeast" ...)."""
    return _COMPASS[round((heading_deg % 360.0) / 45.0) % 8]
