"""Errors of the geo package.

GeoError
 └── InvalidCoordinate     latitude/longitude out of range or not a finite number
"""


class GeoError(ValueError):
    """Base of every error raised by geo/."""


class InvalidCoordinate(GeoError):
    pass
