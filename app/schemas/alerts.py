"""API shapes of alerts, who they reached and acknowledgements."""

from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
)


class RecipientPublic(BaseModel):
    user_id: int
    name: str
    rank: int
    reason: str
    distance_m: float | None
    eta_s: float | None
    last_pushed_at: datetime | None
    acknowledged_at: datetime | None
    deliveries: list[dict[str, Any]]


class AlertSummary(BaseModel):
    id: int
    kind: str
    priority: int
    title: str
    plate: str
    state: str | None
    match: str
    read_at: datetime
    created_at: datetime
    status: str
    recipients: int
    sightings: int
    beat: str | None
    last_seen_at: datetime | None


class AlertsPublic(BaseModel):
    data: list[AlertSummary]
    count: int


class AlertPublic(AlertSummary):
    body: str
    lat: float | None
    lon: float | None
    details: dict[str, Any]
    notified: list[RecipientPublic]


class AckOut(BaseModel):
    alert_id: int
    acknowledged_at: datetime
