"""An alert's life after the push, one append-only row per event, with who and when: every
officer's response, every change of the record's confirmation, every escalation step. The
alert row carries the current state (app/models/alerts.py); these are the history that
accountability statistics read."""

from datetime import datetime

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class AlertResponse(SQLModel, table=True):
    """An officer answered an alert: seen, responding (with an ETA), on scene or unable."""

    __tablename__ = "alert_response"
    # An alert's first answer of a kind (app/stats: time to the first responding).
    __table_args__ = (Index("ix_alert_response_alert_id_status_at", "alert_id", "status", "at"),)

    id: int | None = id_column()
    alert_id: int = foreign_key("alert.id")
    user_id: int = foreign_key("app_user.id")
    status: str = Field(index=True)
    eta_s: float | None = None
    eta_source: str | None = None  # "given" by the officer, or "computed" from positions
    note: str | None = None
    at: datetime = utc_column(index=True)


class AlertConfirmation(SQLModel, table=True):
    """The record's confirmation changed: requested, confirmed, not confirmed or expired.
    `user_id` is who asked or answered; None when the request expired unanswered."""

    __tablename__ = "alert_confirmation"

    id: int | None = id_column()
    alert_id: int = foreign_key("alert.id")
    state: str = Field(index=True)
    user_id: int | None = foreign_key("app_user.id", nullable=True)
    note: str | None = None
    urgent: bool | None = None  # of a request
    due_at: datetime | None = utc_column(nullable=True)  # of a request
    at: datetime = utc_column(index=True)


class AlertEscalation(SQLModel, table=True):
    """One step up the ladder (next ring, dispatcher desk, supervisors), taken by the worker
    when nobody was responding in time. One row per step of an alert: the unique level is
    what makes a step happen once, whatever the processes do."""

    __tablename__ = "alert_escalation"
    __table_args__ = (UniqueConstraint("alert_id", "level"),)

    id: int | None = id_column()
    alert_id: int = foreign_key("alert.id")
    level: int  # 1, 2, 3: the step's place on the ladder
    step: str = Field(index=True)  # next_ring, dispatcher, supervisor
    reason: str  # no_response or refused
    detail: str  # in words: "nobody responding after 1 min; 2 told, 1 unable"
    told: list[int] = Field(default_factory=list, sa_type=JSON)  # officers pushed by the step
    at: datetime = utc_column(index=True)
