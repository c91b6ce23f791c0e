"""Evidence holds: records kept past their retention while a case needs them."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.db import BigId
from app.models.base import foreign_key, id_column, utc_column


class EvidenceHold(SQLModel, table=True):
    """One hold, by plate (`plate_key`), by camera and time range (`camera_id`, `since`,
    `until`, half-open) or by alert (`alert_id`); `kind` says which. Active until released."""

    __tablename__ = "evidence_hold"
    __table_args__ = (Index("ix_evidence_hold_released_at_kind", "released_at", "kind"),)

    id: int | None = id_column()
    kind: str  # plate, camera, alert
    case_number: str
    reason: str
    plate: str | None = None  # as written by whoever placed it
    plate_key: str | None = Field(default=None, index=True)
    camera_id: int | None = foreign_key("camera.id", index=False, nullable=True)
    since: datetime | None = utc_column(nullable=True)
    until: datetime | None = utc_column(nullable=True)
    # No foreign key: an alert outlives its hold's release only until its own retention.
    alert_id: int | None = Field(default=None, sa_type=BigId)
    created_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    created_at: datetime = utc_column()
    released_at: datetime | None = utc_column(nullable=True)
    released_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    release_reason: str | None = None
