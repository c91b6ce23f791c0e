"""A hit becomes an alert: Hit, Alert, recipients and one Delivery per device, all in the
caller's transaction (the outbox), so a hit is either fully recorded or not at all."""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlmodel import Session

from alerts import compose
from alerts.push import Platform
from alerts.routing import Recipient, RoutingPolicy, choose_recipients
from app.models import (
    Alert,
    AlertRecipient,
    Delivery,
    DeliveryStatus,
    Device,
    HotList,
    HotListEntry,
    OfficerStatus,
    User,
)
from app.models import Hit as HitRow
from geo import Point, Position
from lpr.matcher import Hit

log = logging.getLogger(__name__)

METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class AlertSettings:
    policy: RoutingPolicy
    detail: compose.Detail
    ttl_s: int
    tz: ZoneInfo


@dataclass(frozen=True, slots=True)
class ReadFacts:
    """The stored read a hit came from, as the alert needs it."""

    id: int
    plate: str
    state: str | None
    read_at: datetime
    lat: float | None
    lon: float | None
    heading_deg: float | None
    camera_name: str
    vehicle: compose.Vehicle


def raise_alert(
    session: Session, *, hit: Hit, read: ReadFacts, config: AlertSettings, now: datetime
) -> Alert | None:
    """Record a hit and its alert and queue its pushes. None if the entry went away meanwhile."""
    found = session.execute(
        select(HotListEntry, HotList)
        .join(HotList, HotList.id == HotListEntry.hotlist_id)  # type: ignore[arg-type]
        .where(HotListEntry.id == hit.entry_id, HotListEntry.deleted_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if found is None:
        return None
    entry, hotlist = found
    hit_row = HitRow(
        read_id=read.id,
        entry_id=hit.entry_id,
        hotlist_id=hotlist.id,
        quality=hit.quality.value,
        read_plate=read.plate,
        listed_plate=entry.plate,
        state_note=hit.state_note or None,
        created_at=now,
    )
    session.add(hit_row)
    session.flush()

    record_vehicle = compose.Vehicle(
        year=entry.vehicle_year,
        make=entry.vehicle_make,
        model=entry.vehicle_model,
        color=entry.vehicle_color,
        type=entry.vehicle_type,
    )
    warnings = (hit.state_note.capitalize(),) if hit.state_note else ()
    alert = Alert(
        hit_id=hit_row.id,
        priority=hotlist.priority,
        title="",
        body="",
        plate=read.plate,
        state=read.state,
        lat=read.lat,
        lon=read.lon,
        read_at=read.read_at,
        created_at=now,
    )
    session.add(alert)
    session.flush()
    assert alert.id is not None
    facts = compose.HitFacts(
        alert_id=alert.id,
        plate_read=read.plate,
        plate_listed=entry.plate,
        state=read.state or entry.state,
        list_name=hotlist.name,
        list_kind=hotlist.kind,
        priority=hotlist.priority,
        reason=entry.reason,
        case_number=entry.case_number,
        match=hit.quality.value,
        read_at=read.read_at,
        lat=read.lat,
        lon=read.lon,
        heading_deg=read.heading_deg,
        camera_name=read.camera_name,
        record_vehicle=record_vehicle,
        camera_vehicle=read.vehicle,
        warnings=warnings,
    )
    alert.title = compose.title(facts)
    alert.body = compose.summary(facts, config.tz)
    alert.details = {
        "kind": "hotlist_hit",
        "read_id": read.id,
        "hit_id": hit_row.id,
        "entry_id": entry.id,
        "hotlist_id": hotlist.id,
        "list": hotlist.name,
        "list_kind": hotlist.kind,
        "reason": entry.reason,
        "case_number": entry.case_number,
        "plate_read": read.plate,
        "plate_listed": entry.plate,
        "entry_state": entry.state,
        "read_state": read.state,
        "match": hit.quality.value,
        "match_label": "EXACT" if compose.is_exact(hit.quality.value) else "POSSIBLE MISREAD",
        "warnings": list(warnings),
        "record_vehicle": _vehicle_dict(record_vehicle),
        "camera_vehicle": _vehicle_dict(read.vehicle),
        "camera": read.camera_name,
        "heading_deg": read.heading_deg,
        "note": entry.note,
    }

    recipients = _route(session, read=read, priority=hotlist.priority, config=config, now=now)
    deliveries = 0
    for recipient in recipients:
        row = AlertRecipient(
            alert_id=alert.id,
            user_id=recipient.officer_id,
            rank=recipient.rank,
            distance_m=round(recipient.distance_m, 1),
            created_at=now,
        )
        session.add(row)
        session.flush()
        audience = compose.Audience(recipient.distance_m, recipient.bearing_deg)
        devices = session.scalars(
            select(Device).where(Device.user_id == recipient.officer_id, Device.is_active)  # type: ignore[arg-type]
        )
        for device in devices:
            message = compose.message(
                facts,
                audience,
                token=device.token,
                platform=Platform(device.platform),
                detail=config.detail,
                ttl_s=config.ttl_s,
                tz=config.tz,
            )
            session.add(
                Delivery(
                    alert_id=alert.id,
                    recipient_id=row.id,
                    device_id=device.id,
                    priority=hotlist.priority,
                    message=message.to_dict(),
                    status=DeliveryStatus.QUEUED,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            deliveries += 1
    session.flush()
    log.info(
        "alert.created",
        extra={
            "alert_id": alert.id,
            "read_id": read.id,
            "entry_id": entry.id,
            "priority": hotlist.priority,
            "recipients": len(recipients),
            "deliveries": deliveries,
        },
    )
    return alert


def _route(
    session: Session, *, read: ReadFacts, priority: int, config: AlertSettings, now: datetime
) -> list[Recipient]:
    if read.lat is None or read.lon is None:
        return []
    where = Point(read.lat, read.lon)
    positions = on_duty_positions(
        session,
        around=where,
        radius_m=config.policy.radius_m,
        fresh_for=config.policy.fresh_for,
        now=now,
    )
    return choose_recipients(
        where=where, priority=priority, officers=positions, policy=config.policy, now=now
    )


def on_duty_positions(
    session: Session, *, around: Point, radius_m: float, fresh_for: timedelta, now: datetime
) -> list[Position]:
    """Fresh positions of active, on-duty users with a working device, inside a box around a
    point (the exact radius is geo's job)."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(around.lat))))
    has_device = exists().where(
        and_(Device.user_id == OfficerStatus.user_id, Device.is_active)  # type: ignore[arg-type]
    )
    rows = session.scalars(
        select(OfficerStatus)
        .join(User, User.id == OfficerStatus.user_id)  # type: ignore[arg-type]
        .where(
            OfficerStatus.on_duty,  # type: ignore[arg-type]
            User.is_active,  # type: ignore[arg-type]
            OfficerStatus.recorded_at >= now - fresh_for,  # type: ignore[operator]
            OfficerStatus.lat.between(around.lat - dlat, around.lat + dlat),  # type: ignore[union-attr]
            OfficerStatus.lon.between(around.lon - dlon, around.lon + dlon),  # type: ignore[union-attr]
            has_device,
        )
    )
    return [
        Position(
            officer_id=row.user_id,  # type: ignore[arg-type]
            point=Point(row.lat, row.lon),  # type: ignore[arg-type]
            recorded_at=row.recorded_at,  # type: ignore[arg-type]
            heading_deg=row.heading_deg,
        )
        for row in rows
    ]


def _vehicle_dict(vehicle: compose.Vehicle) -> dict[str, object]:
    return {
        "year": vehicle.year,
        "make": vehicle.make,
        "model": vehicle.model,
        "color": vehicle.color,
        "type": vehicle.type,
    }
