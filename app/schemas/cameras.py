"""API shapes of cameras, the sites that post for several, and camera health."""

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from app.schemas.common import Heading, Located, Patch


class CameraCreate(Located):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    heading: Heading | None = None
    may_create_cameras: bool = Field(
        default=False,
        description="The key may post for vendor cameras not seen before (an LPR agent, an NVR, "
        "a webhook for many cameras); each is created unplaced on first sight",
    )


class CameraUpdate(Located, Patch):
    """Place, rename or switch a camera; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    KEEPS_A_VALUE = frozenset({"name", "may_create_cameras", "is_active"})

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    heading: Heading | None = None
    may_create_cameras: bool | None = None
    is_active: bool | None = None


class CameraHealth(BaseModel):
    last_read_at: datetime | None = Field(description="when its latest read arrived")
    last_heartbeat_at: datetime | None
    last_sighting_at: datetime | None = Field(description="a vehicle seen without a plate")
    reads_last_hour: int
    low_confidence_share: float | None = Field(
        description="share of last hour's reads (with a confidence) below camera_low_confidence"
    )
    streaming: bool | None = Field(description="as its last heartbeat said")
    silent: bool = Field(
        description="no read, heartbeat or sighting for camera_silent_after_s: a blind spot"
    )
    checked_hits_30d: int = Field(
        default=0,
        description="hot-list alerts raised by its reads and closed in the last 30 days as "
        "located, misread or wrong vehicle (the plate was checked)",
    )
    misread_rate: float | None = Field(
        default=None, description="the share of those closed as misread; null: none checked"
    )


class CameraSourcePublic(BaseModel):
    camera_ref: str
    label: str | None
    key_camera_id: int


class CameraPublic(BaseModel):
    id: int
    name: str
    lat: float | None
    lon: float | None
    heading: float | None
    key_hint: str | None = Field(description="None: no key of its own (found through a site key)")
    is_active: bool
    is_placed: bool = Field(description="false until it has a position")
    may_create_cameras: bool = False
    vendor_refs: list[CameraSourcePublic] = []
    health: CameraHealth | None = None


class CameraCreated(CameraPublic):
    api_key: str = Field(description="Shown once; only its hash is stored.")
