"""Where a car is going and where it is now: dead reckoning from its last read.

A `Sighting` is one read of a car (a camera's position and time, and the camera's heading and
speed when it reports them). `motion_of` turns the last read, and optionally the read before it,
into a `Motion`; `where_now` projects the last read forward to the car's estimated position;
`describe` says it in words for the alert.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from geo.coords import EARTH_RADIUS_M, Point, bearing_deg, compass, distance_m
from geo.errors import InvalidMotion

MOVING_MPS = 1.0  # below this a GPS or camera heading is noise: treat the car as stopped
MAX_PLAUSIBLE_MPS = 70.0  # 252 km/h: two reads implying more are a twin plate or a misread


@dataclass(frozen=True, slots=True)
class Motion:
    """Direction of travel (degrees clockwise from true north, 0 <= x < 360) and speed (m/s).

    Either may be unknown: a camera often knows which way the car drove but not how fast.
    """

    heading_deg: float | None = None
    speed_mps: float | None = None

    def __post_init__(self) -> None:
        h = self.heading_deg
        if h is not None and not (math.isfinite(h) and 0.0 <= h < 360.0):
            raise InvalidMotion(f"heading {h} is outside 0..360 degrees")
        s = self.speed_mps
        if s is not None and not (math.isfinite(s) and s >= 0.0):
            raise InvalidMotion(f"speed {s} m/s is negative or not a number")


@dataclass(frozen=True, slots=True)
class Sighting:
    """One read of a car: where, when (UTC), and the camera's heading and speed if it gave them.

    A negative heading or speed means "not measured" (iOS and several camera APIs send -1).
    """

    point: Point
    seen_at: datetime
    heading_deg: float | None = None
    speed_mps: float | None = None


def project(point: Point, heading_deg: float, speed_mps: float, seconds: float) -> Point:
    """Where something at `point` is after `seconds` at `speed_mps` along `heading_deg`.

    Follows the great circle (so the distance covered is speed × time, to float precision).
    Raises InvalidMotion for a negative or non-finite speed or duration, or a non-finite heading.
    """
    if not (math.isfinite(speed_mps) and speed_mps >= 0.0):
        raise InvalidMotion(f"speed {speed_mps} m/s is negative or not a number")
    if not (math.isfinite(seconds) and seconds >= 0.0):
        raise InvalidMotion(f"duration {seconds} s is negative or not a number")
    if not math.isfinite(heading_deg):
        raise InvalidMotion(f"heading {heading_deg} is not a number")
    delta = speed_mps * seconds / EARTH_RADIUS_M
    if delta == 0.0:
        return point  # exact identity, not a round trip through sin and asin
    phi1, lmb1, theta = math.radians(point.lat), math.radians(point.lon), math.radians(heading_deg)
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    lat = max(-90.0, min(90.0, math.degrees(phi2)))
    lon = (math.degrees(lmb2) + 540.0) % 360.0 - 180.0
    return Point(lat, lon)


def estimate(
    a: Sighting,
    b: Sighting,
    *,
    min_distance_m: float = 25.0,
    max_gap: timedelta = timedelta(minutes=15),
    max_speed_mps: float = MAX_PLAUSIBLE_MPS,
) -> Motion | None:
    """Direction and average speed from two reads of one plate, in either order.

    The heading is the direction of arrival at the later read (the final great-circle bearing).
    None when the reads are at the same moment, closer than `min_distance_m` (same camera or
    next door: no direction), further apart in time than `max_gap` (the car may have stopped or
    turned anywhere between), or imply more than `max_speed_mps` (a twin plate or a misread).
    """
    earlier, later = (a, b) if a.seen_at <= b.seen_at else (b, a)
    gap_s = (later.seen_at - earlier.seen_at).total_seconds()
    if gap_s <= 0.0 or gap_s > max_gap.total_seconds():
        return None
    d = distance_m(earlier.point, later.point)
    if d < min_distance_m:
        return None
    speed = d / gap_s
    if speed > max_speed_mps:
        return None
    heading = (bearing_deg(later.point, earlier.point) + 180.0) % 360.0
    return Motion(heading_deg=heading, speed_mps=speed)


def motion_of(latest: Sighting, previous: Sighting | None = None) -> Motion | None:
    """The car's motion at its latest read: the camera's own heading and speed where it gave
    them, each filled in from the two-read `estimate` where it did not. None if nothing is known.
    """
    heading = _known(latest.heading_deg)
    speed = _known(latest.speed_mps)
    if (heading is None or speed is None) and previous is not None:
        guess = estimate(previous, latest)
        if guess is not None:
            heading = guess.heading_deg if heading is None else heading
            speed = guess.speed_mps if speed is None else speed
    if heading is None and speed is None:
        return None
    return Motion(heading_deg=None if heading is None else heading % 360.0, speed_mps=speed)


def where_now(
    last: Sighting,
    motion: Motion | None,
    now: datetime,
    *,
    horizon: timedelta = timedelta(minutes=2),
) -> Point:
    """The car's estimated position at `now`: its last read, moved along its heading at its
    speed for the time since, but for no longer than `horizon` (a car keeps a heading for a
    minute or two, not for ten). The read itself when heading or speed is unknown.
    """
    if motion is None or motion.heading_deg is None or not motion.speed_mps:
        return last.point
    elapsed_s = (now - last.seen_at).total_seconds()
    seconds = max(0.0, min(elapsed_s, horizon.total_seconds()))
    return project(last.point, motion.heading_deg, motion.speed_mps, seconds)


def describe(motion: Motion | None, seen_ago_s: float) -> str:
    """E.g. "heading east, about 40 km/h, last seen 35 s ago" (speeds to the nearest 5 km/h)."""
    parts = []
    if motion is not None and motion.speed_mps is not None and motion.speed_mps < MOVING_MPS:
        parts.append("stopped")
    else:
        if motion is not None and motion.heading_deg is not None:
            parts.append(f"heading {compass(motion.heading_deg)}")
        if motion is not None and motion.speed_mps is not None:
            kmh = max(5, 5 * round(motion.speed_mps * 3.6 / 5))
            parts.append(f"about {kmh} km/h")
    parts.append(f"last seen {ago(seen_ago_s)}")
    return ", ".join(parts)


def ago(seconds: float) -> str:
    """ "just now", "35 s ago", "4 min ago", "2 h 5 min ago", "3 days ago", "5 weeks ago",
    "4 months ago", "3 years ago"; a negative age is "just now"."""
    s = round(seconds)
    if s < 5:
        return "just now"
    if s < 60:
        return f"{s} s ago"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h ago" if rest == 0 else f"{hours} h {rest} min ago"
    days = round(seconds / 86_400)
    for limit, length, unit in ((14, 1, "day"), (61, 7, "week"), (731, 30.44, "month")):
        if days < limit:
            return _count(round(days / length), unit)
    return _count(round(days / 365.25), "year")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'} ago"


def _known(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) and value >= 0.0 else None
