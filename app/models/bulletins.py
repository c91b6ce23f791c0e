"""Dispatchers' bulletins (BOLOs) and the reads that fit them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class BulletinStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # shown for an active row past expires_at; never needs writing


class Bulletin(SQLModel, table=True):
    """A dispatcher's BOLO: a vehicle, an area and a time window (DOMAIN.md 4). Every change
    raises `version`, which is how each process's live watch notices it (app/bulletins/watch.py).
    Its one alert (`alert_id`, kind "bulletin") carries the pushes, recipients and trail."""

    id: int | None = id_column()
    kind: str
    narrative: str | None = None
    priority: int
    status: str = Field(default=BulletinStatus.ACTIVE, index=True)
    occurred_at: datetime = utc_column()
    expires_at: datetime | None = utc_column(nullable=True)  # None: until cancelled (AMBER)
    direction_deg: float | None = None  # direction of travel, degrees from true north
    direction_text: str | None = None  # as the dispatcher wrote it ("eastbound", "NE", "90")
    plate_pattern: str | None = None  # as written or pasted
    plate_key: str | None = None  # normalised pattern: [A-Z0-9?*]
    state: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None
    vehicle_year_min: int | None = None
    vehicle_year_max: int | None = None
    vehicle_marks: str | None = None
    area: dict[str, Any] = Field(sa_type=JSON)  # as posted: center + radius_m, polygon or beats
    case_number: str | None = None
    alert_id: int | None = foreign_key("alert.id", index=False, nullable=True)
    created_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    created_at: datetime = utc_column()
    updated_at: datetime = utc_column()
    version: int = 1
    cancel_reason: str | None = None
    cancelled_at: datetime | None = utc_column(nullable=True)
    cancelled_by: int | None = foreign_key("app_user.id", index=False, nullable=True)


class BulletinMatch(SQLModel, table=True):
    """A stored read that fits a bulletin: its trail, from the retro search and the live watch."""

    __tablename__ = "bulletin_match"
    __table_args__ = (UniqueConstraint("bulletin_id", "read_id"),)

    id: int | None = id_column()
    bulletin_id: int = foreign_key("bulletin.id", index=False)  # the unique constraint indexes it
    read_id: int = foreign_key("plate_read.id")
    read_at: datetime = utc_column()
    plate: str  # as read, for the trail
    plate_key: str
    source: str  # "retro" (found on posting or updating) or "live" (the watch)
    score: float  # 0..1: plate-pattern strength, description agreement, direction
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    warnings: list[str] = Field(default_factory=list, sa_type=JSON)
    matched_at: datetime = utc_column()
