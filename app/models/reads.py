"""Stored plate reads and the vendor ids that make retries idempotent."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from app.db import BigId
from app.models.base import foreign_key, id_column, utc_column


class Read(SQLModel, table=True):
    __tablename__ = "plate_read"
    __table_args__ = (
        Index("ix_plate_read_plate_key_read_at", "plate_key", "read_at"),
        Index("ix_plate_read_plate_fold_read_at", "plate_fold", "read_at"),
        # Serves the camera foreign key and camera health (last read, reads in the last hour)
        # for the cost of the single-column index it replaced.
        Index("ix_plate_read_camera_id_received_at", "camera_id", "received_at"),
    )

    id: int | None = id_column()
    camera_id: int = foreign_key("camera.id", index=False)
    plate: str
    plate_key: str
    plate_fold: str | None = None  # look-alike classes folded: finds misreads of a new entry
    plate_removed: str | None = None  # symbols dropped by normalisation, flagged for review
    state: str | None = None
    read_at: datetime = utc_column(index=True)
    received_at: datetime = utc_column()
    lat: float | None = None
    lon: float | None = None
    heading_deg: float | None = None
    confidence: float | None = None
    candidates: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None
    vehicle_year: int | None = None
    image_url: str | None = None  # an http(s) URL, or `store:<path>` for an image Lookout keeps
    beat: str | None = None
    # Vendor intake: vendor, message kind, camera ref, event id, normalisation notes, vehicle
    # attribute confidences. None for reads posted to /v1/reads.
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class ReadSourceKey(SQLModel, table=True):
    """A vendor id of a stored read (event uuid, frame id), unique per camera: a retry, or the
    per-frame message of a vehicle already stored, claims nothing and stores nothing."""

    __tablename__ = "read_source_key"

    camera_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, ForeignKey("camera.id"), primary_key=True, autoincrement=False),
    )
    key: str = Field(primary_key=True)
    read_id: int | None = foreign_key(
        "plate_read.id", nullable=True
    )  # set in the claiming transaction
