"""Alerts: an officer sees their own, dispatchers and supervisors see all. Every view is audited."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlmodel import col

from app import audit
from app.delivery import recipients
from app.deps import SEES_ALL, ClockDep, CurrentUser, SessionDep
from app.errors import Forbidden, NotFound
from app.hotlists import covert
from app.models import Alert, AlertRecipient, AlertStatus, User
from app.schemas.alerts import (
    AckOut,
    AlertPublic,
    AlertsPublic,
    AlertSummary,
    details_of,
    match_of,
)
from app.schemas.common import MAX_ID, RowId

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("")
def list_alerts(
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> AlertsPublic:
    """Newest first, paged with `before_id`."""
    query = select(Alert).order_by(col(Alert.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(Alert.id) < before_id)
    if user.role not in SEES_ALL:
        mine = select(col(AlertRecipient.alert_id)).where(col(AlertRecipient.user_id) == user.id)
        query = query.where(col(Alert.id).in_(mine))
    query = query.where(covert.visible_alerts(user))
    alerts = session.scalars(query).all()
    counts = _recipient_counts(session, [a.id for a in alerts if a.id is not None])
    audit.record(
        session, actor=user, action="alert.list", now=clock(), object_type="alert",
        detail={"alert_ids": [a.id for a in alerts]},
    )  # fmt: skip
    summaries = [_summary(a, counts.get(_id(a), 0), match_of(a.details)) for a in alerts]
    return AlertsPublic(data=summaries, count=len(alerts))


@router.get("/{alert_id}")
def get_alert(
    alert_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep
) -> AlertPublic:
    """The whole alert: plate as read and as listed, match, warnings, list, reason, vehicle,
    place and time; for dispatchers also who was notified, delivered to and acknowledged."""
    alert = _visible_alert(session, alert_id, user)
    audit.record(
        session, actor=user, action="alert.view", now=clock(), object_type="alert",
        object_id=alert_id, plate=alert.plate,
    )  # fmt: skip
    notified = recipients.notified_people(session, alert_id)
    if user.role not in SEES_ALL:
        notified = [person for person in notified if person.user_id == user.id]
    details = details_of(alert.details)
    summary = _summary(alert, len(notified), details.match)
    return AlertPublic(
        **summary.model_dump(),
        body=alert.body,
        lat=alert.lat,
        lon=alert.lon,
        details=details,
        notified=notified,
    )


@router.post("/{alert_id}/ack")
def acknowledge(alert_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep) -> AckOut:
    """The officer has seen the alert. Acknowledging twice keeps the first time."""
    alert = _visible_alert(session, alert_id, user)
    recipient = session.scalars(
        select(AlertRecipient).where(
            col(AlertRecipient.alert_id) == alert_id, col(AlertRecipient.user_id) == user.id
        )
    ).first()
    if recipient is None:
        raise Forbidden("only an officer this alert was sent to can acknowledge it")
    now = clock()
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now
        session.add(recipient)
        audit.record(
            session,
            actor=user,
            action="alert.ack",
            now=now,
            object_type="alert",
            object_id=alert_id,
        )
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = now
        session.add(alert)
    return AckOut(alert_id=alert_id, acknowledged_at=recipient.acknowledged_at)


def _visible_alert(session: SessionDep, alert_id: int, user: User) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or not covert.may_see_alert(session, alert, user):
        raise NotFound(f"no alert with id {alert_id}")
    if user.role not in SEES_ALL:
        mine = session.scalars(
            select(col(AlertRecipient.id)).where(
                col(AlertRecipient.alert_id) == alert_id, col(AlertRecipient.user_id) == user.id
            )
        ).first()
        if mine is None:
            # Same answer as a missing alert: an officer learns nothing of others' alerts.
            raise NotFound(f"no alert with id {alert_id}")
    return alert


def _recipient_counts(session: SessionDep, alert_ids: list[int]) -> dict[int, int]:
    if not alert_ids:
        return {}
    rows = session.execute(
        select(col(AlertRecipient.alert_id), func.count())
        .where(col(AlertRecipient.alert_id).in_(alert_ids))
        .group_by(col(AlertRecipient.alert_id))
    ).all()
    return dict(rows)


def _summary(alert: Alert, recipients: int, match: str) -> AlertSummary:
    return AlertSummary(
        id=_id(alert),
        kind=alert.kind,
        priority=alert.priority,
        title=alert.title,
        plate=alert.plate,
        state=alert.state,
        match=match,
        read_at=alert.read_at,
        created_at=alert.created_at,
        status=alert.status,
        recipients=recipients,
        sightings=alert.sightings,
        beat=alert.beat,
        last_seen_at=alert.last_seen_at,
    )


def _id(row: Alert) -> int:
    assert row.id is not None  # read from the database
    return row.id
