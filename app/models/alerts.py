"""Hits, the alerts they raise, who each alert reached and every push (the outbox)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"  # accepted by FCM (not proof the phone showed it)
    FAILED = "failed"  # given up: token gone, rejected, or out of attempts


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # somebody has seen it
    RESPONDING = "responding"  # a unit is responding or on scene
    CLOSED = "closed"  # with a disposition (`disposition`, `closed_at`, `closed_by`)


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
    merge window update it (`sightings`, `last_seen_at`, the trail in `details`).

    Its life after the push (app/lifecycle): the record's confirmation, the escalation ladder
    and the outcome. Its timers are columns: `confirmation_due_at` (a request expires),
    `escalation_due_at` (the next step), and `due_at`, the earlier of the two, which the
    worker claims due alerts by (app/lifecycle/timers.py)."""

    __table_args__ = (
        Index("ix_alert_dedup_key_last_seen_at", "dedup_key", "last_seen_at"),
        # The statistics' scopes, each over a window of creation times (app/stats).
        Index("ix_alert_beat_created_at", "beat", "created_at"),
        Index("ix_alert_hotlist_id_created_at", "hotlist_id", "created_at"),
        # A year's alerts and their beats without the rows, to join their officers' pushes.
        Index("ix_alert_created_at_beat_id", "created_at", "beat", "id"),
    )

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
    # Confirmation of the record with its originating agency (alerts.lifecycle.Confirmation).
    confirmation: str = Field(default="unconfirmed", index=True)
    confirmation_urgent: bool | None = None  # of the request: P1/P2 urgent, else routine
    confirmation_requested_at: datetime | None = utc_column(nullable=True)
    confirmation_requested_by: int | None = foreign_key("app_user.id", nullable=True)
    confirmation_due_at: datetime | None = utc_column(nullable=True)
    confirmation_answered_at: datetime | None = utc_column(nullable=True)
    confirmation_answered_by: int | None = foreign_key("app_user.id", nullable=True)
    confirmation_note: str | None = None
    # Escalation: steps taken so far (alert_escalation rows), when the next is due and why.
    escalation_level: int = 0
    escalation_due_at: datetime | None = utc_column(nullable=True)
    escalation_cause: str | None = None  # of the pending step: no_response or refused
    escalated_at: datetime | None = utc_column(nullable=True, index=True)  # to the desk
    due_at: datetime | None = utc_column(nullable=True, index=True)  # the earliest timer
    # The outcome (alerts.lifecycle.Disposition and Result).
    disposition: str | None = Field(default=None, index=True)
    result: str | None = None
    outcome_note: str | None = None
    closed_at: datetime | None = utc_column(nullable=True, index=True)
    closed_by: int | None = foreign_key("app_user.id", nullable=True)
    # The dispatcher queue (app/delivery/dispatch.py): a hit waiting for a dispatcher's look
    # (`dispatch_hold`: no officer is pushed until it is promoted), or one nobody could be
    # told about. Cleared by a promotion (`dispatch_cleared_by`) or when officers are told.
    dispatch_queued_at: datetime | None = utc_column(nullable=True, index=True)
    dispatch_reason: str | None = None
    dispatch_hold: bool = False
    dispatch_cleared_at: datetime | None = utc_column(nullable=True)
    dispatch_cleared_by: int | None = foreign_key("app_user.id", nullable=True)
    # Facts of its life kept on the row as they happen, in the transaction that records them,
    # so the statistics of a year are one pass over alert (app/stats): the first answer
    # `responding` or `on_scene` by anyone (app/lifecycle/responses.py), and how many of its
    # pushes were sent (app/delivery/worker.py; counted on, after retention removes them).
    responding_at: datetime | None = utc_column(nullable=True)
    pushes: int = 0


class AlertRecipient(SQLModel, table=True):
    __tablename__ = "alert_recipient"
    __table_args__ = (
        UniqueConstraint("alert_id", "user_id"),
        Index("ix_alert_recipient_user_id_created_at", "user_id", "created_at"),
        # Who was sent a push of which alert (app/stats: the officers pushed).
        Index(
            "ix_alert_recipient_pushed",
            "alert_id",
            "user_id",
            postgresql_where=text("pushes > 0"),
            sqlite_where=text("pushes > 0"),
        ),
    )

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
    # The officer's latest answer (every one is an alert_response row).
    response: str | None = Field(default=None, index=True)  # the busy: responding, on scene
    responded_at: datetime | None = utc_column(nullable=True)
    # As on the alert, for this officer (app/stats): their first active answer, and their
    # pushes of it sent.
    responding_at: datetime | None = utc_column(nullable=True)
    pushes: int = 0


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
    notice_id: int | None = foreign_key("alert_notice.id", nullable=True)  # why it was sent
    created_at: datetime = utc_column()
    updated_at: datetime = utc_column()
