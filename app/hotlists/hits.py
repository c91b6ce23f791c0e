"""A hit becomes an alert: Hit, Alert, recipients and one Delivery per device, all in the
caller's transaction (the outbox), so a hit is either fully recorded or not at all.

Reads of the same car (the same listed entry) within the merge window update the open alert
instead of raising a new one: same collapse key on the phones, one more sighting on the
trail, and a fresh push only to officers who have not had one within the push interval.
"""

import logging
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlmodel import Session, col

from alerts import compose
from alerts.push import PushMessage
from alerts.routing import Recipient, Routing, route
from app.delivery import outbox, recipients
from app.delivery.recipients import AlertSettings
from app.models import Alert, Device, HotList, HotListEntry
from app.models import Hit as HitRow
from app.officers.beats import officers_on_beats
from app.officers.tracker import OfficerTracker
from app.reads.stored import StoredRead, previous_sighting
from app.schemas.alerts import (
    HitTrailPoint,
    HitVehicle,
    HotListHitDetails,
    MatchDetails,
    MatchDifference,
)
from geo.motion import ago, describe
from lpr.matcher import Hit

log = logging.getLogger(__name__)

TRAIL_LIMIT = 50  # sightings kept on an alert; older ones stay in plate_read


def raise_alert(
    session: Session,
    *,
    hit: Hit,
    read: StoredRead,
    camera_name: str,
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
        .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
        .where(col(HotListEntry.id) == hit.entry_id, col(HotListEntry.deleted_at).is_(None))
    ).first()
    if found is None:
        return None
    entry, hotlist = found
    assert entry.id is not None and hotlist.id is not None  # stored rows
    matching = match_details(hit)
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
        details=matching.model_dump(mode="json"),
        historical=historical,
        created_at=now,
    )
    session.add(hit_row)
    session.flush()
    assert hit_row.id is not None

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
        heading_deg=read.heading_deg, camera_name=camera_name,
        record_vehicle=record_vehicle, camera_vehicle=read.vehicle, warnings=warnings,
        beat=read.beat, motion=motion, sightings=alert.sightings,
        explanation=hit.explanation_text,
    )  # fmt: skip
    alert.title = compose.title(facts)
    alert.body = compose.summary(facts, config.tz)
    # The alert is new (no details yet) or this entry's: dedup key "entry:<id>".
    previous = HotListHitDetails.model_validate(alert.details).trail if alert.details else []
    details = HotListHitDetails(
        kind="hotlist_hit", read_id=read.id, hit_id=hit_row.id, entry_id=entry.id,
        hotlist_id=hotlist.id, list=hotlist.name, list_kind=hotlist.kind,
        reason=entry.reason, case_number=entry.case_number, plate_read=read.plate,
        plate_listed=entry.plate, entry_state=entry.state, read_state=read.state,
        match=hit.quality, match_label=compose.match_label(hit.quality.value),
        explanation=hit.explanation_text, matching=matching,
        warnings=list(warnings), record_vehicle=_vehicle(record_vehicle),
        camera_vehicle=_vehicle(read.vehicle), camera=camera_name,
        heading_deg=read.heading_deg, note=entry.note, beat=read.beat,
        motion=motion, covert=covert, notify_dispatch=routing.notify_dispatch,
        search_radius_m=routing.radius_m, widened=routing.widened,
        car_at=None if routing.car_at is None else (routing.car_at.lat, routing.car_at.lon),
        trail=[*previous, _trail_point(read, camera_name, hit_row.id)][-TRAIL_LIMIT:],
    )  # fmt: skip
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    alert.details = details.model_dump(mode="json")
    session.add(alert)
    pushed = recipients.tell_sighting(
        session, alert=alert, found=routing.recipients, interval=config.push_interval, now=now,
        message_for=partial(_message, facts, config),
    )  # fmt: skip
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
    read: StoredRead,
    priority: int,
    covert: bool,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
) -> Routing:
    sighting = read.sighting()
    officers.sync(session, now)
    return route(
        read=sighting,
        priority=priority,
        officers=officers.index,
        config=config.routing,
        now=now,
        previous=previous_sighting(session, read) if sighting else None,
        beat_officers=officers_on_beats(session, [read.beat]),
        covert=covert,
    )


def _open_alert(session: Session, dedup_key: str, *, since: datetime) -> Alert | None:
    query = (
        select(Alert)
        .where(col(Alert.dedup_key) == dedup_key, col(Alert.last_seen_at) >= since)
        .order_by(col(Alert.id).desc())
        .limit(1)
        .with_for_update()
    )
    return session.scalars(query).first()


def match_details(hit: Hit) -> MatchDetails:
    """How a hit matched, for the alert and the audit of a stop: every field of lpr's Hit."""
    return MatchDetails(
        quality=hit.quality,
        read_key=hit.read_key,
        listed_key=hit.listed_key,
        substitutions=hit.substitutions,
        edits=hit.edits,
        candidate_rank=hit.candidate_rank,
        candidate_count=hit.candidate_count,
        candidate_confidence=hit.candidate_confidence,
        pattern=hit.pattern,
        differences=[
            MatchDifference(kind=d.kind, position=d.position, read=d.read, listed=d.listed)
            for d in hit.differences
        ],
    )


def _message(
    facts: compose.HitFacts, config: AlertSettings, chosen: Recipient, device: Device
) -> PushMessage:
    audience = compose.Audience(chosen.distance_m, chosen.bearing_deg)
    return compose.message(
        facts, audience, token=device.token, platform=outbox.platform(device),
        detail=config.detail, ttl_s=config.ttl_s, tz=config.tz,
    )  # fmt: skip


def _trail_point(read: StoredRead, camera_name: str, hit_id: int) -> HitTrailPoint:
    return HitTrailPoint(
        read_id=read.id, hit_id=hit_id, read_at=read.read_at, camera=camera_name,
        lat=read.lat, lon=read.lon, heading_deg=read.heading_deg, beat=read.beat,
        plate=read.plate,
    )  # fmt: skip


def _vehicle(vehicle: compose.Vehicle) -> HitVehicle:
    return HitVehicle(
        year=vehicle.year,
        make=vehicle.make,
        model=vehicle.model,
        color=vehicle.color,
        type=vehicle.type,
    )
