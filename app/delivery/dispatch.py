"""The dispatcher queue and officers' attention, as stored (alerts.policy decides).

A hit waits in the queue (`alert.dispatch_queued_at`, `dispatch_reason`) when its list's
policy holds it for a dispatcher's look (`dispatch_hold`: no officer hears of it until it is
promoted), or when nobody could be told of it (everyone in range busy, over their budget, or
nobody in range): never silently nowhere. It leaves the queue when promoted
(`dispatch_cleared_by`) or when officers are told after all.

An officer's attention: the open alerts they are responding to or on scene at, and their
loud pushes of the last hour (`alert_notice`).
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts.policy import RESPONDING, Attention, spared
from app.models import Alert, AlertNotice, AlertRecipient, AlertStatus


def busy_officers(session: Session, *, besides: int | None) -> set[int]:
    """Officers responding to or on scene at an open alert other than `besides`."""
    query = (
        select(col(AlertRecipient.user_id))
        .join(Alert, col(Alert.id) == AlertRecipient.alert_id)
        .where(
            col(AlertRecipient.response).in_(sorted(RESPONDING)),
            col(Alert.status) != AlertStatus.CLOSED,
        )
    )
    if besides is not None:
        query = query.where(col(Alert.id) != besides)
    return set(session.scalars(query))


def loud_pushes_since(session: Session, since: datetime, *, at_least: int) -> dict[int, int]:
    """Officers with at least `at_least` loud pushes since `since`, with their count."""
    rows = session.execute(
        select(col(AlertNotice.user_id), func.count())
        .where(col(AlertNotice.at) >= since, col(AlertNotice.loud))
        .group_by(col(AlertNotice.user_id))
        .having(func.count() >= at_least)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}


def spared_officers(
    session: Session, *, priority: int, alert_id: int | None, rules: Attention, now: datetime
) -> dict[int, str]:
    """The officers not to tell of a hit of `priority` (alerts.policy.spared), with why."""
    busy = busy_officers(session, besides=alert_id) if rules.skips_busy(priority) else set()
    spent: Mapping[int, int] = (
        loud_pushes_since(session, now - rules.budget_window, at_least=rules.budget_per_hour)
        if rules.budgets(priority)
        else {}
    )
    return spared(priority=priority, busy=busy, loud_last_hour=spent, rules=rules)


def enqueue(alert: Alert, *, reason: str, hold: bool, now: datetime) -> None:
    """Put the alert in the dispatcher queue (again, if it left it)."""
    alert.dispatch_queued_at = now
    alert.dispatch_reason = reason
    alert.dispatch_hold = hold
    alert.dispatch_cleared_at = alert.dispatch_cleared_by = None


def clear(alert: Alert, *, now: datetime, by: int | None = None) -> None:
    """The alert leaves the queue: promoted by `by`, or officers were told."""
    if alert.dispatch_queued_at is not None and alert.dispatch_cleared_at is None:
        alert.dispatch_cleared_at = now
        alert.dispatch_cleared_by = by
    alert.dispatch_hold = False


def is_queued(alert: Alert) -> bool:
    return alert.dispatch_queued_at is not None and alert.dispatch_cleared_at is None


def queued(session: Session, *, limit: int, offset: int = 0) -> tuple[list[Alert], int]:
    """Open alerts waiting in the queue, the most urgent first, then the oldest; and how many
    there are. Covert hits are never queued."""
    waiting = (
        col(Alert.dispatch_queued_at).is_not(None),
        col(Alert.dispatch_cleared_at).is_(None),
        col(Alert.status) != AlertStatus.CLOSED,
    )
    rows = session.scalars(
        select(Alert)
        .where(*waiting)
        .order_by(col(Alert.priority), col(Alert.dispatch_queued_at), col(Alert.id))
        .limit(limit)
        .offset(offset)
    )
    count = session.scalar(select(func.count()).select_from(Alert).where(*waiting))
    return list(rows), int(count or 0)
