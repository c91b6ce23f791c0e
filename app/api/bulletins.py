"""Bulletins (BOLOs): dispatchers, supervisors and admins post, change and cancel them; every
look and change is audited. Officers may read the bulletins they were sent."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from sqlalchemy import ColumnElement, exists, select
from sqlmodel import col

from app import audit
from app.bulletins import service as bulletins
from app.bulletins.alert import TrailPoint, status_of, trail
from app.bulletins.push import BulletinContext
from app.bulletins.rules import compile_row
from app.bulletins.watch import BulletinWatch, invalidate_after_commit
from app.delivery import recipients
from app.deps import (
    SEES_ALL,
    ClockDep,
    CurrentUser,
    Dispatcher,
    Overseer,
    RuntimeDep,
    SessionDep,
)
from app.errors import NotFound
from app.models import (
    AlertRecipient,
    Bulletin,
    BulletinStatus,
    DeliveryStatus,
    User,
)
from app.schemas.bulletins import (
    BulletinCancel,
    BulletinCreate,
    BulletinPublic,
    BulletinsPublic,
    BulletinUpdate,
    BulletinView,
    DeliveryCounts,
    TrailPointPublic,
    TrailPublic,
    TrailVehicle,
)
from app.schemas.common import MAX_ID, RowId

router = APIRouter(prefix="/bulletins", tags=["bulletins"])

HITS_SHOWN = 20
TRAIL_SHOWN = 50


def _watch(runtime: RuntimeDep) -> BulletinWatch:
    return runtime.bulletins


Watch = Annotated[BulletinWatch, Depends(_watch)]


@router.post("", status_code=201)
def create_bulletin(
    body: BulletinCreate, session: SessionDep, user: Dispatcher, clock: ClockDep, watch: Watch
) -> BulletinView:
    """Post a bulletin. On-duty officers inside its area (grown with the time since the
    incident) are pushed at once; stored reads since shortly before the incident are searched;
    from now on every read is checked against it until it expires or is cancelled."""
    now = clock()
    row = bulletins.create(session=session, data=body, author=user, now=now, ctx=watch.context)
    invalidate_after_commit(session, watch)
    session.commit()  # the officers in the area are pushed now; the trail search follows
    bulletins.search_back(session=session, row=row, actor=user, now=now, ctx=watch.context)
    return _view(session, row, now, watch.context)


@router.get("")
def list_bulletins(
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    watch: Watch,
    status: Literal["active", "cancelled", "expired", "all"] = "active",
    kind: Annotated[str | None, Query(max_length=40)] = None,
    case_number: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> BulletinsPublic:
    """Bulletins, newest first: the active ones unless `status` says otherwise. Officers see
    the ones they were sent."""
    now = clock()
    query = select(Bulletin).order_by(col(Bulletin.id).desc()).limit(limit)
    live = col(Bulletin.expires_at).is_(None) | (col(Bulletin.expires_at) > now)
    if status == "active":
        query = query.where(col(Bulletin.status) == BulletinStatus.ACTIVE, live)
    elif status == "expired":
        query = query.where(col(Bulletin.status) == BulletinStatus.ACTIVE, ~live)
    elif status == "cancelled":
        query = query.where(col(Bulletin.status) == BulletinStatus.CANCELLED)
    if kind:
        query = query.where(col(Bulletin.kind) == kind)
    if case_number:
        query = query.where(col(Bulletin.case_number) == case_number)
    if before_id is not None:
        query = query.where(col(Bulletin.id) < before_id)
    if user.role not in SEES_ALL:
        query = query.where(_sent_to(user))
    rows = session.scalars(query).all()
    audit.record(
        session, actor=user, action="bulletin.list", now=now, object_type="bulletin",
        detail={"status": status, "kind": kind, "case_number": case_number,
                "bulletin_ids": [r.id for r in rows]},
    )  # fmt: skip
    data = [bulletins.public(session, row, now, watch.context) for row in rows]
    return BulletinsPublic(data=data, count=len(data))


@router.get("/{bulletin_id}")
def get_bulletin(
    bulletin_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep, watch: Watch
) -> BulletinPublic:
    """One bulletin. Dispatchers see who was told and what fits it at /status."""
    row = _visible(session, bulletin_id, user)
    now = clock()
    audit.record(
        session, actor=user, action="bulletin.view", now=now, object_type="bulletin",
        object_id=bulletin_id, plate=row.plate_key,
    )  # fmt: skip
    return bulletins.public(session, row, now, watch.context)


@router.get("/{bulletin_id}/status")
def get_bulletin_status(
    bulletin_id: RowId, session: SessionDep, user: Overseer, clock: ClockDep, watch: Watch
) -> BulletinView:
    """The dispatcher's view: who was notified, delivered to and acknowledged; the reads that
    fit it, best first; its trail; and where the car may be now."""
    row = _visible(session, bulletin_id, user)
    now = clock()
    audit.record(
        session, actor=user, action="bulletin.status.view", now=now, object_type="bulletin",
        object_id=bulletin_id, plate=row.plate_key,
    )  # fmt: skip
    return _view(session, row, now, watch.context)


@router.patch("/{bulletin_id}")
def update_bulletin(
    bulletin_id: RowId,
    body: BulletinUpdate,
    session: SessionDep,
    user: Dispatcher,
    clock: ClockDep,
    watch: Watch,
) -> BulletinView:
    """Change a bulletin (only the fields sent). Everyone already told gets the update on the
    same notification; officers the changed area now covers get it for the first time."""
    now = clock()
    row = _locked(session, bulletin_id)
    watched_changed = bulletins.update(
        session=session, row=row, data=body, actor=user, now=now, ctx=watch.context
    )
    invalidate_after_commit(session, watch)
    if watched_changed:
        session.commit()  # the change is pushed now; the trail search follows
        bulletins.search_back(session=session, row=row, actor=user, now=now, ctx=watch.context)
    return _view(session, row, now, watch.context)


@router.post("/{bulletin_id}/cancel")
def cancel_bulletin(
    bulletin_id: RowId,
    body: BulletinCancel,
    session: SessionDep,
    user: Dispatcher,
    clock: ClockDep,
    watch: Watch,
) -> BulletinView:
    """Cancel a bulletin, e.g. "vehicle located". Everyone told gets "CANCELLED" on the same
    notification, which the app clears; the watch stops."""
    now = clock()
    row = _locked(session, bulletin_id)
    bulletins.cancel(
        session=session, row=row, reason=body.reason, actor=user, now=now, ctx=watch.context
    )
    invalidate_after_commit(session, watch)
    return _view(session, row, now, watch.context)


@router.get("/{bulletin_id}/trail")
def get_trail(
    bulletin_id: RowId,
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    watch: Watch,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> TrailPublic:
    """The reads that fit the bulletin, oldest first (camera, place, heading, time, why), and
    the cars among them, best candidate first."""
    row = _visible(session, bulletin_id, user)
    assert row.id is not None
    now, tz = clock(), watch.context.alerts.tz
    points = trail(session, row.id, limit=limit)
    audit.record(
        session, actor=user, action="bulletin.trail.view", now=now, object_type="bulletin",
        object_id=bulletin_id, plate=row.plate_key, detail={"points": len(points)},
    )  # fmt: skip
    return TrailPublic(
        bulletin_id=row.id,
        count=len(points),
        points=[_point(p, now, tz) for p in points],
        vehicles=_vehicles(points, now, tz),
    )


def _view(session: SessionDep, row: Bulletin, now: datetime, ctx: BulletinContext) -> BulletinView:
    tz = ctx.alerts.tz
    assert row.id is not None
    notified = recipients.notified_people(session, row.alert_id) if row.alert_id else []
    states = [
        ({d.status for d in person.deliveries}, person.acknowledged_at is not None)
        for person in notified
    ]
    counts = DeliveryCounts(
        notified=len(states),
        delivered=sum(DeliveryStatus.SENT in s for s, _ in states),
        acknowledged=sum(acked for _, acked in states),
        pending=sum(
            DeliveryStatus.SENT not in s
            and bool(s & {DeliveryStatus.QUEUED, DeliveryStatus.SENDING})
            for s, _ in states
        ),
        failed=sum(bool(s) and s <= {DeliveryStatus.FAILED} for s, _ in states),
    )
    points = trail(session, row.id)
    watched = compile_row(row, ctx.beats)
    area = None
    if status_of(row, now) == BulletinStatus.ACTIVE:
        reach = watched.reach(now, ctx.rules.growth).buffer(ctx.notify_margin_m)
        area = reach.to_geojson()
    public = bulletins.public(session, row, now, ctx)
    best = sorted(points, key=lambda p: (-p.match.score, -p.match.read_at.timestamp()))
    return BulletinView(
        **public.model_dump(),
        counts=counts,
        notified=notified,
        hits=[_point(p, now, tz) for p in best[:HITS_SHOWN]],
        trail=[_point(p, now, tz) for p in points[-TRAIL_SHOWN:]],
        search_area=area,
    )


def _point(point: TrailPoint, now: datetime, tz: ZoneInfo) -> TrailPointPublic:
    return TrailPointPublic.model_validate(point.detail(now, tz).model_dump())


def _vehicles(points: list[TrailPoint], now: datetime, tz: ZoneInfo) -> list[TrailVehicle]:
    groups: dict[str, list[TrailPoint]] = {}
    for point in points:
        groups.setdefault(point.match.plate_key, []).append(point)
    cars = [
        TrailVehicle(
            plate_key=key,
            plates=sorted({p.match.plate for p in group}),
            sightings=len(group),
            first_seen_at=group[0].match.read_at,
            last_seen_at=group[-1].match.read_at,
            best_score=max(p.match.score for p in group),
            last_seen=group[-1].detail(now, tz).seen,
        )
        for key, group in groups.items()
    ]
    return sorted(cars, key=lambda c: (-c.best_score, -c.last_seen_at.timestamp()))


def _sent_to(user: User) -> ColumnElement[bool]:
    return exists().where(
        col(AlertRecipient.alert_id) == Bulletin.alert_id,
        col(AlertRecipient.user_id) == user.id,
    )


def _visible(session: SessionDep, bulletin_id: int, user: User) -> Bulletin:
    row = session.get(Bulletin, bulletin_id)
    if row is None:
        raise NotFound(f"no bulletin with id {bulletin_id}")
    if user.role in SEES_ALL:
        return row
    sent = session.scalar(
        select(col(AlertRecipient.id)).where(
            col(AlertRecipient.alert_id) == row.alert_id, col(AlertRecipient.user_id) == user.id
        )
    )
    if sent is None:
        # Same answer as a missing bulletin: officers see only what they were sent.
        raise NotFound(f"no bulletin with id {bulletin_id}")
    return row


def _locked(session: SessionDep, bulletin_id: int) -> Bulletin:
    row = session.scalars(
        select(Bulletin).where(col(Bulletin.id) == bulletin_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no bulletin with id {bulletin_id}")
    return row
