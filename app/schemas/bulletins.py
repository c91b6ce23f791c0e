"""API shapes of bulletins (BOLOs). Kept beside app/schemas/, which is past 400 lines.

Public field names are fixed (dispatch integrations depend on them): kind, narrative, priority,
occurred_at, expires_at, direction, vehicle, area, case_number.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.schemas.alerts import RecipientPublic
from app.schemas.common import (
    Input,
    Latitude,
    Longitude,
    LongPurpose,
    Moment,
    Patch,
    StateCode,
)
from geo import Point, areas, outlines
from geo.areas import MAX_RADIUS_M, MIN_RADIUS_M
from geo.directions import heading_of
from geo.errors import GeoError
from lpr import plates
from lpr.errors import LprError
from lpr.patterns import Pattern

BulletinKind = Literal[
    "robbery", "carjacking", "stolen_vehicle", "amber", "missing_person", "other"
]
Direction = Annotated[
    str | float | None,
    Field(
        default=None,
        description='Direction of travel: degrees from north (90) or words ("east", "NE", '
        '"eastbound", "EB")',
        examples=["east", "NE", 90],
    ),
]


class VehicleDescription(Input):
    """The vehicle as on a read (make, model, color, type, year), plus what witnesses give."""

    model_config = ConfigDict(extra="forbid")

    plate_pattern: Annotated[str, Field(max_length=40)] | None = Field(
        default=None,
        description="Full or partial plate: ? one unknown character, * any run (7AB*, 7K?4??)",
    )
    state: StateCode = None
    make: Annotated[str, Field(max_length=60)] | None = None
    model: Annotated[str, Field(max_length=60)] | None = None
    color: Annotated[str, Field(max_length=40)] | None = None
    type: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="Body type: sedan, SUV, pickup, motorcycle ..."
    )
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    year_min: Annotated[int, Field(ge=1900, le=2100)] | None = None
    year_max: Annotated[int, Field(ge=1900, le=2100)] | None = None
    marks: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="Damage, stickers, roof rack, paper plate, missing front plate"
    )

    @field_validator("plate_pattern")
    @classmethod
    def _pattern(cls, raw: str | None) -> str | None:
        if raw is None:
            return None
        key = plates.normalize_pattern(raw)
        if not key:
            raise ValueError(f"plate_pattern {raw!r} has no letters, digits, ? or *")
        try:
            Pattern(key)
        except LprError as error:
            raise ValueError(str(error)) from None
        return raw

    @model_validator(mode="after")
    def _years(self) -> "VehicleDescription":
        if self.year is not None:
            low = self.year_min if self.year_min is not None else self.year
            high = self.year_max if self.year_max is not None else self.year
            if not low <= self.year <= high:
                raise ValueError(f"year {self.year} is outside year_min..year_max")
        first, last = self.year_min, self.year_max
        if first is not None and last is not None and first > last:
            raise ValueError(f"year_min {first} is after year_max {last}")
        return self

    def is_empty(self) -> bool:
        return not any(
            value not in (None, "") for value in self.model_dump(exclude={"state"}).values()
        )


class Center(Input):
    model_config = ConfigDict(extra="forbid")

    lat: Latitude
    lon: Longitude


class AreaIn(Input):
    """One of: {"center": {"lat", "lon"}, "radius_m"}, {"polygon": <GeoJSON Polygon>},
    {"beats": ["04X", ...]}."""

    model_config = ConfigDict(extra="forbid")

    center: Center | None = None
    radius_m: float | None = Field(
        default=None, description=f"{MIN_RADIUS_M:g} to {MAX_RADIUS_M:g} metres"
    )
    polygon: dict[str, Any] | None = Field(
        default=None,
        description="GeoJSON Polygon, [lon, lat] positions, closed rings; one of more than "
        f"{areas.MAX_POLYGON_POSITIONS} positions in all (up to {outlines.MAX_DRAWN_POSITIONS:,}) "
        "is simplified to that many, moving its outline as little as it takes",
    )
    beats: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=100)] | None = (
        None
    )

    @model_validator(mode="after")
    def _one_shape(self) -> "AreaIn":
        given = [
            name
            for name, value in (
                ("center", self.center),
                ("polygon", self.polygon),
                ("beats", self.beats),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                'give exactly one of {"center": {"lat", "lon"}, "radius_m"}, {"polygon": ...}, '
                f'{{"beats": [...]}}; got {", ".join(given) or "none"}'
            )
        if self.center is not None and self.radius_m is None:
            raise ValueError("a center needs radius_m")
        if self.center is None and self.radius_m is not None:
            raise ValueError("radius_m goes with a center")
        try:  # beats are checked against the agency's beats by the service
            if self.center is not None and self.radius_m is not None:
                areas.circle(Point(self.center.lat, self.center.lon), self.radius_m)
            if self.polygon is not None:
                coarse, _ = outlines.simplified(self.polygon)
                self.polygon = dict(coarse)  # stored as simplified: what every read meets
                areas.polygon(self.polygon)
        except GeoError as error:
            raise ValueError(str(error)) from None
        return self

    def stored(self) -> dict[str, Any]:
        if self.center is not None:
            return {"center": self.center.model_dump(), "radius_m": self.radius_m}
        if self.polygon is not None:
            return {"polygon": self.polygon}
        return {"beats": list(self.beats or [])}


def _direction(value: str | float | None) -> str | float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        heading_of(value)
    except GeoError as error:
        raise ValueError(str(error)) from None
    return value


class BulletinCreate(Input):
    """A bulletin. Needs a vehicle description or a narrative, and an area. Defaults: priority
    and expiry by kind (robbery and carjacking 8 h, stolen vehicle 24 h, missing person 72 h,
    AMBER until cancelled), occurred_at now."""

    model_config = ConfigDict(extra="forbid")

    kind: BulletinKind
    narrative: Annotated[str, Field(max_length=4000)] | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = Field(
        default=None, description="1 most urgent ... 4 information only (not pushed)"
    )
    occurred_at: Moment | None = None
    expires_at: Moment | None = None
    direction: Direction = None
    vehicle: VehicleDescription | None = None
    area: AreaIn
    case_number: Annotated[str, Field(max_length=60)] | None = None

    _check_direction = field_validator("direction")(_direction)

    @model_validator(mode="after")
    def _something_to_look_for(self) -> "BulletinCreate":
        if (self.vehicle is None or self.vehicle.is_empty()) and not (
            self.narrative and self.narrative.strip()
        ):
            raise ValueError(
                "a bulletin needs a vehicle description (plate_pattern, make, model, color ...) "
                "or a narrative; both are empty"
            )
        if self.occurred_at and self.expires_at and self.expires_at <= self.occurred_at:
            raise ValueError(
                f"expires_at {self.expires_at.isoformat()} is not after occurred_at "
                f"{self.occurred_at.isoformat()}"
            )
        return self


class BulletinUpdate(Patch):
    """Only the fields sent change; in `vehicle` too (null clears a field). `reason` is for the
    audit log; `version`, when sent, must be the current one (409 otherwise)."""

    model_config = ConfigDict(extra="forbid")
    KEEPS_A_VALUE = frozenset({"kind", "priority", "occurred_at", "area"})

    kind: BulletinKind | None = None
    narrative: Annotated[str, Field(max_length=4000)] | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = None
    occurred_at: Moment | None = None
    expires_at: Moment | None = None
    direction: Direction = None
    vehicle: VehicleDescription | None = None
    area: AreaIn | None = None
    case_number: Annotated[str, Field(max_length=60)] | None = None
    reason: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="Why (audited), e.g. 'witness corrected the colour'"
    )
    version: int | None = None

    _check_direction = field_validator("direction")(_direction)


class BulletinCancel(Input):
    model_config = ConfigDict(extra="forbid")

    reason: LongPurpose = Field(
        description="Why, e.g. 'vehicle located'; shown on the phones and audited"
    )


class VehiclePublic(BaseModel):
    plate_pattern: str | None
    plate_key: str | None = Field(description="the pattern normalised: A-Z, 0-9, ? and *")
    state: str | None
    make: str | None
    model: str | None
    color: str | None
    type: str | None
    year: int | None
    year_min: int | None
    year_max: int | None
    marks: str | None


class WatchPublic(BaseModel):
    plate: bool = Field(description="reads are matched on the plate pattern")
    description: bool = Field(
        description="reads are matched on make and model (no plate given; both needed)"
    )


class BulletinPublic(BaseModel):
    id: int
    kind: str
    narrative: str | None
    priority: int
    status: str = Field(description="active, cancelled or expired")
    occurred_at: datetime
    expires_at: datetime | None = Field(description="null: until cancelled")
    expires_in_s: int | None = Field(description="countdown; null without expiry")
    direction: str | float | None = Field(description="as written")
    direction_deg: float | None
    vehicle: VehiclePublic
    area: dict[str, Any]
    area_text: str
    case_number: str | None
    alert_id: int | None
    watch: WatchPublic
    matches: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    cancel_reason: str | None
    cancelled_at: datetime | None


class BulletinsPublic(BaseModel):
    data: list[BulletinPublic]
    count: int


class TrailPointPublic(BaseModel):
    read_id: int
    read_at: datetime
    plate: str
    plate_key: str
    state: str | None
    camera_id: int
    camera: str
    lat: float | None
    lon: float | None
    heading_deg: float | None
    heading: str | None
    source: str = Field(description="retro (stored before) or live")
    score: float
    reasons: list[str]
    unknown: list[str] = Field(description="what could not be checked")
    warnings: list[str]
    seen: str


class TrailVehicle(BaseModel):
    """One car on the trail (reads grouped by plate), best candidate first."""

    plate_key: str
    plates: list[str]
    sightings: int
    first_seen_at: datetime
    last_seen_at: datetime
    best_score: float
    last_seen: str


class TrailPublic(BaseModel):
    bulletin_id: int
    count: int
    points: list[TrailPointPublic] = Field(description="oldest first")
    vehicles: list[TrailVehicle]


class DeliveryCounts(BaseModel):
    notified: int
    delivered: int = Field(description="officers with at least one push accepted by FCM")
    acknowledged: int
    pending: int = Field(description="officers with pushes still queued or being sent")
    failed: int = Field(description="officers none of whose pushes got through")


class BulletinView(BulletinPublic):
    """The dispatcher's view: the bulletin, who was told and what they did, what fits it."""

    counts: DeliveryCounts
    notified: list[RecipientPublic]
    hits: list[TrailPointPublic] = Field(description="matches, best first")
    trail: list[TrailPointPublic] = Field(description="the newest 50, oldest first")
    search_area: dict[str, Any] | None = Field(
        description="where the car may be now: GeoJSON of the area grown since the incident"
    )
