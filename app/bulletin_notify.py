"""A bulletin's one alert and its pushes, written in the caller's transaction (the outbox).

Every bulletin has one Alert (kind "bulletin", dedup key `bulletin:<id>`), so recipients,
deliveries, acknowledgements and GET /v1/alerts/{id} work as for hot-list hits. Who is pushed:

- on posting: every on-duty officer with a fresh fix and a working device inside the area
  grown to now (`geo.areas`) plus `notify_margin_m`, and the officers assigned to its beats;
- on an update: everyone already told, and whoever the changed (or grown) area now covers;
- on a cancellation: everyone already told;
- on a match: the best-placed officers around the read (`alerts.routing.route`, as for a hit).

All of them on the thread `bulletin-<id>`, so each push replaces the last on the phone.
Priority 4 is never pushed.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session

from alerts import bulletins as text
from alerts.bulletins import Action, Audience, BulletinFacts
from alerts.push import Platform
from alerts.routing import PRIORITY_INFO, Routing, route
from app.bulletin_rules import ReadView, Rules, Watched
from app.hits import AlertSettings
from app.models import (
    Alert,
    AlertRecipient,
    Bulletin,
    BulletinMatch,
    BulletinStatus,
    Camera,
    Delivery,
    DeliveryStatus,
    Device,
    OfficerStatus,
    Read,
)
from app.officers import OfficerTracker
from geo import Point, Sighting, compass
from geo.motion import describe
from geo.zones import BeatMap

log = logging.getLogger(__name__)

MAX_BROADCAST = 500  # officers told at once about one bulletin; more is a region, not an area
TRAIL_LIMIT = 50  # trail points kept on the alert; GET /v1/bulletins/{id}/trail has them all
CANCEL_TTL_S = 24 * 3600  # a cancellation must still reach a phone that was off for hours
NO_EXPIRY_TTL_S = 24 * 3600
MAX_TTL_S = 28 * 24 * 3600  # FCM's limit


@dataclass(frozen=True, slots=True)
class BulletinContext:
    """What bulletin services need from the running app."""

    rules: Rules
    alerts: AlertSettings
    officers: OfficerTracker
    beats: BeatMap | None
    notify_margin_m: float = 500.0
    retro_max_reads: int = 200_000


@dataclass(frozen=True, slots=True)
class TrailPoint:
    match: BulletinMatch
    camera_id: int
    camera_name: str
    lat: float | None
    lon: float | None
    heading_deg: float | None
    state: str | None

    def sighting(self) -> text.Sighting:
        reasons = [r for r in self.match.reasons if r.get("result") != "unknown"]
        return text.Sighting(
            read_id=self.match.read_id, plate=self.match.plate, state=self.state,
            read_at=self.match.read_at, camera_name=self.camera_name, lat=self.lat,
            lon=self.lon, heading_deg=self.heading_deg,
            reasons=tuple(str(r.get("text")) for r in reasons),
            unknown=tuple(str(r.get("text")) for r in self.match.reasons if r not in reasons),
            warnings=tuple(self.match.warnings),
        )  # fmt: skip

    def to_dict(self, now: datetime) -> dict[str, Any]:
        m = self.match
        return {
            "read_id": m.read_id, "read_at": m.read_at.isoformat(), "plate": m.plate,
            "plate_key": m.plate_key, "state": self.state, "camera_id": self.camera_id,
            "camera": self.camera_name, "lat": self.lat, "lon": self.lon,
            "heading_deg": self.heading_deg,
            "heading": None if self.heading_deg is None else compass(self.heading_deg),
            "source": m.source, "score": m.score,
            "reasons": [r.get("text") for r in m.reasons if r.get("result") != "unknown"],
            "unknown": [r.get("text") for r in m.reasons if r.get("result") == "unknown"],
            "warnings": list(m.warnings), "seen": text.sighting_words(self.sighting(), now),
        }  # fmt: skip


def open_alert(session: Session, row: Bulletin, watched: Watched, now: datetime) -> Alert:
    """The bulletin's alert, created with it; `row.alert_id` points to it."""
    alert = Alert(
        kind="bulletin", dedup_key=f"bulletin:{row.id}", priority=row.priority, title="",
        body="", plate=row.plate_pattern or "", state=row.state, read_at=row.occurred_at,
        created_at=now, updated_at=now, last_seen_at=now, sightings=0,
        lat=watched.area.center.lat, lon=watched.area.center.lon,
    )  # fmt: skip
    session.add(alert)
    session.flush()
    row.alert_id = alert.id
    session.add(row)
    return alert


