"""When a read fits a bulletin: the rules the live watch and the retro search share.

A read fits an active bulletin when all of these hold:

1. **Time**: it was taken between `occurred_at - retro margin` and the bulletin's expiry.
2. **Place**: it has a position inside the bulletin's area grown to the read's time
   (`geo.areas`: speed × time since the incident, elongated along the direction of travel).
3. **Plate**: with a plate pattern, the first of the read's OCR candidates (best first) that
   the pattern matches (`lpr.patterns`: `?` one character, `*` any run). Without a pattern the
   description must carry it: the bulletin names a make and a model, the camera reported both
   and they agree, and nothing else it reported contradicts the bulletin (make and colour alone,
   "a silver Honda", would fit thousands of cars in a city).
4. **State**: a state read that differs from the bulletin's is not the car.
5. **Description**: make, model, colour, year and a motorcycle/trailer type are compared
   (`alerts.vehicles`; silver and grey are close, not different). A partial plate on a car of
   another make or model is not the car. A different colour or year, or anything different on a
   full-plate match, still fits (cameras misjudge colour, plates move between cars) but carries
   the DESCRIPTION MISMATCH warning and a lower score.

The score (0..1) ranks candidates: plate-pattern strength (known characters over plate length,
a full plate counting most), description agreement, and whether the read's heading agrees with
the direction of travel.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping

from alerts import compose, vehicles
from alerts.vehicles import Agreement
from app.models import Bulletin, BulletinStatus
from app.reads.stored import StoredRead, VehicleTrust, ranked_keys
from geo import Point, compass
from geo.areas import Area, Growth, Reach, beats, circle, polygon
from geo.errors import InvalidArea
from geo.zones import BeatMap
from lpr.patterns import Pattern, Unknown


@dataclass(frozen=True, slots=True)
class Rules:
    """Matching parameters (settings: bulletin_*)."""

    growth: Growth = field(default_factory=Growth)
    retro_margin: timedelta = timedelta(minutes=30)  # reads this long before the incident count
    trust: VehicleTrust = field(default_factory=VehicleTrust)  # camera guesses worth comparing


@dataclass(frozen=True, slots=True)
class Watched:
    """An active bulletin compiled for matching: pattern and area built once."""

    id: int
    version: int
    priority: int
    kind: str
    status: str
    occurred_at: datetime
    expires_at: datetime | None
    area: Area
    heading_deg: float | None
    pattern: Pattern | None
    state: str | None
    vehicle: compose.Vehicle  # year: the first model year
    year_max: int | None
    case_number: str | None
    make_key: str | None = field(init=False)
    model_key: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "make_key", vehicles.make_key(self.vehicle.make))
        object.__setattr__(self, "model_key", vehicles.model_key(self.vehicle.model))

    @property
    def watches_plate(self) -> bool:
        return self.pattern is not None

    @property
    def watches_description(self) -> bool:
        """Matched on the description alone: no plate, but a make and a model to look for."""
        return self.pattern is None and self.make_key is not None and self.model_key is not None

    def is_live(self, now: datetime) -> bool:
        return self.status == BulletinStatus.ACTIVE and (
            self.expires_at is None or self.expires_at > now
        )

    def reach(self, at: datetime, growth: Growth) -> Reach:
        """Where the car may be at `at` (the area itself before the incident)."""
        elapsed = (at - self.occurred_at).total_seconds()
        return self.area.grown(elapsed, self.heading_deg, growth)

    def in_window(self, read_at: datetime, rules: Rules) -> bool:
        if read_at < self.occurred_at - rules.retro_margin:
            return False
        return self.expires_at is None or read_at <= self.expires_at


@dataclass(frozen=True, slots=True)
class Fit:
    """Why a read fits a bulletin. `reasons` are dicts {part, result, text}; `key` is the OCR
    candidate that matched the pattern (the read's own plate without a pattern)."""

    bulletin_id: int
    read_id: int
    key: str
    score: float
    reasons: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(r["text"] for r in self.reasons if r["result"] not in ("unknown",))

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(r["text"] for r in self.reasons if r["result"] == "unknown")


def compile_row(row: Bulletin, beat_map: BeatMap | None) -> Watched:
    """A bulletin row as matching needs it. Raises geo.InvalidArea for beats this process
    does not know, lpr.InvalidPattern for a pattern it cannot take."""
    assert row.id is not None
    return Watched(
        id=row.id, version=row.version, priority=row.priority, kind=row.kind, status=row.status,
        occurred_at=row.occurred_at, expires_at=row.expires_at,
        area=area_of(row.area, beat_map), heading_deg=row.direction_deg,
        pattern=Pattern(row.plate_key) if row.plate_key else None, state=row.state,
        vehicle=compose.Vehicle(
            year=row.vehicle_year_min, make=row.vehicle_make, model=row.vehicle_model,
            color=row.vehicle_color, type=row.vehicle_type,
        ),
        year_max=row.vehicle_year_max, case_number=row.case_number,
    )  # fmt: skip


def area_of(raw: Mapping[str, Any], beat_map: BeatMap | None) -> Area:
    """The geo Area of a stored or posted area: center + radius_m, polygon or beats."""
    if "beats" in raw:
        if beat_map is None:
            raise InvalidArea("this process has no beats loaded; use a circle or polygon")
        return beats(beat_map, raw["beats"])
    if "polygon" in raw:
        return polygon(raw["polygon"])
    center = raw["center"]
    return circle(Point(float(center["lat"]), float(center["lon"])), float(raw["radius_m"]))


def may_fit(watched: Watched, row: Mapping[str, Any] | RowMapping) -> bool:
    """Whether a stored read could fit `watched`, from its plate, OCR candidates, make and
    model alone (a plate_read row's `plate`, `plate_key`, `confidence`, `candidates`,
    `vehicle_make`, `vehicle_model`): no read `fit` accepts is refused here."""
    if watched.pattern is not None:
        if row["candidates"] is None:
            return watched.pattern.match(row["plate_key"]) is not None
        keys = ranked_keys(row["plate"], row["confidence"], row["candidates"])
        return any(watched.pattern.match(key) is not None for key, _ in keys)
    if not watched.watches_description:
        return False
    # The camera's make and model as sent; `fit` may set one aside as unsure, never add one.
    return (
        vehicles.compare_make(watched.vehicle.make, row["vehicle_make"]) is Agreement.SAME
        and vehicles.compare_model(watched.vehicle.model, row["vehicle_model"]) is Agreement.SAME
    )


def fit(watched: Watched, read: StoredRead, rules: Rules) -> Fit | None:
    """Whether and why `read` fits `watched` (the module docstring), or None."""
    point = read.point
    if point is None or not watched.in_window(read.read_at, rules):
        return None
    reasons: list[dict[str, Any]] = []
    score = 0.0
    key = read.keys[0][0]
    if watched.pattern is not None:
        plate = _plate(watched.pattern, read)
        if plate is None:
            return None
        key, strength, reason = plate
        reasons.append(reason)
        score += 0.6 * strength
    elif not watched.watches_description:
        return None
    if watched.state and read.state and watched.state != read.state:
        return None
    camera, unsure = read.trusted_vehicle(rules.trust)
    checks = vehicles.compare(
        record_make=watched.vehicle.make, record_model=watched.vehicle.model,
        record_color=watched.vehicle.color, record_year_min=watched.vehicle.year,
        record_year_max=watched.year_max, camera_make=camera.make,
        camera_model=camera.model, camera_color=camera.color,
        camera_year=camera.year, record_type=watched.vehicle.type,
        camera_type=camera.type,
    )  # fmt: skip
    by_field = {check.field: check.agreement for check in checks}
    identity = (by_field["make"], by_field["model"])
    full_plate = (
        watched.pattern is not None
        and watched.pattern.is_fixed_length
        and ("?" not in watched.pattern.text)
    )
    if watched.pattern is None:
        if identity != (Agreement.SAME, Agreement.SAME) or Agreement.DIFFERENT in by_field.values():
            return None
        score += 0.3
    elif Agreement.DIFFERENT in identity and not full_plate:
        return None  # a partial plate on a car of another make or model
    for check in checks:
        if check.record is None and check.agreement is Agreement.UNKNOWN:
            continue  # the bulletin does not say: nothing to report
        score += {"same": 0.1, "close": 0.05, "different": -0.15}.get(check.agreement, 0.0)
        reasons.append({"part": check.field, "result": check.agreement.value, "text": check.text})
    if watched.state:
        said = "matches" if read.state else f"not read — bulletin says {watched.state}"
        result = "same" if read.state else "unknown"
        state_text = f"state {read.state} {said}" if read.state else f"state {said}"
        reasons.append({"part": "state", "result": result, "text": state_text})
    reach = watched.reach(read.read_at, rules.growth)
    if not reach.contains(point):
        return None
    inside = watched.area.contains(point)
    reasons.append(
        {
            "part": "area",
            "result": "same",
            "text": "inside the search area"
            if inside
            else "inside the area grown since the incident (driving time)",
        }
    )
    if watched.heading_deg is not None and read.heading_deg is not None:
        turn = abs((read.heading_deg - watched.heading_deg + 180.0) % 360.0 - 180.0)
        if turn <= 45.0:
            score += 0.1
            reasons.append(
                {
                    "part": "direction",
                    "result": "same",
                    "text": f"heading {compass(read.heading_deg)}, as reported",
                }
            )
        elif turn >= 135.0:
            score -= 0.05
            reasons.append(
                {
                    "part": "direction",
                    "result": "different",
                    "text": f"heading {compass(read.heading_deg)}, "
                    f"reported {compass(watched.heading_deg)}",
                }
            )
    warnings = []
    mismatch = compose.description_warning(
        watched.vehicle, camera, year_max=watched.year_max, unsure=unsure
    )
    if mismatch:
        warnings.append(mismatch)
    if watched.state and not read.state:
        warnings.append(f"State not read — bulletin says {watched.state}")
    return Fit(
        bulletin_id=watched.id,
        read_id=read.id,
        key=key,
        score=round(max(0.0, min(1.0, score)), 3),
        reasons=tuple(reasons),
        warnings=tuple(warnings),
    )


def _plate(pattern: Pattern, read: StoredRead) -> tuple[str, float, dict[str, Any]] | None:
    """The first candidate the pattern matches: (its key, pattern strength 0..1, reason)."""
    for rank, (key, confidence) in enumerate(read.keys, start=1):
        unknown = pattern.match(key)
        if unknown is None:
            continue
        known = sum(ch.isalnum() for ch in pattern.text)
        strength = 1.0 if not unknown else known / max(len(key), 1)
        if unknown:
            text = f"plate {key} fits {pattern.text}: " + "; ".join(_unknown_text(unknown))
        else:
            text = f"plate {key} is {pattern.text}"
        if rank > 1:
            text += f" (OCR candidate {rank} of {len(read.keys)}"
            text += f", confidence {confidence:.0%})" if confidence is not None else ")"
        reason = {
            "part": "plate",
            "result": "same",
            "text": text,
            "pattern": pattern.text,
            "candidate_rank": rank,
            "unknown_positions": [[position + 1, chars] for position, chars, _ in unknown],
        }
        return key, strength * (1.0 if rank == 1 else 0.8), reason
    return None


def _unknown_text(unknown: Sequence[Unknown]) -> Iterable[str]:
    for position, chars, _ in unknown:
        if len(chars) == 1:
            yield f"position {position + 1} unknown (read {chars})"
        else:
            yield f"positions {position + 1}-{position + len(chars)} unknown (read {chars})"
