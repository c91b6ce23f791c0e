"""Which officers are near a point: the first-cut routing question."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from geo.coords import Point, bearing_deg, distance_m


@dataclass(frozen=True, slots=True)
class Position:
    """An officer's last reported position; `recorded_at` is when the phone took the fix (UTC)."""

    officer_id: int
    point: Point
    recorded_at: datetime
    heading_deg: float | None = None  # direction of travel; negative = not measured (iOS: -1)
    speed_mps: float | None = None  # negative = not measured


@dataclass(frozen=True, slots=True)
class Nearby:
    """An officer near a point. `eta_s` and `closing_mps` are set when ranked by
    `geo.ranking` (seconds to reach the point; how fast officer and car already close)."""

    officer_id: int
    distance_m: float
    bearing_deg: float  # from the officer to the point
    eta_s: float | None = None
    closing_mps: float | None = None


def nearest(
    point: Point,
    positions: Iterable[Position],
    *,
    now: datetime,
    radius_m: float,
    fresh_for: timedelta,
    limit: int,
) -> list[Nearby]:
    """Officers whose fix is no older than `fresh_for` and within `radius_m` of `point`.

    Nearest first (ties by officer id), at most `limit`. A fix stamped in the future counts as
    fresh: phone clocks drift, and the server's receive time bounds it anyway.
    """
    oldest = now - fresh_for
    found = []
    for position in positions:
        if position.recorded_at < oldest:
            continue
        d = distance_m(position.point, point)
        if d <= radius_m:
            found.append(Nearby(position.officer_id, d, bearing_deg(position.point, point)))
    found.sort(key=lambda n: (n.distance_m, n.officer_id))
    return found[: max(0, limit)]