def alert_of(session: Session, row: Bulletin, *, lock: bool = False) -> Alert:
    query = select(Alert).where(Alert.id == row.alert_id)  # type: ignore[arg-type]
    alert = session.scalars(query.with_for_update() if lock else query).one()
    return alert


def trail(session: Session, bulletin_id: int, *, limit: int | None = None) -> list[TrailPoint]:
    """The reads that fit the bulletin, oldest first (the newest `limit` when given)."""
    query = (
        select(
            BulletinMatch,
            Read.camera_id,
            Camera.name,
            Read.lat,
            Read.lon,
            Read.heading_deg,
            Read.state,
        )
        .join(Read, Read.id == BulletinMatch.read_id)  # type: ignore[arg-type]
        .join(Camera, Camera.id == Read.camera_id)  # type: ignore[arg-type]
        .where(BulletinMatch.bulletin_id == bulletin_id)
        .order_by(BulletinMatch.read_at.desc(), BulletinMatch.id.desc())  # type: ignore[attr-defined, union-attr]
    )
    if limit is not None:
        query = query.limit(limit)
    points = [TrailPoint(*row) for row in session.execute(query).all()]
    return points[::-1]


def facts(
    session: Session, row: Bulletin, watched: Watched, alert: Alert, now: datetime
) -> BulletinFacts:
    assert row.id is not None and alert.id is not None
    newest = trail(session, row.id, limit=1)
    matches = session.scalar(
        select(func.count()).where(BulletinMatch.bulletin_id == row.id)  # type: ignore[arg-type]
    )
    warnings = []
    if watched.pattern is None and not watched.watches_description:
        warnings.append("No plate or make to watch for: cameras cannot look for this vehicle")
    return BulletinFacts(
        bulletin_id=row.id, alert_id=alert.id, version=row.version, kind=row.kind,
        priority=row.priority, occurred_at=row.occurred_at, expires_at=row.expires_at,
        area=watched.area.describe(), narrative=row.narrative, plate_pattern=row.plate_pattern,
        state=row.state, vehicle=watched.vehicle, year_max=row.vehicle_year_max,
        marks=row.vehicle_marks, direction_deg=row.direction_deg,
        case_number=row.case_number, status=status_of(row, now),
        cancel_reason=row.cancel_reason,
        last_seen=text.sighting_words(newest[0].sighting(), now) if newest else None,
        matches=int(matches or 0), warnings=tuple(warnings),
    )  # fmt: skip


def refresh_alert(
    session: Session,
    row: Bulletin,
    watched: Watched,
    alert: Alert,
    now: datetime,
    ctx: BulletinContext,
) -> BulletinFacts:
    """Bring the alert's title, body and details (trail included) up to date."""
    assert row.id is not None
    described = facts(session, row, watched, alert, now)
    points = trail(session, row.id, limit=TRAIL_LIMIT)
    action = Action.CANCEL if row.status == BulletinStatus.CANCELLED else Action.NEW
    alert.title = text.title(described, action)
    alert.body = text.summary(described, action, ctx.alerts.tz)
    alert.priority = row.priority
    alert.plate, alert.state = row.plate_pattern or "", row.state
    alert.sightings = described.matches
    alert.updated_at = now
    if points:
        alert.last_seen_at = max(alert.last_seen_at or now, points[-1].match.matched_at)
    alert.details = {  # a new dict: SQLAlchemy does not see changes made inside a JSON value
        "kind": "bulletin", "bulletin_id": row.id, "version": row.version,
        "status": described.status, "bulletin_kind": row.kind, "case_number": row.case_number,
        "narrative": row.narrative, "vehicle": text.vehicle_text(described),
        "plate_pattern": row.plate_pattern, "plate_key": row.plate_key,
        "direction_deg": row.direction_deg,
        "direction": None if row.direction_deg is None else compass(row.direction_deg),
        "area": row.area, "area_text": described.area,
        "occurred_at": row.occurred_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "cancel_reason": row.cancel_reason, "match": "bulletin",
        "matches": described.matches, "last_seen": described.last_seen,
        "warnings": sorted({w for p in points for w in p.match.warnings}),
        "trail": [p.to_dict(now) for p in points],
    }  # fmt: skip
    session.add(alert)
    return described


def status_of(row: Bulletin, now: datetime) -> str:
    if row.status == BulletinStatus.ACTIVE and row.expires_at is not None and row.expires_at <= now:
        return BulletinStatus.EXPIRED
    return row.status


