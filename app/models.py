"""Database tables (SQLModel, table=True). API shapes live in app/schemas.py."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.db import BigId, UtcDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    GATEWAY = "gateway"  # a vehicle-location gateway posting many units' positions


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"  # accepted by FCM (not proof the phone showed it)
    FAILED = "failed"  # given up: token gone, rejected, or out of attempts


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


def _id() -> Any:
    return Field(default=None, sa_type=BigId, primary_key=True)


def _fk(target: str, *, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(BigId, ForeignKey(target), index=index, nullable=nullable),
    )


def _at(*, index: bool = False, nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, index=index, nullable=nullable)


class Camera(SQLModel, table=True):
    """A camera, or a site whose key posts for several (an LPR agent, an NVR, a webhook).

    A camera created on first sight under a site's key has no key of its own: `key_hash` holds
    `NO_KEY_PREFIX` and a random suffix, which no HMAC digest can equal. (SQLite cannot make the
    column nullable without rebuilding a table that plate_read references.)
    """

    id: int | None = _id()
    name: str = Field(index=True)
    lat: float | None = None
    lon: float | None = None
    heading_deg: float | None = None
    key_hash: str = Field(unique=True)
    key_hint: str  # the key's first characters, so an admin can tell keys apart
    is_active: bool = True
    created_at: datetime = _at()
    # Its key may post for vendor cameras Lookout has not seen yet, creating them unplaced.
    may_create_cameras: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    last_heartbeat_at: datetime | None = _at(nullable=True)
    last_sighting_at: datetime | None = _at(nullable=True)  # a vehicle seen without a plate
    is_streaming: bool | None = None  # as the last heartbeat said; None: never told


NO_KEY_PREFIX = "nokey:"


class CameraSource(SQLModel, table=True):
    """A vendor's camera identifier (`lpr.Read.camera_ref`), as sent with one key, and the
    Lookout camera its reads are stored under. Scoped by key: two agencies may both have a
    Frigate camera called "driveway"."""

    __tablename__ = "camera_source"
    __table_args__ = (UniqueConstraint("key_camera_id", "camera_ref"),)

    id: int | None = _id()
    key_camera_id: int = _fk("camera.id", index=False)  # the unique constraint indexes it
    camera_ref: str
    camera_id: int = _fk("camera.id")
    label: str | None = None  # the vendor's own name for the camera, when it sends one
    created_at: datetime = _at()


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = _id()
    name: str = Field(index=True)
    role: str
    badge: str | None = None
    token_hash: str = Field(unique=True)
    token_hint: str
    is_active: bool = True
    created_at: datetime = _at()


class Device(SQLModel, table=True):
    id: int | None = _id()
    user_id: int = _fk("app_user.id")
    token: str = Field(unique=True)
    platform: str
    is_active: bool = True
    created_at: datetime = _at()
    last_seen_at: datetime = _at()
    retired_at: datetime | None = _at(nullable=True)
    retired_reason: str | None = None


class OfficerStatus(SQLModel, table=True):
    """One row per officer: duty and the latest position, overwritten in place."""

    __tablename__ = "officer_status"

    user_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("app_user.id"), primary_key=True)
    )
    on_duty: bool = False
    duty_changed_at: datetime | None = _at(nullable=True)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None
    recorded_at: datetime | None = _at(nullable=True, index=True)
    received_at: datetime | None = _at(nullable=True, index=True)
    assigned_beat: str | None = Field(default=None, index=True)


class OfficerLocation(SQLModel, table=True):
    """Breadcrumbs: past positions, kept only when enabled, with their own retention."""

    __tablename__ = "officer_location"
    __table_args__ = (Index("ix_officer_location_user_recorded", "user_id", "recorded_at"),)

    id: int | None = _id()
    user_id: int = _fk("app_user.id", index=False)
    lat: float
    lon: float
    accuracy_m: float | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None
    recorded_at: datetime = _at()


class Beat(SQLModel, table=True):
    """A police beat (or district) polygon, shared by every process."""

    code: str = Field(primary_key=True)
    district: str | None = None
    geometry: dict[str, Any] = Field(sa_type=JSON)  # GeoJSON, lon/lat
    source: str | None = None
    created_at: datetime = _at()


class HotList(SQLModel, table=True):
    id: int | None = _id()
    name: str = Field(unique=True)
    kind: str
    priority: int
    description: str | None = None
    is_active: bool = True
    created_at: datetime = _at()
    created_by: int | None = _fk("app_user.id", index=False, nullable=True)
    # Matching policy (lpr.policy.MatchPolicy): how far a read may differ from an entry.
    confusable_max: int = 1
    edit_max: int = 0
    broad_confusables: bool = False
    ignore_state: bool = False
    updated_at: datetime | None = _at(nullable=True, index=True)  # other processes poll it
    source: str | None = None  # file layout and name of the last import
    refreshed_at: datetime | None = _at(nullable=True)


class HotListEntry(SQLModel, table=True):
    __tablename__ = "hotlist_entry"

    id: int | None = _id()
    hotlist_id: int = _fk("hotlist.id")
    plate: str  # as written by the source, kept for display and evidence
    plate_key: str = Field(index=True)
    state: str | None = None
    reason: str | None = None
    case_number: str | None = None
    expires_at: datetime | None = _at(nullable=True)
    vehicle_year: int | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None
    note: str | None = None
    created_at: datetime = _at()
    created_by: int | None = _fk("app_user.id", index=False, nullable=True)
    deleted_at: datetime | None = _at(nullable=True)
    deleted_by: int | None = _fk("app_user.id", index=False, nullable=True)


class HotListChange(SQLModel, table=True):
    """Append-only change feed: every process replays it to patch its in-memory matcher."""

    __tablename__ = "hotlist_change"

    id: int | None = _id()
    entry_id: int = _fk("hotlist_entry.id")
    op: str  # "upsert" or "delete"
    at: datetime = _at()


class Read(SQLModel, table=True):
    __tablename__ = "plate_read"
    __table_args__ = (
        Index("ix_plate_read_plate_key_read_at", "plate_key", "read_at"),
        Index("ix_plate_read_plate_fold_read_at", "plate_fold", "read_at"),
        # Serves the camera foreign key and camera health (last read, reads in the last hour)
        # for the cost of the single-column index it replaced.
        Index("ix_plate_read_camera_id_received_at", "camera_id", "received_at"),
    )

    id: int | None = _id()
    camera_id: int = _fk("camera.id", index=False)
    plate: str
    plate_key: str
    plate_fold: str | None = None  # look-alike classes folded: finds misreads of a new entry
    plate_removed: str | None = None  # symbols dropped by normalisation, flagged for review
    state: str | None = None
    read_at: datetime = _at(index=True)
    received_at: datetime = _at()
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
    read_id: int | None = _fk("plate_read.id", nullable=True)  # set in the claiming transaction


class Hit(SQLModel, table=True):
    id: int | None = _id()
    read_id: int = _fk("plate_read.id")
    entry_id: int = _fk("hotlist_entry.id")
    hotlist_id: int = _fk("hotlist.id", index=False)
    quality: str
    read_plate: str
    listed_plate: str
    state_note: str | None = None
    read_key: str | None = None  # the OCR candidate that matched, normalised
    explanation: str | None = None  # "read 7A8C123, entry 7ABC123: position 3 read 8, ..."
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    historical: bool = False  # found by re-checking stored reads against a new entry
    created_at: datetime = _at()


class Alert(SQLModel, table=True):
    """What people are told about one car (or bulletin). Later reads of the same car within the
    merge window update it (`sightings`, `last_seen_at`, the trail in `details`)."""

    __table_args__ = (Index("ix_alert_dedup_key_last_seen_at", "dedup_key", "last_seen_at"),)

    id: int | None = _id()
    hit_id: int | None = _fk("hit.id", nullable=True)
    kind: str = "hotlist_hit"
    dedup_key: str | None = None  # e.g. "entry:42": reads of the same car merge into one alert
    hotlist_id: int | None = _fk("hotlist.id", nullable=True)
    is_covert: bool = False
    beat: str | None = None
    sightings: int = 1
    last_seen_at: datetime | None = _at(nullable=True)
    updated_at: datetime | None = _at(nullable=True)
    priority: int
    title: str
    body: str
    plate: str
    state: str | None = None
    lat: float | None = None
    lon: float | None = None
    read_at: datetime = _at()
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = AlertStatus.OPEN
    created_at: datetime = _at(index=True)
    acknowledged_at: datetime | None = _at(nullable=True)


class AlertRecipient(SQLModel, table=True):
    __tablename__ = "alert_recipient"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: int | None = _id()
    alert_id: int = _fk("alert.id")
    user_id: int = _fk("app_user.id")
    rank: int
    distance_m: float | None = None
    eta_s: float | None = None
    reason: str = "nearest"  # or "beat": assigned to the beat where the car was read
    created_at: datetime = _at()
    last_pushed_at: datetime | None = _at(nullable=True)
    acknowledged_at: datetime | None = _at(nullable=True)


class Delivery(SQLModel, table=True):
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: int | None = _id()
    alert_id: int = _fk("alert.id")
    recipient_id: int = _fk("alert_recipient.id")
    device_id: int = _fk("device.id")
    priority: int
    message: dict[str, Any] = Field(sa_type=JSON)
    status: str = DeliveryStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime = _at()
    lease_until: datetime | None = _at(nullable=True)
    claimed_by: str | None = None
    sent_at: datetime | None = _at(nullable=True)
    provider_id: str | None = None  # FCM message name
    last_error: str | None = None
    created_at: datetime = _at()
    updated_at: datetime = _at()


class AuditLog(SQLModel, table=True):
    """Append-only; each row's hash covers the previous row's hash (tamper evidence)."""

    __tablename__ = "audit_log"

    id: int | None = _id()
    at: datetime = _at(index=True)
    actor_id: int | None = _fk("app_user.id", nullable=True)
    actor_name: str | None = None
    actor_role: str | None = None
    action: str = Field(index=True)
    object_type: str | None = None
    object_id: str | None = None
    plate: str | None = Field(default=None, index=True)
    purpose: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str
    hash: str = Field(unique=True)


class BulletinStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # shown for an active row past expires_at; never needs writing


class Bulletin(SQLModel, table=True):
    """A dispatcher's BOLO: a vehicle, an area and a time window (DOMAIN.md 4). Every change
    raises `version`, which is how each process's live watch notices it (app/bulletin_watch.py).
    Its one alert (`alert_id`, kind "bulletin") carries the pushes, recipients and trail."""

    id: int | None = _id()
    kind: str
    narrative: str | None = None
    priority: int
    status: str = Field(default=BulletinStatus.ACTIVE, index=True)
    occurred_at: datetime = _at()
    expires_at: datetime | None = _at(nullable=True)  # None: until cancelled (AMBER)
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
    alert_id: int | None = _fk("alert.id", index=False, nullable=True)
    created_by: int | None = _fk("app_user.id", index=False, nullable=True)
    created_at: datetime = _at()
    updated_at: datetime = _at()
    version: int = 1
    cancel_reason: str | None = None
    cancelled_at: datetime | None = _at(nullable=True)
    cancelled_by: int | None = _fk("app_user.id", index=False, nullable=True)


class BulletinMatch(SQLModel, table=True):
    """A stored read that fits a bulletin: its trail, from the retro search and the live watch."""

    __tablename__ = "bulletin_match"
    __table_args__ = (UniqueConstraint("bulletin_id", "read_id"),)

    id: int | None = _id()
    bulletin_id: int = _fk("bulletin.id", index=False)  # the unique constraint indexes it
    read_id: int = _fk("plate_read.id")
    read_at: datetime = _at()
    plate: str  # as read, for the trail
    plate_key: str
    source: str  # "retro" (found on posting or updating) or "live" (the watch)
    score: float  # 0..1: plate-pattern strength, description agreement, direction
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    warnings: list[str] = Field(default_factory=list, sa_type=JSON)
    matched_at: datetime = _at()
