"""The alerts' timers, run by the push worker: a confirmation request expiring, the next
escalation step. They live in the database (`alert.due_at`), never in a process's memory, so
killing and restarting every process loses none and fires none twice.

Each due alert is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` and fired in that same
transaction, which records what the timer did (an `alert_escalation` row, deliveries in the
outbox) and moves `due_at` on. A process killed while firing rolls the whole of it back, and
the alert is claimed again; a process that commits leaves nothing due. So no lease is needed,
as it is for deliveries, whose send happens outside any transaction. Other workers skip the
row while it is locked; SQLite serialises writers instead. One alert per transaction: an
alert that fails to fire holds back no other, and is tried again after a back-off.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.db import transaction
from app.delivery.recipients import AlertSettings
from app.lifecycle import confirmation, escalation
from app.models import Alert
from app.officers.tracker import OfficerTracker

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(seconds=30)  # an alert whose timer failed to fire is tried again


class TimerRunner:
    """Fires due alert timers for the worker: `run_due(now)` each iteration, `next_due()` to
    know how long it may sleep."""

    def __init__(
        self,
        engine: Engine,
        *,
        alerting: AlertSettings,
        officers: OfficerTracker,
        batch_size: int = 50,
    ) -> None:
        self._engine, self._alerting, self._officers = engine, alerting, officers
        self._batch_size = batch_size

    def run_due(self, now: datetime) -> int:
        """Fire up to `batch_size` due timers; how many alerts were fired."""
        fired = 0
        while fired < self._batch_size:
            claimed: list[int] = []
            try:
                alert_id = self._fire_one(now, claimed)
            except Exception:
                # One alert's failure (a bug, a constraint) must not stop the others: its
                # timer goes back a while, so the loop does not spin on it.
                log.exception("alert.timer_failed", extra={"alert_id": claimed[:1]})
                if claimed:
                    self._postpone(claimed[0], now)
                return fired
            if alert_id is None:
                return fired
            fired += 1
        return fired

    def next_due(self) -> datetime | None:
        """When the next timer is due, if any."""
        with transaction(self._engine) as session:
            return session.scalar(select(func.min(col(Alert.due_at))))

    def _fire_one(self, now: datetime, claimed: list[int]) -> int | None:
        with transaction(self._engine) as session:
            alert = session.scalars(
                select(Alert)
                .where(col(Alert.due_at) <= now)
                .order_by(col(Alert.due_at), col(Alert.id))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if alert is None:
                return None
            assert alert.id is not None
            claimed.append(alert.id)
            if alert.confirmation_due_at is not None and alert.confirmation_due_at <= now:
                confirmation.expire(session, alert, now=now, config=self._alerting)
            if alert.escalation_due_at is not None and alert.escalation_due_at <= now:
                escalation.step(
                    session, alert, now=now, config=self._alerting, officers=self._officers
                )
            if alert.due_at is not None and alert.due_at <= now:
                alert.due_at = None  # nothing left to fire: never claim it again
            session.add(alert)
            return alert.id

    def _postpone(self, alert_id: int, now: datetime) -> None:
        with transaction(self._engine) as session:
            session.execute(
                update(Alert).where(col(Alert.id) == alert_id).values(due_at=now + RETRY_AFTER)
            )
