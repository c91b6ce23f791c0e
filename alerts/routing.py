"""Who is told about a hit: the routing policy per priority, over geo's ranking of officers.

`route` is the policy (DOMAIN.md 1, 3.6, 5.4):

- Covert lists never reach patrol phones: no recipients, no dispatch; the list's owners only.
- P4 (information) is pushed to nobody; the alert waits in the app's list.
- P1–P3 go to the best-placed on-duty officers around the car's estimated position now (its
  last read projected along its heading and speed; `geo.ranking` explains the order). The
  first radius of the priority's tier is searched first; while fewer than `min_officers` are
  found, the next, wider radius is tried. At most `max_officers` are chosen.
- The officers assigned to the beat where the car was read are always added (after the
  nearest, not counted against `max_officers`), with or without a fresh fix.
- Dispatchers are told of every P1–P3 hit (`notify_dispatch`); who they are is the app's job.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from geo import Motion, OfficerIndex, Point, Position, Sighting
from geo.motion import motion_of, where_now
from geo.proximity import Nearby
from geo.ranking import DEFAULT, Ranking, best_placed, score

PRIORITY_INFO = 4  # P4: information only, never pushed (DOMAIN.md 1)


class Reason(StrEnum):
    NEAREST = "nearest"  # among the best placed around the car
    BEAT = "beat"  # assigned to the beat where the car was read


@dataclass(frozen=True, slots=True)
class Recipient:
    """An officer to push to. Distance, bearing (officer → car) and eta are None only for a
    beat officer without a fresh fix."""

    officer_id: int
    rank: int  # 1 = best placed
    distance_m: float | None
    bearing_deg: float | None  # from the officer towards the car
    eta_s: float | None = None
    reason: Reason = Reason.NEAREST


@dataclass(frozen=True, slots=True)
class Tier:
    """How one priority is routed. `radii_m` are tried in order, widest last."""

    radii_m: tuple[float, ...]
    max_officers: int
    min_officers: int = 1  # widen while fewer than this many are found
    push: bool = True
    include_beat: bool = True
    notify_dispatch: bool = True

    def __post_init__(self) -> None:
        if any(r <= 0 for r in self.radii_m) or list(self.radii_m) != sorted(self.radii_m):
            raise ValueError(f"radii must be positive and widening, got {self.radii_m}")
        if self.push and not (self.radii_m and 1 <= self.min_officers <= self.max_officers):
            raise ValueError("a pushed tier needs a radius and 1 <= min_officers <= max_officers")


@dataclass(frozen=True, slots=True)
class PriorityRouting:
    """The routing policy for every priority (Lookout defaults; agencies override them)."""

    # P1 critical: a felony stop needs a second unit, so widen until two are found.
    p1: Tier = Tier(radii_m=(2000.0, 5000.0, 10000.0), max_officers=5, min_officers=2)
    p2: Tier = Tier(radii_m=(2000.0, 5000.0), max_officers=3)
    # P3 notice: the nearest few or the dispatcher's queue; no widening (DOMAIN.md 1).
    p3: Tier = Tier(radii_m=(2000.0,), max_officers=2)
    p4: Tier = Tier(
        radii_m=(), max_officers=0, push=False, include_beat=False, notify_dispatch=False
    )
    fresh_for: timedelta = timedelta(minutes=5)  # older officer fixes are ignored
    horizon: timedelta = timedelta(minutes=2)  # project the car along its heading this far
    ranking: Ranking | None = DEFAULT  # None: nearest first, ignore headings

    def tier(self, priority: int) -> Tier:
        """The tier of a priority; below 1 counts as P1, above 4 as P4."""
        return (self.p1, self.p2, self.p3, self.p4)[min(max(priority, 1), 4) - 1]


@dataclass(frozen=True, slots=True)
class Routing:
    """What `route` decided: the officers to push to, best placed first, and who else is told.

    `radius_m` is the radius of the last search and `widened` how many steps past the first
    it went (None and 0 when nobody was searched for). `car_at` is the car's estimated position
    now, which distances and bearings are measured to; `motion` is what was known of its way.
    """

    recipients: tuple[Recipient, ...]
    push: bool
    notify_dispatch: bool
    notify_owners: bool = False  # covert: only the list's owners and investigators
    radius_m: float | None = None
    widened: int = 0
    car_at: Point | None = None
    motion: Motion | None = None


def route(
    *,
    read: Sighting | None,
    priority: int,
    officers: Iterable[Position] | OfficerIndex,
    config: PriorityRouting,
    now: datetime,
    previous: Sighting | None = None,
    beat_officers: Collection[int] = (),
    covert: bool = False,
    exclude: Collection[int] = (),
) -> Routing:
    """Route one hit (see the module docstring).

    `read` is the car's latest read (None if it has no position), `previous` an earlier read of
    the same plate used to estimate direction and speed when the camera gave none. `officers`
    are the on-duty officers with a working device: an index, or positions to scan.
    `beat_officers` are those assigned to the beat where the car was read. `exclude` are
    officers already told (escalation asks for the next ring this way).
    """
    if covert:
        return Routing(recipients=(), push=False, notify_dispatch=False, notify_owners=True)
    tier = config.tier(priority)
    if not tier.push:
        return Routing(recipients=(), push=False, notify_dispatch=tier.notify_dispatch)
    motion = None if read is None else motion_of(read, previous)
    car_at = None if read is None else where_now(read, motion, now, horizon=config.horizon)
    finder = officers if isinstance(officers, OfficerIndex) else _Scan(officers)
    found: list[Nearby] = []
    radius_m: float | None = None
    widened = 0
    if car_at is not None:
        for step, radius in enumerate(tier.radii_m):
            radius_m, widened = radius, step
            found = finder.nearest(
                car_at,
                now=now,
                radius_m=radius,
                fresh_for=config.fresh_for,
                limit=tier.max_officers,
                motion=motion,
                ranking=config.ranking,
                exclude=exclude,
            )
            if len(found) >= tier.min_officers:
                break
    recipients = [
        Recipient(n.officer_id, rank, n.distance_m, n.bearing_deg, n.eta_s)
        for rank, n in enumerate(found, start=1)
    ]
    if tier.include_beat:
        chosen = {r.officer_id for r in recipients} | set(exclude)
        for officer_id in sorted(set(beat_officers) - chosen):
            recipients.append(
                _beat_recipient(
                    finder, officer_id, len(recipients) + 1, car_at, motion, config, now
                )
            )
    return Routing(
        recipients=tuple(recipients),
        push=True,
        notify_dispatch=tier.notify_dispatch,
        radius_m=radius_m,
        widened=widened,
        car_at=car_at,
        motion=motion,
    )


class _Scan:
    """Positions to scan, answering like an OfficerIndex (routing may search several radii)."""

    def __init__(self, positions: Iterable[Position]) -> None:
        self._positions = {p.officer_id: p for p in positions}

    def get(self, officer_id: int) -> Position | None:
        return self._positions.get(officer_id)

    def nearest(
        self,
        point: Point,
        *,
        now: datetime,
        radius_m: float,
        fresh_for: timedelta,
        limit: int,
        motion: Motion | None,
        ranking: Ranking | None,
        exclude: Collection[int],
    ) -> list[Nearby]:
        return best_placed(
            point,
            self._positions.values(),
            now=now,
            radius_m=radius_m,
            fresh_for=fresh_for,
            limit=limit,
            motion=motion,
            ranking=ranking,
            exclude=exclude,
        )


def _beat_recipient(
    finder: OfficerIndex | _Scan,
    officer_id: int,
    rank: int,
    car_at: Point | None,
    motion: Motion | None,
    config: PriorityRouting,
    now: datetime,
) -> Recipient:
    position = finder.get(officer_id)
    if car_at is None or position is None or position.recorded_at < now - config.fresh_for:
        return Recipient(officer_id, rank, None, None, reason=Reason.BEAT)
    n = score(position, car_at, motion, config.ranking)
    return Recipient(officer_id, rank, n.distance_m, n.bearing_deg, n.eta_s, Reason.BEAT)
