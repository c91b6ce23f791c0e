"""A stored read as matching, alerts and bulletins take it, whether it was just written by the
ingest writer (a row) or found again in plate_read (the retro checks), and the car's previous
sighting that gives its direction and speed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, select
from sqlmodel import Session, col

from alerts import compose
from app.models import Read
from geo import Point, Sighting
from lpr import Candidate, candidates
from lpr import Read as ReadSeen

MOTION_LOOKBACK = timedelta(minutes=15)  # an earlier read this recent gives direction and speed

# What `StoredRead.of` needs of a plate_read row, for queries that select columns only.
COLUMNS = tuple(
    col(column)
    for column in (
        Read.id, Read.camera_id, Read.plate, Read.plate_key, Read.state, Read.read_at, Read.lat,
        Read.lon, Read.heading_deg, Read.confidence, Read.candidates, Read.vehicle_make,
        Read.vehicle_model, Read.vehicle_color, Read.vehicle_type, Read.vehicle_year, Read.beat,
        Read.details,
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class VehicleTrust:
    """How sure a camera must be of an attribute (0..1) before it is compared with a record
    (settings: vehicle_*_min_confidence)."""

    make: float = 0.5
    model: float = 0.5
    color: float = 0.5
    type: float = 0.5


@dataclass(frozen=True, slots=True)
class StoredRead:
    """`keys` are its OCR candidates as the matchers probe them (`lpr.candidates.ranked`)."""

    id: int
    camera_id: int
    plate: str
    plate_key: str
    keys: tuple[tuple[str, float | None], ...]
    state: str | None
    read_at: datetime
    lat: float | None
    lon: float | None
    heading_deg: float | None
    vehicle: compose.Vehicle
    beat: str | None = None
    # The camera's confidence (0..1) per vehicle attribute, when the vendor gives one.
    vehicle_confidence: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, read_id: int, row: Mapping[str, Any] | RowMapping) -> "StoredRead":
        """From the writer's row (app/reads/rows.py) or a plate_read row's mapping."""
        keys = row.get("keys")
        if keys is None:
            keys = ranked_keys(row["plate"], row.get("confidence"), row.get("candidates"))
        return cls(
            vehicle_confidence=dict((row.get("details") or {}).get("vehicle_confidence") or {}),
            id=read_id, camera_id=row["camera_id"], plate=row["plate"], plate_key=row["plate_key"],
            keys=tuple(keys), state=row.get("state"), read_at=row["read_at"], lat=row.get("lat"),
            lon=row.get("lon"), heading_deg=row.get("heading_deg"), beat=row.get("beat"),
            vehicle=compose.Vehicle(
                year=row.get("vehicle_year"), make=row.get("vehicle_make"),
                model=row.get("vehicle_model"), color=row.get("vehicle_color"),
                type=row.get("vehicle_type"),
            ),
        )  # fmt: skip

    @property
    def point(self) -> Point | None:
        return None if self.lat is None or self.lon is None else Point(self.lat, self.lon)

    def trusted_vehicle(self, trust: VehicleTrust) -> tuple[compose.Vehicle, tuple[str, ...]]:
        """What the camera classified with enough confidence, and the attributes it was unsure
        of (left out). An attribute without a confidence (our JSON API) is taken as read."""
        kept: dict[str, str | None] = {}
        unsure: list[str] = []
        for name in ("make", "model", "color", "type"):
            value, score = getattr(self.vehicle, name), self.vehicle_confidence.get(name)
            if value is not None and score is not None and score < getattr(trust, name):
                unsure.append(name)
                value = None
            kept[name] = value
        vehicle = compose.Vehicle(
            year=self.vehicle.year, make=kept["make"], model=kept["model"],
            color=kept["color"], type=kept["type"],
        )  # fmt: skip
        return vehicle, tuple(unsure)

    def sighting(self) -> Sighting | None:
        point = self.point
        return None if point is None else Sighting(point, self.read_at, self.heading_deg)


def ranked_keys(
    plate: str, confidence: float | None, guesses: list[dict[str, Any]] | None
) -> tuple[tuple[str, float | None], ...]:
    """The ranked candidates of a read as stored (its `candidates` JSON)."""
    seen = ReadSeen(
        plate=plate,
        confidence=confidence,
        candidates=tuple(
            Candidate(str(g.get("plate") or ""), g.get("confidence")) for g in guesses or ()
        ),
    )
    return candidates.ranked(seen)


def previous_sighting(session: Session, read: StoredRead) -> Sighting | None:
    """The latest earlier read of the same plate with a position, within MOTION_LOOKBACK."""
    row = session.execute(
        select(col(Read.lat), col(Read.lon), col(Read.read_at), col(Read.heading_deg))
        .where(
            col(Read.plate_key) == read.plate_key,
            col(Read.id) != read.id,
            col(Read.read_at) < read.read_at,
            col(Read.read_at) >= read.read_at - MOTION_LOOKBACK,
            col(Read.lat).is_not(None),
        )
        .order_by(col(Read.read_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Sighting(Point(row.lat, row.lon), row.read_at, heading_deg=row.heading_deg)
