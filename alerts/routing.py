"""Who is told about a hit: the first-cut policy over geo's nearest officers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from geo import Point, Position, nearest

PRIORITY_INFO = 4  # P4: information only, never pushed (DOMAIN.md 1)


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    radius_m: float = 5000.0
    max_officers: int = 5
    fresh_for: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Recipient:
    officer_id: int
    rank: int  # 1 = best placed
    distance_m: float
    bearing_deg: float  # from the officer towards the car


def choose_recipients(
    *,
    where: Point | None,
    priority: int,
    officers: Iterable[Position],
    policy: RoutingPolicy,
    now: datetime,
) -> list[Recipient]:
    """The officers to push a hit to, best placed first.

    Callers pass only on-duty officers with a working device. Nobody is chosen for a P4 hit or
    when the read has no position; the alert is still stored for dispatchers.
    """
    if where is None or priority >= PRIORITY_INFO:
        return []
    found = nearest(
        where,
        officers,
        now=now,
        radius_m=policy.radius_m,
        fresh_for=policy.fresh_for,
        limit=policy.max_officers,
    )
    return [
        Recipient(
            officer_id=n.officer_id, rank=i, distance_m=n.distance_m, bearing_deg=n.bearing_deg
        )
        for i, n in enumerate(found, start=1)
    ]
