"""Directions of travel as dispatchers write them: compass words, bounds and degrees."""

import math
import re

from geo.errors import InvalidMotion

_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")  # fmt: skip
_WORDS = {"NORTH": "N", "EAST": "E", "SOUTH": "S", "WEST": "W"}


def heading_of(value: str | float | int) -> float:
    """Degrees clockwise from true north (0 <= x < 360) for a direction of travel written as
    degrees (90, "90", "90°") or words: a compass point (E, NE, NNE), a word ("east",
    "north-east", "north east") or a bound ("eastbound", "EB", "NB"). Raises InvalidMotion,
    listing what is understood, for anything else."""
    if isinstance(value, bool):
        raise InvalidMotion(f"direction {value!r}: {_DIRECTION_HELP}")
    if isinstance(value, int | float):
        return _degrees(float(value), value)
    text = value.strip().upper().replace("°", "").replace("DEG", "").strip()
    try:
        return _degrees(float(text), value)
    except ValueError:
        pass
    text = re.sub(r"[\s_-]+", "", text)
    text = re.sub(r"(BOUND|B)$", "", text) if text not in _POINTS else text
    for word, letter in _WORDS.items():
        text = text.replace(word, letter)
    if text in _POINTS:
        return _POINTS.index(text) * 22.5
    raise InvalidMotion(f"direction {value!r}: {_DIRECTION_HELP}")


_DIRECTION_HELP = (
    "use degrees 0-360 or a compass direction: north, NE, east, SE, south, SW, west, NW "
    "(also NNE ..., northeast, eastbound, EB)"
)


def _degrees(number: float, raw: object) -> float:
    if not (math.isfinite(number) and 0.0 <= number <= 360.0):
        raise InvalidMotion(f"direction {raw!r}: degrees must be 0 to 360")
    return number % 360.0