def broadcast(
    session: Session,
    row: Bulletin,
    watched: Watched,
    alert: Alert,
    described: BulletinFacts,
    ctx: BulletinContext,
    now: datetime,
    *,
    action: Action,
) -> int:
    """Push NEW to the officers the area (grown to now) newly covers, and `action` (UPDATE or
    CANCEL) to everyone already told. Returns the deliveries queued."""
    if row.priority >= PRIORITY_INFO:
        return 0
    assert alert.id is not None
    known = _recipients(session, alert.id)
    queued = 0
    if action is not Action.NEW:
        for recipient in known.values():
            audience = _audience_of(ctx, watched, recipient.user_id)
            queued += _deliver(session, alert, recipient, described, action, audience, ctx, now)
    if action is Action.CANCEL:
        return queued
    reach = watched.reach(now, ctx.rules.growth).buffer(ctx.notify_margin_m)
    newcomers = [
        (officer_id, audience, reason)
        for officer_id, audience, reason in _covered(session, reach, watched, ctx, now)
        if officer_id not in known
    ]
    rank = len(known)
    for officer_id, audience, reason in newcomers:
        rank += 1
        recipient = AlertRecipient(
            alert_id=alert.id, user_id=officer_id, rank=rank, created_at=now, reason=reason,
            distance_m=None if audience.distance_m is None else round(audience.distance_m, 1),
        )  # fmt: skip
        session.add(recipient)
        session.flush()
        queued += _deliver(session, alert, recipient, described, Action.NEW, audience, ctx, now)
    log.info(
        "bulletin.pushed",
        extra={"bulletin_id": row.id, "alert_id": alert.id, "action": action.value,
               "told_before": len(known), "newly_covered": len(newcomers),
               "deliveries": queued},
    )  # fmt: skip
    return queued


def push_match(
    session: Session,
    *,
    watched: Watched,
    alert: Alert,
    described: BulletinFacts,
    read: ReadView,
    point: TrailPoint,
    previous: Sighting | None,
    repeat: bool,
    ctx: BulletinContext,
    now: datetime,
) -> int:
    """Push "possible match for bulletin #N" to the best placed around the read. A read of a
    car already matched within the merge window is pushed only to officers not pushed about this
    bulletin within the push interval."""
    if watched.priority >= PRIORITY_INFO or read.point is None:
        return 0
    assert alert.id is not None
    routing = _route(session, watched, read, previous, ctx, now)
    sighting = point.sighting()
    motion = describe(routing.motion, (now - read.read_at).total_seconds())
    sighting = text.Sighting(**{**_fields(sighting), "motion": motion})
    known = _recipients(session, alert.id)
    queued = 0
    for found in routing.recipients:
        recipient = known.get(found.officer_id)
        if recipient is None:
            recipient = AlertRecipient(
                alert_id=alert.id, user_id=found.officer_id, rank=len(known) + 1,
                created_at=now, reason=found.reason.value,
            )  # fmt: skip
            known[found.officer_id] = recipient
        elif (
            repeat
            and recipient.last_pushed_at is not None
            and now - recipient.last_pushed_at < ctx.alerts.push_interval
        ):
            continue
        recipient.distance_m = None if found.distance_m is None else round(found.distance_m, 1)
        recipient.eta_s = None if found.eta_s is None else round(found.eta_s, 1)
        session.add(recipient)
        session.flush()
        audience = Audience(found.distance_m, found.bearing_deg)
        queued += _deliver(
            session, alert, recipient, described, Action.MATCH, audience, ctx, now, sighting
        )
    return queued


def _fields(sighting: text.Sighting) -> dict[str, Any]:
    return {name: getattr(sighting, name) for name in text.Sighting.__dataclass_fields__}


def _route(
    session: Session,
    watched: Watched,
    read: ReadView,
    previous: Sighting | None,
    ctx: BulletinContext,
    now: datetime,
) -> Routing:
    assert read.point is not None
    heading = read.heading_deg if read.heading_deg is not None else watched.heading_deg
    ctx.officers.sync(session, now)
    return route(
        read=Sighting(read.point, read.read_at, heading_deg=heading),
        priority=watched.priority,
        officers=ctx.officers.index,
        config=ctx.alerts.routing,
        now=now,
        previous=previous,
        beat_officers=_beat_officers(session, [read.beat]) if read.beat else (),
    )


