"""Who is best placed to reach a car: ranking officers by estimated time to reach it.

The score of an officer is `eta_s`, seconds to reach the car's estimated position:

    eta_s = distance_m / max(floor_mps, response_mps + closing_mps)

- `distance_m`: great-circle distance from the officer's last fix to the car's estimated
  position now (`geo.motion.where_now`).
- `response_mps`: the speed an officer is assumed to cover ground at once told (default
  13.9 m/s, 50 km/h through city streets).
- `closing_mps`: how fast the two are already closing along the line between them: the
  officer's speed times the cosine of the angle between the officer's heading and the bearing
  to the car, plus the car's speed times the cosine of the angle between the car's heading and
  the bearing back to the officer. Driving toward the car adds, driving away subtracts, and a
  car coming down the road toward an officer makes that officer better placed. A speed counts
  only with a known heading and at least 1 m/s (a parked phone's heading is noise), and is
  capped at `max_speed_mps` (default 40 m/s), so one wild GPS fix cannot rank anyone first.
- `floor_mps` (default 5 m/s): someone driving straight away still gets there, after turning.

Officers rank by (eta_s, distance_m, officer_id), best first. With no heading or speed on
either side, eta_s is distance_m / response_mps and the order is plain nearest-first.
"""

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from geo.coords import Point, bearing_deg, distance_m
from geo.motion import MOVING_MPS, Motion
from geo.proximity import Nearby, Position


@dataclass(frozen=True, slots=True)
class Ranking:
    """The constants of the score above; see the module docstring."""

    response_mps: float = 13.9
    floor_mps: float = 5.0
    max_speed_mps: float = 40.0

    def __post_init__(self) -> None:
        if not (0.0 < self.floor_mps <= self.response_mps and self.max_speed_mps >= 0.0):
            raise ValueError("need 0 < floor_mps <= response_mps and max_speed_mps >= 0")

    def fastest_mps(self, motion: Motion | None) -> float:
        """An upper bound of `response_mps + closing_mps` for any officer and this car, computed
        in the same order as `score`, so `distance_m / fastest_mps` never exceeds an eta."""
        return (self.response_mps + self.max_speed_mps) + self.usable_speed(motion)

    def usable_speed(self, motion: Motion | None) -> float:
        """The speed that counts toward closing: 0 without a heading or below 1 m/s, else
        capped at `max_speed_mps`."""
        if motion is None:
            return 0.0
        return _usable(motion.heading_deg, motion.speed_mps, self.max_speed_mps)


DEFAULT = Ranking()


def score(
    position: Position, target: Point, motion: Motion | None, ranking: Ranking | None
) -> Nearby:
    """One officer's distance, bearing (officer → car) and, unless `ranking` is None, eta."""
    return score_at(position, target, motion, ranking, distance_m(position.point, target))


def score_at(
    position: Position, target: Point, motion: Motion | None, ranking: Ranking | None, d: float
) -> Nearby:
    """`score` with the distance already computed (the index measures it first to filter)."""
    to_car = bearing_deg(position.point, target)
    if ranking is None:
        return Nearby(position.officer_id, d, to_car)
    officer_part = 0.0
    officer_speed = _usable(position.heading_deg, position.speed_mps, ranking.max_speed_mps)
    if officer_speed > 0.0 and position.heading_deg is not None:
        officer_part = officer_speed * math.cos(math.radians(position.heading_deg - to_car))
    car_part = 0.0
    car_speed = ranking.usable_speed(motion)
    if car_speed > 0.0 and motion is not None and motion.heading_deg is not None:
        to_officer = bearing_deg(target, position.point)
        car_part = car_speed * math.cos(math.radians(motion.heading_deg - to_officer))
    speed = max(ranking.floor_mps, (ranking.response_mps + officer_part) + car_part)
    return Nearby(
        position.officer_id, d, to_car, eta_s=d / speed, closing_mps=officer_part + car_part
    )


def eta_floor(
    position: Position, d: float, motion: Motion | None, ranking: Ranking | None
) -> float:
    """A lower bound of `score_at(...).eta_s` (of `d` when unranked) without trigonometry:
    as if officer and car both drove straight at each other. Computed in `score_at`'s order,
    so the float result never exceeds the real eta."""
    if ranking is None:
        return d
    officer_speed = _usable(position.heading_deg, position.speed_mps, ranking.max_speed_mps)
    return d / ((ranking.response_mps + officer_speed) + ranking.usable_speed(motion))


def sort_key(n: Nearby) -> tuple[float, float, int]:
    """Best placed first: by eta (distance when unranked), then distance, then officer id."""
    return (n.distance_m if n.eta_s is None else n.eta_s, n.distance_m, n.officer_id)


def best_placed(
    target: Point,
    positions: Iterable[Position],
    *,
    now: datetime,
    radius_m: float,
    fresh_for: timedelta,
    limit: int,
    motion: Motion | None = None,
    ranking: Ranking | None = DEFAULT,
    exclude: Collection[int] = (),
) -> list[Nearby]:
    """The `limit` best-placed officers within `radius_m` of `target`, by scanning every
    position: the reference that `geo.index.OfficerIndex.nearest` must agree with.

    Skips fixes older than `fresh_for` before `now` and officers in `exclude`. `ranking=None`
    ranks by distance alone (then `eta_s` is None).
    """
    oldest = now - fresh_for
    found = []
    for position in positions:
        if position.recorded_at < oldest or position.officer_id in exclude:
            continue
        n = score(position, target, motion, ranking)
        if n.distance_m <= radius_m:
            found.append(n)
    found.sort(key=sort_key)
    return found[: max(0, limit)]


def _usable(heading_deg: float | None, speed_mps: float | None, cap_mps: float) -> float:
    if heading_deg is None or speed_mps is None:
        return 0.0
    if not (math.isfinite(heading_deg) and heading_deg >= 0.0 and math.isfinite(speed_mps)):
        return 0.0  # a negative heading is iOS's "course not valid"
    if speed_mps < MOVING_MPS:
        return 0.0
    return min(speed_mps, cap_mps)
