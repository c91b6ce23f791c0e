"""A hit becomes an alert: Hit, Alert, recipients and one Delivery per device, all in the
caller's transaction (the outbox), so a hit is either fully recorded or not at all.

Reads of the same car (the same listed entry) within the merge window update the open alert
instead of raising a new one: same collapse key on the phones, one more sighting on the
trail. Who hears what is alerts.policy's: a new hit may wait in the dispatcher queue
(`dispatch_first`), busy and over-budget officers are spared, the first push goes to the few
best placed, and a repeat sighting rings only officers newly best placed (the others who have
it get a quiet update).
"""

import logging
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select, text
from sqlmodel import Session, col

from alerts import compose, policy
from alerts.policy import Notice
from alerts.push import PushMessage
from alerts.routing import Routing, route
from app.delivery import dispatch, outbox, recipients
from app.delivery.recipients import AlertSettings
from app.hotlists.covert import COVERT
from app.lifecycle import escalation
from app.models import Alert, AlertStatus, Device, HotList, HotListEntry
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
    SparedOfficer,
    stored_json,
)
from geo.motion import ago, describe
from lpr.explain import Quality
from lpr.matcher import Hit

log = logging.getLogger(__name__)

TRAIL_LIMIT = 50  # sightings kept on an alert; older ones stay in plate_read
_ALERT_LOCKS = 0x4C4B  # the advisory-lock namespace of alerts per entry ("LK")


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

    A `historical` hit was found by re-checking stored reads against a new entry. It, and any
    read older than the push window (`config.retro_push_within`: a camera's backlog, a
    replay, a wrong clock), goes to dispatchers only, never to a phone. Callers that raise
    several alerts in one transaction do it in ascending entry id (`by_entry`), so that two
    processes never wait for each other's locks.
    """
    listed = _listed(session, hit.entry_id)
    if listed is None:
        return None
    entry, hotlist = listed
    assert entry.id is not None and hotlist.id is not None  # stored rows
    matching = match_details(hit)
    hit_row = HitRow(
        read_id=read.id, entry_id=hit.entry_id, hotlist_id=hotlist.id, quality=hit.quality.value,
        read_plate=read.plate, listed_plate=entry.plate, state_note=hit.state_note or None,
        read_key=hit.read_key, explanation=hit.explanation_text,
        details=matching.model_dump(mode="json"), historical=historical, created_at=now,
    )  # fmt: skip
    session.add(hit_row)
    session.flush()
    assert hit_row.id is not None

    dedup_key = f"entry:{entry.id}"
    serialise(session, entry.id)
    alert = _open_alert(session, dedup_key, read_at=read.read_at, window=config.merge_window)
    if alert is not None and (read.read_at < alert.read_at or alert.status == AlertStatus.CLOSED):
        # A late read from before the alert's latest joins the trail in its time order; so
        # does a read of a car whose alert was closed within the window (arrested, misread,
        # not confirmed). Neither tells anybody anything new.
        return _add_earlier(session, alert, read, camera_name, hit_row.id, now)

    covert = hotlist.kind == COVERT
    age = now - read.read_at
    stale = age > config.retro_push_within
    hold = None  # why a new hit waits for a dispatcher before any officer hears of it
    if alert is None and not stale and not covert:
        hold = policy.hold_for_dispatch(
            policy=_dispatch_first(hotlist), priority=hotlist.priority,
            exact=hit.quality is Quality.EXACT, candidate_rank=hit.candidate_rank,
            confidence=hit.candidate_confidence, rules=config.dispatch,
        )  # fmt: skip
    held = hold is not None or (alert is not None and alert.dispatch_hold)
    rose_to = hotlist.priority if alert is not None and hotlist.priority < alert.priority else None
    skipped: dict[int, str] = {}
    if stale:
        routing = Routing(recipients=(), push=False, notify_dispatch=not covert)
    elif held:
        routing = Routing(recipients=(), push=False, notify_dispatch=True)
    else:
        if not covert:
            skipped = dispatch.spared_officers(
                session, priority=hotlist.priority, alert_id=None if alert is None else alert.id,
                rules=config.attention, now=now,
            )  # fmt: skip
        routing = _route(session, read=read, priority=hotlist.priority, covert=covert,
                         config=config, officers=officers, now=now, exclude=skipped)  # fmt: skip
    motion = describe(routing.motion, age.total_seconds())
    if alert is None:
        alert = Alert(
            hit_id=hit_row.id, kind="historical_hit" if historical or stale else "hotlist_hit",
            dedup_key=dedup_key, hotlist_id=hotlist.id, is_covert=covert,
            priority=hotlist.priority, title="", body="", plate=read.plate_key,
            read_at=read.read_at, created_at=now, sightings=0,
        )  # fmt: skip
        if hold is not None:
            dispatch.enqueue(alert, reason=hold, hold=True, now=now)
        elif routing.push:
            escalation.start(alert, now=now, config=config)  # P1, P2: nobody responding
    elif rose_to is not None:
        alert.priority = rose_to  # the list's priority was raised: the alert rings again
    alert.sightings += 1
    # The latest read moves the alert; what it did not read (state, position) stays known.
    alert.plate, alert.read_at = read.plate_key, read.read_at
    alert.state = read.state or alert.state
    alert.beat = read.beat or alert.beat
    if read.lat is not None and read.lon is not None:
        alert.lat, alert.lon = read.lat, read.lon
    alert.last_seen_at = alert.updated_at = now
    session.add(alert)
    session.flush()
    assert alert.id is not None

    record_vehicle = compose.Vehicle(
        year=entry.vehicle_year, make=entry.vehicle_make, model=entry.vehicle_model,
        color=entry.vehicle_color, type=entry.vehicle_type,
    )  # fmt: skip
    warnings = (hit.state_note[:1].upper() + hit.state_note[1:],) if hit.state_note else ()
    if historical or stale:
        why = "found when the entry was added" if historical else "received late"
        warnings = (f"HISTORICAL HIT: read {ago(age.total_seconds())}, {why}", *warnings)
    camera_vehicle, unsure = read.trusted_vehicle(config.trust)
    mismatch = compose.description_warning(
        record_vehicle, camera_vehicle, list_kind=hotlist.kind, unsure=unsure
    )
    warnings = (mismatch, *warnings) if mismatch else warnings  # the wrong-car stop safeguard
    facts = compose.HitFacts(
        alert_id=alert.id, plate_read=read.plate_key, plate_listed=entry.plate_key,
        state=alert.state or entry.state, list_name=hotlist.name, list_kind=hotlist.kind,
        priority=hotlist.priority, reason=entry.reason, case_number=entry.case_number,
        match=hit.quality.value, read_at=read.read_at, lat=alert.lat, lon=alert.lon,
        heading_deg=read.heading_deg, camera_name=camera_name, composed_at=now,
        record_vehicle=record_vehicle, camera_vehicle=camera_vehicle, warnings=warnings,
        beat=alert.beat, motion=motion, sightings=alert.sightings,
        explanation=hit.explanation_text, historical=stale,
    )  # fmt: skip
    alert.title = compose.title(facts)
    alert.body = compose.summary(facts, config.tz)
    # The alert is new (no details yet) or this entry's: dedup key "entry:<id>".
    previous = HotListHitDetails.model_validate(alert.details).trail if alert.details else []
    details = HotListHitDetails(
        kind="hotlist_hit", read_id=read.id, hit_id=hit_row.id, entry_id=entry.id,
        hotlist_id=hotlist.id, list=hotlist.name, list_kind=hotlist.kind,
        reason=entry.reason, case_number=entry.case_number, plate_read=read.plate_key,
        plate_listed=entry.plate_key, entry_state=entry.state, read_state=read.state,
        match=hit.quality, match_label=compose.match_label(hit.quality.value),
        explanation=hit.explanation_text, matching=matching,
        warnings=list(warnings), record_vehicle=_vehicle(record_vehicle),
        camera_vehicle=_vehicle(read.vehicle), camera=camera_name,
        heading_deg=read.heading_deg, note=entry.note, beat=alert.beat,
        motion=motion, covert=covert, notify_dispatch=routing.notify_dispatch,
        search_radius_m=routing.radius_m, widened=routing.widened,
        car_at=None if routing.car_at is None else (routing.car_at.lat, routing.car_at.lon),
        trail=_in_time_order([*previous, _trail_point(read, camera_name, hit_row.id)]),
        spared=[SparedOfficer(user_id=user_id, why=why) for user_id, why in skipped.items()
                if user_id in officers.index],
    )  # fmt: skip
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    alert.details = stored_json(details)
    session.add(alert)
    pushed = _tell(session, alert, routing, facts, config, rose_to, skipped, now)
    session.flush()
    log.info(
        "alert.updated" if alert.sightings > 1 else "alert.created",
        extra={
            "alert_id": alert.id, "read_id": read.id, "entry_id": entry.id,
            "priority": hotlist.priority, "sightings": alert.sightings,
            "recipients": len(routing.recipients), "deliveries": pushed, "late": stale,
        },
    )  # fmt: skip
    return alert


def _tell(
    session: Session,
    alert: Alert,
    routing: Routing,
    facts: compose.HitFacts,
    config: AlertSettings,
    rose_to: int | None,
    skipped: dict[int, str],
    now: datetime,
) -> int:
    """Push what the policy decides for this sighting; the deliveries queued. A hit that
    should reach officers and reached nobody goes to the dispatcher queue, saying why."""
    assert alert.id is not None
    if not routing.push:
        return 0
    known = recipients.recipients_of(session, alert.id)
    if not known:
        notices = policy.first_push(
            routing.recipients, beat=alert.beat,
            why_now="a new hit" if alert.sightings == 1
            else f"the car was seen again ({alert.sightings} sightings); nobody told yet",
        )  # fmt: skip
    else:
        notices = policy.sighting(
            found=routing.recipients, holders=recipients.holders(known), priority_rose_to=rose_to,
            someone_responding=any(r.response in policy.RESPONDING for r in known.values()),
            quiet_interval=config.quiet_interval, now=now, beat=alert.beat,
        )  # fmt: skip
    queued = recipients.tell(
        session, alert=alert, notices=notices, now=now, known=known,
        message_for=partial(_message, facts, config),
    )  # fmt: skip
    if any(notice.loud for notice in notices):
        dispatch.clear(alert, now=now)
    elif not known and not alert.is_covert and not dispatch.is_queued(alert):
        why = "nobody on duty in range"
        if skipped:
            why = "the officers in range are busy or over their attention budget"
        dispatch.enqueue(alert, reason=why, hold=False, now=now)
    return queued


def by_entry(hits: Iterable[tuple[StoredRead, Hit]]) -> list[tuple[StoredRead, Hit]]:
    """Hits in the order their alerts are raised: by entry (the lock order), then read time."""
    return sorted(hits, key=lambda pair: (pair[1].entry_id, pair[0].read_at, pair[0].id))


def serialise(session: Session, entry_id: int) -> None:
    """Hold the entry's alert for the rest of the transaction, across processes: two processes
    reading the same car at the same moment would otherwise both find no open alert and raise
    two, with two pushes per officer under different collapse keys.

    A transaction-scoped advisory lock rather than a unique index: the open alert is found by
    a time window around the read, which no index can make unique, and the lock is released
    by commit or rollback with nothing to clean up. SQLite needs none: its writer holds the
    database's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        key = (_ALERT_LOCKS << 32) | (entry_id & 0xFFFF_FFFF)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _listed(session: Session, entry_id: int) -> tuple[HotListEntry, HotList] | None:
    found = session.execute(
        select(HotListEntry, HotList)
        .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
        .where(col(HotListEntry.id) == entry_id, col(HotListEntry.deleted_at).is_(None))
    ).first()
    return None if found is None else (found[0], found[1])


