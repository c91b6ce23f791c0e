"""API shapes of officers on patrol: positions, duty and beats."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    model_validator,
)

from app.schemas.common import Heading, Input, Latitude, Located, Longitude, Moment, RowId


class LocationIn(Located):
    lat: Latitude
    lon: Longitude
    accuracy_m: Annotated[float, Field(ge=0, le=100_000)] | None = None
    heading: Heading | None = None
    speed: Annotated[float, Field(ge=0, le=150, description="metres per second")] | None = None
    recorded_at: Moment | None = None


class LocationAccepted(BaseModel):
    recorded_at: datetime
    applied: bool = Field(description="False when a newer fix was already stored")
    is_fresh: bool = Field(description="Recent enough to be alerted")


class UnitLocation(LocationIn):
    """One unit's fix from a vehicle-location gateway: the officer by id or badge."""

    user_id: RowId | None = None
    badge: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _who(self) -> Any:
        if (self.user_id is None) == (self.badge is None):
            raise ValueError("name the officer by user_id or by badge (one of them)")
        return self


class LocationBatch(Input):
    locations: Annotated[list[UnitLocation], Field(min_length=1, max_length=5000)]


class LocationBatchAccepted(BaseModel):
    accepted: int
    applied: int
    unknown: list[str]


class BeatAssignment(Input):
    beat: Annotated[str, Field(max_length=20)] | None = Field(
        description="Beat code, e.g. 04X; null to unassign"
    )


class DutyIn(Input):
    on_duty: bool


class OfficerStatusPublic(BaseModel):
    user_id: int
    name: str
    on_duty: bool
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    heading: float | None
    speed: float | None
    recorded_at: datetime | None
    is_fresh: bool
    active_devices: int
    assigned_beat: str | None = None
