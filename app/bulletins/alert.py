"""A bulletin's one alert (kind "bulletin", dedup key `bulletin:<id>`): its title, body and
details, with the trail of the reads that fit it, kept up to date in the caller's transaction.
Recipients, deliveries, acknowledgements and GET /v1/alerts/{id} work as for hot-list hits.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts import bulletins as text
from alerts.bulletins import Action, BulletinFacts
from app.bulletins.rules import Watched
from app.models import Alert, Bulletin, BulletinMatch, BulletinStatus, Camera, Read
from app.schemas.alerts import BulletinDetails, BulletinTrailPoint, stored_json
from geo import compass

TRAIL_LIMIT = 50  # trail points kept on the alert; GET /v1/bulletins/{id}/trail has them all


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

    def detail(self, now: datetime, tz: ZoneInfo) -> BulletinTrailPoint:
        """The point as the alert's details and the bulletin's trail show it."""
        m = self.match
        return BulletinTrailPoint(
            read_id=m.read_id, read_at=m.read_at, plate=m.plate, plate_key=m.plate_key,
            state=self.state, camera_id=self.camera_id, camera=self.camera_name, lat=self.lat,
            lon=self.lon, heading_deg=self.heading_deg,
            heading=None if self.heading_deg is None else compass(self.heading_deg),
            source=m.source, score=m.score,
            reasons=[r["text"] for r in m.reasons if r.get("result") != "unknown"],
            unknown=[r["text"] for r in m.reasons if r.get("result") == "unknown"],
            warnings=list(m.warnings), seen=text.sighting_words(self.sighting(), now, tz),
        )  # fmt: skip


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
    query = select(Alert).where(col(Alert.id) == row.alert_id)
    alert = session.scalars(query.with_for_update() if lock else query).one()
    return alert


def trail(session: Session, bulletin_id: int, *, limit: int | None = None) -> list[TrailPoint]:
    """The reads that fit the bulletin, oldest first (the newest `limit` when given)."""
    query = (
        select(
            BulletinMatch,
            col(Read.camera_id),
            col(Camera.name),
            col(Read.lat),
            col(Read.lon),
            col(Read.heading_deg),
            col(Read.state),
        )
        .join(Read, col(Read.id) == BulletinMatch.read_id)
        .join(Camera, col(Camera.id) == Read.camera_id)
        .where(col(BulletinMatch.bulletin_id) == bulletin_id)
        .order_by(col(BulletinMatch.read_at).desc(), col(BulletinMatch.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    points = [TrailPoint(*row) for row in session.execute(query).all()]
    return points[::-1]


def facts(
    session: Session,
    row: Bulletin,
    watched: Watched,
    alert: Alert,
    now: datetime,
    tz: ZoneInfo,
    newest: list[TrailPoint] | None = None,
) -> BulletinFacts:
    """The bulletin as the phone describes it; `newest` ends with its newest trail point
    (read from the database when not given)."""
    assert row.id is not None and alert.id is not None
    if newest is None:
        newest = trail(session, row.id, limit=1)
    matches = session.scalar(select(func.count()).where(col(BulletinMatch.bulletin_id) == row.id))
    warnings = []
    if watched.pattern is None and not watched.watches_description:
        warnings.append(
            "No plate pattern, or make and model, to watch for: cameras cannot look for it"
        )
    return BulletinFacts(
        bulletin_id=row.id, alert_id=alert.id, version=row.version, kind=row.kind,
        priority=row.priority, occurred_at=row.occurred_at, expires_at=row.expires_at,
        area=watched.area.describe(), composed_at=now, narrative=row.narrative,
        plate_pattern=row.plate_pattern,
        state=row.state, vehicle=watched.vehicle, year_max=row.vehicle_year_max,
        marks=row.vehicle_marks, direction_deg=row.direction_deg,
        case_number=row.case_number, status=status_of(row, now),
        cancel_reason=row.cancel_reason,
        last_seen=text.sighting_words(newest[-1].sighting(), now, tz) if newest else None,
        matches=int(matches or 0), warnings=tuple(warnings),
    )  # fmt: skip


def refresh_alert(
    session: Session,
    row: Bulletin,
    watched: Watched,
    alert: Alert,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[BulletinFacts, list[TrailPoint]]:
    """Bring the alert's title, body and details (trail included) up to date; returns the
    bulletin's facts and the newest TRAIL_LIMIT trail points, oldest first."""
    assert row.id is not None
    points = trail(session, row.id, limit=TRAIL_LIMIT)
    described = facts(session, row, watched, alert, now, tz, newest=points)
    action = Action.CANCEL if row.status == BulletinStatus.CANCELLED else Action.NEW
    alert.title = text.title(described, action)
    alert.body = text.summary(described, action, tz)
    alert.priority = row.priority
    alert.plate, alert.state = row.plate_pattern or "", row.state
    alert.sightings = described.matches
    alert.updated_at = now
    if points:
        alert.last_seen_at = max(alert.last_seen_at or now, points[-1].match.matched_at)
    details = BulletinDetails(
        kind="bulletin", bulletin_id=row.id, version=row.version,
        status=described.status, bulletin_kind=row.kind, case_number=row.case_number,
        narrative=row.narrative, vehicle=text.vehicle_text(described),
        plate_pattern=row.plate_pattern, plate_key=row.plate_key,
        direction_deg=row.direction_deg,
        direction=None if row.direction_deg is None else compass(row.direction_deg),
        area=row.area, area_text=described.area, occurred_at=row.occurred_at,
        expires_at=row.expires_at, cancel_reason=row.cancel_reason, match="bulletin",
        matches=described.matches, last_seen=described.last_seen,
        warnings=sorted({w for p in points for w in p.match.warnings}),
        trail=[p.detail(now, tz) for p in points],
    )  # fmt: skip
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    alert.details = stored_json(details)
    session.add(alert)
    return described, points


def status_of(row: Bulletin, now: datetime) -> str:
    if row.status == BulletinStatus.ACTIVE and row.expires_at is not None and row.expires_at <= now:
        return BulletinStatus.EXPIRED
    return row.status
