"""API shapes of vendor intake answers."""

from pydantic import (
    BaseModel,
    Field,
)


class IntakeAccepted(BaseModel):
    """What a vendor message led to. `ignored` says why nothing was stored, when nothing was.
    Nothing about matches: cameras never learn whether a plate is listed."""

    stored: int
    read_ids: list[int]
    duplicates: int = Field(description="reads already stored (a retry, or a frame of a group)")
    duplicate_of: list[int] = Field(description="the stored reads the duplicates repeat")
    ignored: str | None
    kind: str = Field(description="the vendor's message type, e.g. alpr_group, heartbeat")
    notes: list[str] = Field(description="what was skipped, dropped or doubted")
    camera_ids: list[int] = Field(description="the Lookout cameras the message concerned")
    sightings: int = Field(description="vehicles seen without a readable plate (not stored)")
