"""Hits, the alerts they raise, who each alert reached and every push (the outbox)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"  # accepted by FCM (not proof the phone showed it)
    FAILED = "failed"  # given up: token gone, rejected, or out of attempts


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class Hit(SQLModel, table=True):
    id: int | None = id_column()
    read_id: int = foreign_key("plate_read.id")
    entry_id: int = foreign_key("hotlist_entry.id")
    hotlist_id: int = foreign_key("hotlist.id", index=False)
    quality: str
    read_plate: str
    listed_plate: str
    state_note: str | None = None
    read_key: str | None = None  # the OCR candidate that matched, normalised
    explanation: str | None = None  # "read 7A8C123, entry 7ABC123: position 3 read 8, ..."
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    historical: bool = False  # found by re-checking stored reads against a new entry
    created_at: datetime = utc_column()


class Alert(SQLModel, table=True):
    """What people are told about one car (or bulletin). Later reads of the same car within the
    merge window update it (`sightings`, `last_seen_at`, the trail in `details`)."""

    __table_args__ = (Index("ix_alert_dedup_key_last_seen_at", "dedup_key", "last_seen_at"),)

    id: int | None = id_column()
    hit_id: int | None = foreign_key("hit.id", nullable=True)
    kind: str = "hotlist_hit"
    dedup_key: str | None = None  # e.g. "entry:42": reads of the same car merge into one alert
    hotlist_id: int | None = foreign_key("hotlist.id", nullable=True)
    is_covert: bool = False
    beat: str | None = None
    sightings: int = 1
    last_seen_at: datetime | None = utc_column(nullable=True)
    updated_at: datetime | None = utc_column(nullable=True)
    priority: int
    title: str
    body: str
    plate: str
    state: str | None = None
    lat: float | None = None
    lon: float | None = None
    read_at: datetime = utc_column()
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = AlertStatus.OPEN
    created_at: datetime = utc_column(index=True)
    acknowledged_at: datetime | None = utc_column(nullable=True)


class AlertRecipient(SQLModel, table=True):
    __tablename__ = "alert_recipient"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: int | None = id_column()
    alert_id: int = foreign_key("alert.id")
    user_id: int = foreign_key("app_user.id")
    rank: int
    distance_m: float | None = None
    eta_s: float | None = None
    reason: str = "nearest"  # or "beat": assigned to the beat where the car was read
    created_at: datetime = utc_column()
    last_pushed_at: datetime | None = utc_column(nullable=True)
    # The last push of a sighting (a read of the car): phones ring for one once per interval.
    last_sighting_pushed_at: datetime | None = utc_column(nullable=True)
    acknowledged_at: datetime | None = utc_column(nullable=True)


class Delivery(SQLModel, table=True):
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: int | None = id_column()
    alert_id: int = foreign_key("alert.id")
    recipient_id: int = foreign_key("alert_recipient.id")
    device_id: int = foreign_key("device.id")
    priority: int
    message: dict[str, Any] = Field(sa_type=JSON)
    status: str = DeliveryStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime = utc_column()
    lease_until: datetime | None = utc_column(nullable=True)
    claimed_by: str | None = None
    sent_at: datetime | None = utc_column(nullable=True)
    provider_id: str | None = None  # FCM message name
    last_error: str | None = None
    created_at: datetime = utc_column()
    updated_at: datetime = utc_column()
