"""Errors of the geo package.

GeoError
 ├── InvalidCoordinate     latitude/longitude out of range or not a finite number
 ├── InvalidMotion         a heading outside 0..360, a negative or non-finite speed or duration
 ├── InvalidArea           a search area that cannot be searched: a polygon that does not close
 │                         or crosses itself, a radius out of range, an unknown beat
 └── ZoneFormatError       a beats file that is not a GeoJSON FeatureCollection of polygons
"""


class GeoError(ValueError):
    """Base of every error raised by geo/."""


class InvalidCoordinate(GeoError):
    pass


class InvalidMotion(GeoError):
    pass


class InvalidArea(GeoError):
    pass


class ZoneFormatError(GeoError):
    pass
