"""Confirming a hit's record with its originating agency before anyone acts on it (DOMAIN.md
5.1): requested by an officer or a dispatcher, answered by a dispatcher (or an integration),
or expired unanswered by the worker when its time is up (NCIC: 10 min urgent, 1 h routine).

Every change is a row of `alert_confirmation` and an update on the alert's thread to everyone
who has it. A record not confirmed closes the alert at once (`record_invalid`).
"""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from alerts import updates
from alerts.errors import InvalidTransition
from alerts.lifecycle import Confirmation, Disposition, confirmation_changes, is_urgent
from app import audit
from app.delivery.recipients import AlertSettings
from app.lifecycle import outcomes
from app.lifecycle.due import reschedule
from app.lifecycle.threads import is_hit, tell, thread_of, unit_of
from app.models import Alert, AlertConfirmation, AlertStatus, User

log = logging.getLogger(__name__)


def record(
    session: Session,
    alert: Alert,
    *,
    wanted: Confirmation,
    user: User,
    note: str | None,
    now: datetime,
    config: AlertSettings,
) -> bool:
    """Ask for confirmation, or record the agency's answer; False when nothing changed (asked
    again while pending, the same answer twice). Raises InvalidTransition for a bulletin's
    alert, a closed alert, or an answer that contradicts the one given. The caller checks
    who may do what (officers may only ask)."""
    assert alert.id is not None
    if not is_hit(alert):
        raise InvalidTransition("only a hot-list hit is confirmed with an originating agency")
    if alert.status == AlertStatus.CLOSED:
        raise InvalidTransition(f"the alert is closed ({alert.disposition})")
    if not confirmation_changes(Confirmation(alert.confirmation), wanted):
        return False
    urgent = None
    if wanted is Confirmation.REQUESTED:
        urgent = is_urgent(alert.priority)
        alert.confirmation_urgent = urgent
        alert.confirmation_requested_at, alert.confirmation_requested_by = now, user.id
        alert.confirmation_due_at = now + config.lifecycle.confirm_within(urgent)
    else:
        alert.confirmation_answered_at, alert.confirmation_answered_by = now, user.id
        alert.confirmation_due_at = None
    alert.confirmation, alert.confirmation_note, alert.updated_at = wanted.value, note, now
    reschedule(alert)
    session.add(alert)
    session.add(
        AlertConfirmation(
            alert_id=alert.id, state=wanted.value, user_id=user.id, note=note, urgent=urgent,
            due_at=alert.confirmation_due_at, at=now,
        )
    )  # fmt: skip
    audit.record(
        session, actor=user, action=f"alert.confirmation.{wanted.value}", now=now,
        object_type="alert", object_id=alert.id, plate=alert.plate, detail={"note": note},
    )  # fmt: skip
    if wanted is Confirmation.NOT_CONFIRMED:
        # Closed for officers at once; the update below is the closing push.
        outcomes.close(
            session, alert, disposition=Disposition.RECORD_INVALID, result=None,
            note=f"not confirmed: {note}" if note else "not confirmed", user=user, now=now,
            config=config, push=False,
        )  # fmt: skip
    update = updates.confirmation(
        thread_of(alert), wanted, who=unit_of(user), note=note,
        due_at=alert.confirmation_due_at, now=now, tz=config.tz,
    )  # fmt: skip
    queued = tell(session, alert, update, config=config, now=now,
                  ttl_s=config.lifecycle.update_ttl_s)  # fmt: skip
    log.info(
        "alert.confirmation",
        extra={"alert_id": alert.id, "state": wanted.value, "user_id": user.id,
               "deliveries": queued},
    )  # fmt: skip
    return True


def expire(session: Session, alert: Alert, *, now: datetime, config: AlertSettings) -> None:
    """The request's time is up without an answer (the worker, when `confirmation_due_at`
    has passed)."""
    assert alert.id is not None
    due = alert.confirmation_due_at
    alert.confirmation_due_at = None
    reschedule(alert)
    if alert.confirmation != Confirmation.REQUESTED or alert.status == AlertStatus.CLOSED:
        return
    asked = alert.confirmation_requested_at
    waited = "no answer in time"
    if asked is not None and due is not None:
        waited = f"no answer within {updates.duration((due - asked).total_seconds())}"
    alert.confirmation, alert.confirmation_note, alert.updated_at = "expired", waited, now
    session.add(
        AlertConfirmation(
            alert_id=alert.id, state=Confirmation.EXPIRED.value, user_id=None, note=waited,
            urgent=alert.confirmation_urgent, due_at=due, at=now,
        )
    )  # fmt: skip
    update = updates.confirmation(
        thread_of(alert), Confirmation.EXPIRED, who=None, note=None, due_at=None, now=now,
        tz=config.tz,
    )  # fmt: skip
    queued = tell(session, alert, update, config=config, now=now,
                  ttl_s=config.lifecycle.update_ttl_s)  # fmt: skip
    log.info("alert.confirmation_expired", extra={"alert_id": alert.id, "deliveries": queued})


def pending(
    session: Session, *, states: tuple[Confirmation, ...], covert: bool, limit: int
) -> list[Alert]:
    """Open hits whose confirmation is in `states`, soonest due (then oldest request) first;
    covert lists' hits only when `covert`."""
    query = (
        select(Alert)
        .where(
            col(Alert.confirmation).in_([s.value for s in states]),
            col(Alert.status) != AlertStatus.CLOSED,
            col(Alert.kind).in_(["hotlist_hit", "historical_hit"]),
        )
        .order_by(
            col(Alert.confirmation_due_at).is_(None),
            col(Alert.confirmation_due_at),
            col(Alert.confirmation_requested_at),
            col(Alert.id),
        )
        .limit(limit)
    )
    if not covert:
        query = query.where(~col(Alert.is_covert))
    return list(session.scalars(query))
