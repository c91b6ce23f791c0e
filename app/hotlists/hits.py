"""A hit becomes an alert: Hit, Alert, recipients and one Delivery per device, all in the
caller's transaction (the outbox), so a hit is either fully recorded or not at all.

Reads of the same car (the same listed entry) within the merge window update the open alert
instead of raising a new one: same collapse key on the phones, one more sighting on the
trail, and a fresh push only to officers who have not had one within the push interval.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlmodel import Session

from alerts import compose
from alerts.routing import PriorityRouting, Recipient, Routing, route
from app.delivery import outbox
from app.models import (
    Alert,
    AlertRecipient,
    Device,
    HotList,
    HotListEntry,
    OfficerStatus,
    Read,
)
from app.models import Hit as HitRow
from app.officers.tracker import OfficerTracker
from geo import Point
from geo.motion import Sighting, ago, describe
from lpr.matcher import Hit

log = logging.getLogger(__name__)

TRAIL_LIMIT = 50  # sightings kept on an alert; older ones stay in plate_read
MOTION_LOOKBACK = timedelta(minutes=15)  # an earlier read this recent gives direction and speed


@dataclass(frozen=True, slots=True)
class AlertSettings:
    routing: PriorityRouting
    detail: compose.Detail
    ttl_s: int
    tz: ZoneInfo
    merge_window: timedelta = timedelta(minutes=10)
    push_interval: timedelta = timedelta(seconds=60)
    retro_push_within: timedelta = timedelta(minutes=15)  # older historical hits: dispatch only


@dataclass(frozen=True, slots=True)
class ReadFacts:
    """The stored read a hit came from, as the alert needs it."""

    id: int
    plate: str
    plate_key: str
    state: str | None
    read_at: datetime
    lat: float | None
    lon: float | None
    heading_deg: float | None
    camera_name: str
    vehicle: compose.Vehicle
    beat: str | None = None


def raise_alert(
    session: Session,
    *,
    hit: Hit,
    read: ReadFacts,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
    historical: bool = False,
) -> Alert | None:
    """Record a hit, raise or update its alert, queue its pushes. None if the entry went away.

    A `historical` hit was found by re-checking stored reads against a new entry: it goes to
    dispatchers, and to officers only while the read is fresh (`config.retro_push_within`).
    """
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
        read_key=hit.read_key,
        explanation=hit.explanation_text,
        details=match_details(hit),
        historical=historical,
        created_at=now,
    )
    session.add(hit_row)
    session.flush()

    covert = hotlist.kind == "covert"
    age = now - read.read_at
    if historical and age > config.retro_push_within:
        routing = Routing(recipients=(), push=False, notify_dispatch=True)
    else:
        routing = _route(session, read=read, priority=hotlist.priority, covert=covert,
                         config=config, officers=officers, now=now)  # fmt: skip
    motion = describe(routing.motion, (now - read.read_at).total_seconds())
    alert = _open_alert(session, f"entry:{entry.id}", since=now - config.merge_window)
    if alert is None:
        alert = Alert(
            hit_id=hit_row.id, kind="historical_hit" if historical else "hotlist_hit",
            dedup_key=f"entry:{entry.id}",
            hotlist_id=hotlist.id, is_covert=covert, priority=hotlist.priority, title="",
            body="", plate=read.plate, read_at=read.read_at, created_at=now, sightings=0,
        )  # fmt: skip
    alert.sightings += 1
    alert.plate, alert.state, alert.beat = read.plate, read.state, read.beat
    alert.lat, alert.lon, alert.read_at = read.lat, read.lon, read.read_at
    alert.last_seen_at = alert.updated_at = now
    session.add(alert)
    session.flush()
    assert alert.id is not None

    record_vehicle = compose.Vehicle(
        year=entry.vehicle_year, make=entry.vehicle_make, model=entry.vehicle_model,
        color=entry.vehicle_color, type=entry.vehicle_type,
    )  # fmt: skip
    warnings = (hit.state_note.capitalize(),) if hit.state_note else ()
    if historical:
        seen = ago(age.total_seconds())
        warnings = (f"HISTORICAL HIT: read {seen}, found when the entry was added", *warnings)
    mismatch = compose.description_warning(record_vehicle, read.vehicle, list_kind=hotlist.kind)
    warnings = (mismatch, *warnings) if mismatch else warnings  # the wrong-car stop safeguard
    facts = compose.HitFacts(
        alert_id=alert.id, plate_read=read.plate, plate_listed=entry.plate,
        state=read.state or entry.state, list_name=hotlist.name, list_kind=hotlist.kind,
        priority=hotlist.priority, reason=entry.reason, case_number=entry.case_number,
        match=hit.quality.value, read_at=read.read_at, lat=read.lat, lon=read.lon,
        heading_deg=read.heading_deg, camera_name=read.camera_name,
        record_vehicle=record_vehicle, camera_vehicle=read.vehicle, warnings=warnings,
        beat=read.beat, motion=motion, sightings=alert.sightings,
        explanation=hit.explanation_text,
    )  # fmt: skip
    alert.title = compose.title(facts)
    alert.body = compose.summary(facts, config.tz)
    trail = [*alert.details.get("trail", []), _trail_point(read, hit_row.id)][-TRAIL_LIMIT:]
    alert.details = {  # a new dict: SQLAlchemy does not see changes made inside a JSON value
        "kind": "hotlist_hit", "read_id": read.id, "hit_id": hit_row.id, "entry_id": entry.id,
        "hotlist_id": hotlist.id, "list": hotlist.name, "list_kind": hotlist.kind,
        "reason": entry.reason, "case_number": entry.case_number, "plate_read": read.plate,
        "plate_listed": entry.plate, "entry_state": entry.state, "read_state": read.state,
        "match": hit.quality.value, "match_label": compose.match_label(hit.quality.value),
        "explanation": hit.explanation_text, "matching": match_details(hit),
        "warnings": list(warnings), "record_vehicle": _vehicle_dict(record_vehicle),
        "camera_vehicle": _vehicle_dict(read.vehicle), "camera": read.camera_name,
        "heading_deg": read.heading_deg, "note": entry.note, "beat": read.beat,
        "motion": motion, "covert": covert, "notify_dispatch": routing.notify_dispatch,
        "search_radius_m": routing.radius_m, "widened": routing.widened,
        "car_at": None if routing.car_at is None else [routing.car_at.lat, routing.car_at.lon],
        "trail": trail,
    }  # fmt: skip
    session.add(alert)
    pushed = _notify(session, alert, routing.recipients, facts, config, now)
    session.flush()
    log.info(
        "alert.updated" if alert.sightings > 1 else "alert.created",
        extra={
            "alert_id": alert.id, "read_id": read.id, "entry_id": entry.id,
            "priority": hotlist.priority, "sightings": alert.sightings,
            "recipients": len(routing.recipients), "deliveries": pushed,
        },
    )  # fmt: skip
    return alert


def _route(
    session: Session,
    *,
    read: ReadFacts,
    priority: int,
    covert: bool,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
) -> Routing:
    sighting = None
    if read.lat is not None and read.lon is not None:
        sighting = Sighting(Point(read.lat, read.lon), read.read_at, heading_deg=read.heading_deg)
    officers.sync(session, now)
    return route(
        read=sighting,
        priority=priority,
        officers=officers.index,
        config=config.routing,
        now=now,
        previous=_previous_sighting(session, read) if sighting else None,
        beat_officers=_beat_officers(session, read.beat) if read.beat else (),
        covert=covert,
    )


def _previous_sighting(session: Session, read: ReadFacts) -> Sighting | None:
    """The latest earlier read of the same plate with a position: direction and speed."""
    row = session.execute(
        select(Read.lat, Read.lon, Read.read_at, Read.heading_deg)
        .where(
            Read.plate_key == read.plate_key,
            Read.id != read.id,  # type: ignore[arg-type]
            Read.read_at < read.read_at,  # type: ignore[operator]
            Read.read_at >= read.read_at - MOTION_LOOKBACK,  # type: ignore[operator]
            Read.lat.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(Read.read_at.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if row is None:
        return None
    return Sighting(Point(row.lat, row.lon), row.read_at, heading_deg=row.heading_deg)


def _beat_officers(session: Session, beat: str) -> list[int]:
    has_device = exists().where(
        and_(Device.user_id == OfficerStatus.user_id, Device.is_active)  # type: ignore[arg-type]
    )
    return list(
        session.scalars(
            select(OfficerStatus.user_id).where(
                OfficerStatus.assigned_beat == beat,
                OfficerStatus.on_duty,  # type: ignore[arg-type]
                has_device,
            )
        )
    )


def _open_alert(session: Session, dedup_key: str, *, since: datetime) -> Alert | None:
    query = (
        select(Alert)
        .where(Alert.dedup_key == dedup_key, Alert.last_seen_at >= since)  # type: ignore[operator]
        .order_by(Alert.id.desc())  # type: ignore[union-attr]
        .limit(1)
        .with_for_update()
    )
    return session.scalars(query).first()


def _notify(
    session: Session,
    alert: Alert,
    recipients: tuple[Recipient, ...],
    facts: compose.HitFacts,
    config: AlertSettings,
    now: datetime,
) -> int:
    """Queue a push per device of each recipient not pushed about this alert lately."""
    assert alert.id is not None
    known = {
        r.user_id: r
        for r in session.scalars(select(AlertRecipient).where(AlertRecipient.alert_id == alert.id))
    }
    deliveries = 0
    for recipient in recipients:
        row = known.get(recipient.officer_id)
        if row is None:
            row = AlertRecipient(
                alert_id=alert.id, user_id=recipient.officer_id, rank=recipient.rank,
                created_at=now, reason=recipient.reason.value,
            )  # fmt: skip
        elif row.last_pushed_at is not None and now - row.last_pushed_at < config.push_interval:
            continue
        row.distance_m = None if recipient.distance_m is None else round(recipient.distance_m, 1)
        row.eta_s = None if recipient.eta_s is None else round(recipient.eta_s, 1)
        row.last_pushed_at = now
        session.add(row)
        session.flush()
        audience = compose.Audience(recipient.distance_m, recipient.bearing_deg)
        assert row.id is not None
        for device in outbox.working_devices(session, recipient.officer_id):
            message = compose.message(
                facts, audience, token=device.token, platform=outbox.platform(device),
                detail=config.detail, ttl_s=config.ttl_s, tz=config.tz,
            )  # fmt: skip
            outbox.queue(
                session, alert_id=alert.id, recipient_id=row.id, device=device,
                priority=alert.priority, message=message, now=now,
            )  # fmt: skip
            deliveries += 1
    return deliveries


def match_details(hit: Hit) -> dict[str, Any]:
    """How a hit matched, for the alert and the audit of a stop: every field of lpr's Hit."""
    return {
        "quality": hit.quality.value,
        "read_key": hit.read_key,
        "listed_key": hit.listed_key,
        "substitutions": hit.substitutions,
        "edits": hit.edits,
        "candidate_rank": hit.candidate_rank,
        "candidate_count": hit.candidate_count,
        "candidate_confidence": hit.candidate_confidence,
        "pattern": hit.pattern,
        "differences": [
            {"kind": d.kind.value, "position": d.position, "read": d.read, "listed": d.listed}
            for d in hit.differences
        ],
    }


def _trail_point(read: ReadFacts, hit_id: int | None) -> dict[str, Any]:
    return {
        "read_id": read.id, "hit_id": hit_id, "read_at": read.read_at.isoformat(),
        "camera": read.camera_name, "lat": read.lat, "lon": read.lon,
        "heading_deg": read.heading_deg, "beat": read.beat, "plate": read.plate,
    }  # fmt: skip


def _vehicle_dict(vehicle: compose.Vehicle) -> dict[str, object]:
    return {
        "year": vehicle.year,
        "make": vehicle.make,
        "model": vehicle.model,
        "color": vehicle.color,
        "type": vehicle.type,
    }
