"""API shapes of evidence holds."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.common import Input, Moment, PlateText, RowId

CaseNumber = Annotated[str, Field(min_length=1, max_length=60, examples=["24-001234"])]
Reason = Annotated[str, Field(min_length=3, max_length=500)]


class HoldCreate(Input):
    """Exactly one of `plate`, `camera_id` (with `since` and `until`, either left open) or
    `alert_id`."""

    case_number: CaseNumber
    reason: Reason = Field(examples=["Homicide investigation: vehicle seen near the scene"])
    plate: PlateText | None = None
    camera_id: RowId | None = None
    since: Moment | None = None
    until: Moment | None = None
    alert_id: RowId | None = None


class HoldPublic(BaseModel):
    id: int
    kind: str  # plate, camera, alert
    case_number: str
    reason: str
    plate: str | None
    plate_key: str | None
    camera_id: int | None
    since: datetime | None
    until: datetime | None
    alert_id: int | None
    created_by: int | None
    created_at: datetime
    is_active: bool
    released_at: datetime | None
    released_by: int | None
    release_reason: str | None


class HoldsPublic(BaseModel):
    data: list[HoldPublic]
    count: int
