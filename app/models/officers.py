"""Officers' duty and latest position, breadcrumbs, and the agency's beats."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index
from sqlmodel import Field, SQLModel

from app.db import BigId
from app.models.base import foreign_key, id_column, utc_column


class OfficerStatus(SQLModel, table=True):
    """One row per officer: duty and the latest position, overwritten in place."""

    __tablename__ = "officer_status"

    user_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("app_user.id"), primary_key=True)
    )
    on_duty: bool = False
    duty_changed_at: datetime | None = utc_column(nullable=True)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None
    recorded_at: datetime | None = utc_column(nullable=True, index=True)
    received_at: datetime | None = utc_column(nullable=True, index=True)
    assigned_beat: str | None = Field(default=None, index=True)


class OfficerLocation(SQLModel, table=True):
    """Breadcrumbs: past positions, kept only when enabled, with their own retention."""

    __tablename__ = "officer_location"
    __table_args__ = (Index("ix_officer_location_user_recorded", "user_id", "recorded_at"),)

    id: int | None = id_column()
    user_id: int = foreign_key("app_user.id", index=False)
    lat: float
    lon: float
    accuracy_m: float | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None
    recorded_at: datetime = utc_column()


class Beat(SQLModel, table=True):
    """A police beat (or district) polygon, shared by every process."""

    code: str = Field(primary_key=True)
    district: str | None = None
    area: str | None = Field(default=None, index=True)  # the police area it rolls up to
    geometry: dict[str, Any] = Field(sa_type=JSON)  # GeoJSON, lon/lat
    source: str | None = None
    created_at: datetime = utc_column()
