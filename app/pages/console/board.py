"""What the console's desk shows, read from the database: who is responding to each alert, how
many officers were told and have seen it, the active bulletins and where their car may be now,
and the on-duty officers with how fresh their positions are."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from alerts.lifecycle import ACTIVE
from app.bulletins.alert import status_of
from app.bulletins.push import BulletinContext
from app.bulletins.rules import compile_row
from app.lifecycle.threads import unit_of
from app.models import AlertRecipient, AlertResponse, Bulletin, BulletinStatus, OfficerStatus, User
from geo.errors import GeoError
from lpr.errors import LprError


def responders(session: Session, alert_ids: list[int]) -> dict[int, list[str]]:
    """Per alert, the units whose latest answer is responding or on scene."""
    if not alert_ids:
        return {}
    rows = session.execute(
        select(AlertResponse, User)
        .join(User, col(User.id) == AlertResponse.user_id)
        .where(col(AlertResponse.alert_id).in_(alert_ids))
        .order_by(col(AlertResponse.at), col(AlertResponse.id))
    ).all()
    latest: dict[tuple[int, int], tuple[str, str]] = {}
    for response, person in rows:
        latest[(response.alert_id, response.user_id)] = (response.status, unit_of(person))
    found: dict[int, list[str]] = {}
    for (alert_id, _), (status, unit) in latest.items():
        if status in ACTIVE:
            found.setdefault(alert_id, []).append(f"{unit} ({status.replace('_', ' ')})")
    return found


def told(session: Session, alert_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per alert: officers told, and how many of them have seen it."""
    if not alert_ids:
        return {}
    found: dict[int, tuple[int, int]] = {}
    for row in session.scalars(
        select(AlertRecipient).where(col(AlertRecipient.alert_id).in_(alert_ids))
    ):
        count, seen = found.get(row.alert_id, (0, 0))
        found[row.alert_id] = (count + 1, seen + (row.acknowledged_at is not None))
    return found


def active_bulletins(session: Session, now: datetime) -> list[Bulletin]:
    rows = session.scalars(
        select(Bulletin)
        .where(col(Bulletin.status) == BulletinStatus.ACTIVE)
        .order_by(col(Bulletin.id).desc())
        .limit(100)
    )
    return [row for row in rows if status_of(row, now) == BulletinStatus.ACTIVE]


def area_text(row: Bulletin, ctx: BulletinContext) -> str:
    try:
        return compile_row(row, ctx.beats).area.describe()
    except (GeoError, LprError):
        return "an area that can no longer be drawn"


def current_area(row: Bulletin, ctx: BulletinContext, now: datetime) -> dict[str, Any] | None:
    """Where the car may be now (the area grown since the incident), as GeoJSON."""
    try:
        return compile_row(row, ctx.beats).reach(now, ctx.rules.growth).to_geojson()
    except (GeoError, LprError):
        return None


def officers(session: Session, now: datetime, fresh_s: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(OfficerStatus, User)
        .join(User, col(User.id) == OfficerStatus.user_id)
        .where(col(OfficerStatus.on_duty))
        .order_by(col(User.name))
    ).all()
    fresh_for = timedelta(seconds=fresh_s)
    return [
        {
            "name": person.name, "label": unit_of(person), "lat": status.lat, "lon": status.lon,
            "recorded_at": status.recorded_at, "beat": status.assigned_beat,
            "fresh": status.recorded_at is not None and now - status.recorded_at <= fresh_for,
        }
        for status, person in rows
    ]  # fmt: skip


def officer_markers(officers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The officers with a position, as the map's markers."""
    return [
        {"lat": o["lat"], "lon": o["lon"], "fresh": o["fresh"], "label": o["label"]}
        for o in officers
        if o["lat"] is not None
    ]
