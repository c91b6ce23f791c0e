"""An alert's timers: the confirmation request's expiry and the next escalation step, each a
column, and `due_at`, the earlier of them, which the worker claims due alerts by."""

from datetime import datetime

from sqlmodel import Session

from app.delivery import outbox
from app.models import Alert


def reschedule(alert: Alert) -> None:
    """Set `due_at` from the alert's timers (None: nothing pending)."""
    pending = [t for t in (alert.confirmation_due_at, alert.escalation_due_at) if t is not None]
    alert.due_at = min(pending, default=None)


def stop_all(alert: Alert) -> None:
    """A closed alert runs no timer."""
    alert.confirmation_due_at = alert.escalation_due_at = alert.due_at = None


def wake_if_due(session: Session, alert: Alert, now: datetime) -> None:
    """A timer due now (everyone told refused) wakes the workers when the change commits,
    rather than at their next poll."""
    if alert.due_at is not None and alert.due_at <= now:
        outbox.wake_after_commit(session)