def _covered(
    session: Session, reach: Any, watched: Watched, ctx: BulletinContext, now: datetime
) -> list[tuple[int, Audience, str]]:
    """Officers inside `reach` (a geo.areas.Reach), nearest to the area first, then the
    officers assigned to the bulletin's beats."""
    ctx.officers.sync(session, now)
    center, radius_m = reach.bounding_circle()
    found = ctx.officers.index.nearest(
        center, now=now, radius_m=radius_m, fresh_for=ctx.alerts.routing.fresh_for,
        limit=MAX_BROADCAST, ranking=None,
    )  # fmt: skip
    if len(found) == MAX_BROADCAST:
        log.warning("bulletin.broadcast_capped", extra={"bulletin_id": watched.id})
    covered: list[tuple[int, Audience, str]] = []
    for nearby in found:
        position = ctx.officers.index.get(nearby.officer_id)
        if position is None or not reach.contains(position.point):
            continue
        to_area = watched.area.distance_m(position.point)
        covered.append(
            (nearby.officer_id, Audience(to_area, nearby.bearing_deg, to_area == 0.0), "area")
        )
    covered.sort(key=lambda c: (c[1].distance_m or 0.0, c[0]))
    chosen = {officer_id for officer_id, _, _ in covered}
    for officer_id in _beat_officers(session, watched.area.codes):
        if officer_id not in chosen:
            covered.append((officer_id, _audience_of(ctx, watched, officer_id), "beat"))
    return covered


def _audience_of(ctx: BulletinContext, watched: Watched, officer_id: int) -> Audience:
    position = ctx.officers.index.get(officer_id)
    if position is None:
        return Audience()
    from geo import bearing_deg

    to_area = watched.area.distance_m(position.point)
    return Audience(to_area, bearing_deg(position.point, watched.area.center), to_area == 0.0)


def _beat_officers(session: Session, codes: Iterable[str | None]) -> list[int]:
    wanted = [code for code in codes if code]
    if not wanted:
        return []
    has_device = exists().where(
        and_(Device.user_id == OfficerStatus.user_id, Device.is_active)  # type: ignore[arg-type]
    )
    query = select(OfficerStatus.user_id).where(
        OfficerStatus.assigned_beat.in_(wanted),  # type: ignore[union-attr]
        OfficerStatus.on_duty,  # type: ignore[arg-type]
        has_device,
    )
    return sorted(user_id for user_id in session.scalars(query) if user_id is not None)


def _recipients(session: Session, alert_id: int) -> dict[int, AlertRecipient]:
    query = select(AlertRecipient).where(AlertRecipient.alert_id == alert_id)
    return {r.user_id: r for r in session.scalars(query.order_by(AlertRecipient.rank))}  # type: ignore[arg-type]


def _deliver(
    session: Session,
    alert: Alert,
    recipient: AlertRecipient,
    described: BulletinFacts,
    action: Action,
    audience: Audience,
    ctx: BulletinContext,
    now: datetime,
    sighting: text.Sighting | None = None,
) -> int:
    """One Delivery per working device of the recipient."""
    assert alert.id is not None and recipient.id is not None
    recipient.last_pushed_at = now
    session.add(recipient)
    ttl_s = _ttl_s(described, action, ctx, now)
    devices = session.scalars(
        select(Device).where(Device.user_id == recipient.user_id, Device.is_active)  # type: ignore[arg-type]
    ).all()
    for device in devices:
        message = text.message(
            described, action, audience, token=device.token, platform=Platform(device.platform),
            detail=ctx.alerts.detail, ttl_s=ttl_s, tz=ctx.alerts.tz, sighting=sighting,
        )  # fmt: skip
        session.add(
            Delivery(
                alert_id=alert.id,
                recipient_id=recipient.id,
                device_id=device.id,
                priority=described.priority,
                message=message.to_dict(),
                status=DeliveryStatus.QUEUED,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    return len(devices)


def _ttl_s(described: BulletinFacts, action: Action, ctx: BulletinContext, now: datetime) -> int:
    """A match is stale after minutes; a cancellation must arrive; a bulletin lasts until it
    expires."""
    if action is Action.MATCH:
        return ctx.alerts.ttl_s
    if action is Action.CANCEL:
        return CANCEL_TTL_S
    if described.expires_at is None:
        return NO_EXPIRY_TTL_S
    left = (described.expires_at - now).total_seconds()
    return int(max(60.0, min(left, MAX_TTL_S)))


def recipient_position(ctx: BulletinContext, officer_id: int) -> Point | None:
    position = ctx.officers.index.get(officer_id)
    return None if position is None else position.point
