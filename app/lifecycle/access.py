"""Who may see and answer an alert, and the alert as it is served: one place for the API and
the pages. An officer sees the alerts sent to them; dispatchers, supervisors, admins and
auditors see all (covert lists aside, app/hotlists/covert.py)."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.delivery import recipients
from app.delivery.recipients import AlertSettings
from app.errors import Forbidden, NotFound
from app.hotlists import covert
from app.lifecycle import view
from app.lifecycle.threads import is_hit
from app.models import Alert, AlertRecipient, Role, User
from app.schemas.alerts import AlertPublic, AlertSummary, details_of

SEES_ALL = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR})
ANSWERS_CONFIRMATION = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
CLOSES_ANY = ANSWERS_CONFIRMATION  # besides an officer the alert was sent to


def visible_alert(session: Session, alert_id: int, user: User) -> Alert:
    """The alert, or NotFound when it does not exist or `user` may not see it."""
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


def locked_alert(session: Session, alert_id: int, user: User) -> Alert:
    """The alert, visible to `user`, locked for the rest of the transaction: a timer firing
    at the same moment waits, then sees the change (and the other way round)."""
    visible_alert(session, alert_id, user)
    locked = session.get(Alert, alert_id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


def recipient_of(session: Session, alert_id: int, user: User, doing: str) -> AlertRecipient:
    """`user`'s place among the alert's recipients, or Forbidden naming what they tried."""
    recipient = session.scalars(
        select(AlertRecipient).where(
            col(AlertRecipient.alert_id) == alert_id, col(AlertRecipient.user_id) == user.id
        )
    ).first()
    if recipient is None:
        raise Forbidden(f"only an officer this alert was sent to can {doing} it")
    return recipient


def public(
    session: Session, alert: Alert, user: User, *, config: AlertSettings, now: datetime
) -> AlertPublic:
    """The whole alert as `user` may see it, with its life after the push."""
    assert alert.id is not None
    notified = recipients.notified_people(session, alert.id)
    if user.role not in SEES_ALL:
        notified = [person for person in notified if person.user_id == user.id]
    details = view.with_life(session, alert, details_of(alert.details), now=now, config=config)
    return AlertPublic(
        **summary(alert, len(notified), details.match).model_dump(),
        body=alert.body,
        lat=alert.lat,
        lon=alert.lon,
        details=details,
        notified=notified,
    )


def summary(alert: Alert, recipient_count: int, match: str) -> AlertSummary:
    assert alert.id is not None  # read from the database
    return AlertSummary(
        id=alert.id,
        kind=alert.kind,
        priority=alert.priority,
        title=alert.title,
        plate=alert.plate,
        state=alert.state,
        match=match,
        read_at=alert.read_at,
        created_at=alert.created_at,
        status=alert.status,
        recipients=recipient_count,
        sightings=alert.sightings,
        beat=alert.beat,
        last_seen_at=alert.last_seen_at,
        confirmation=alert.confirmation if is_hit(alert) else None,
        escalation_level=alert.escalation_level,
        escalated_at=alert.escalated_at,
        disposition=alert.disposition,
        closed_at=alert.closed_at,
    )