def _add_earlier(
    session: Session, alert: Alert, read: StoredRead, camera_name: str, hit_id: int, now: datetime
) -> Alert:
    details = HotListHitDetails.model_validate(alert.details)
    trail = _in_time_order([*details.trail, _trail_point(read, camera_name, hit_id)])
    alert.details = stored_json(details.model_copy(update={"trail": trail}))
    alert.sightings += 1
    alert.updated_at = now
    session.add(alert)
    session.flush()
    log.info("alert.earlier_sighting", extra={"alert_id": alert.id, "read_id": read.id})
    return alert


def _in_time_order(trail: list[HitTrailPoint]) -> list[HitTrailPoint]:
    """The newest TRAIL_LIMIT points, oldest first, whatever order they arrived in."""
    return sorted(trail, key=lambda point: (point.read_at, point.read_id))[-TRAIL_LIMIT:]


def _route(
    session: Session,
    *,
    read: StoredRead,
    priority: int,
    covert: bool,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
    exclude: Collection[int] = (),
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
        exclude=exclude,
    )


def _open_alert(
    session: Session, dedup_key: str, *, read_at: datetime, window: timedelta
) -> Alert | None:
    """The car's alert whose latest read is within `window` of this read, by read time: two
    reads a year apart are two events, however close together they arrive."""
    query = (
        select(Alert)
        .where(
            col(Alert.dedup_key) == dedup_key,
            col(Alert.read_at) >= read_at - window,
            col(Alert.read_at) <= read_at + window,
        )
        .order_by(col(Alert.read_at).desc(), col(Alert.id).desc())
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
    facts: compose.HitFacts, config: AlertSettings, notice: Notice, device: Device
) -> PushMessage:
    chosen = notice.chosen
    audience = compose.Audience() if chosen is None else compose.Audience(
        chosen.distance_m, chosen.bearing_deg
    )  # fmt: skip
    message = compose.message(
        facts, audience, token=device.token, platform=outbox.platform(device),
        detail=config.detail, ttl_s=config.ttl_s, tz=config.tz,
    )  # fmt: skip
    if notice.action == "hit":
        return message
    return replace(message, data={**message.data, "action": notice.action})


def _dispatch_first(hotlist: HotList) -> policy.DispatchFirst:
    try:
        return policy.DispatchFirst(hotlist.dispatch_first)
    except ValueError:  # a value written by a later version: the safest reading
        return policy.DispatchFirst.AUTO


def _trail_point(read: StoredRead, camera_name: str, hit_id: int) -> HitTrailPoint:
    return HitTrailPoint(
        read_id=read.id, hit_id=hit_id, read_at=read.read_at, camera=camera_name,
        lat=read.lat, lon=read.lon, heading_deg=read.heading_deg, beat=read.beat,
        plate=read.plate_key,
    )  # fmt: skip


def _vehicle(vehicle: compose.Vehicle) -> HitVehicle:
    return HitVehicle(
        year=vehicle.year,
        make=vehicle.make,
        model=vehicle.model,
        color=vehicle.color,
        type=vehicle.type,
    )
