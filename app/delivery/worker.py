"""The push worker: claims due deliveries, sends them, records every outcome on its row.

One iteration is two short transactions with the network call between them, so no database
lock is held while FCM answers. A claim is a lease: a worker that dies after claiming leaves
rows in `sending`, and another worker takes them again once `lease_until` has passed. On
PostgreSQL claims skip rows locked by other workers, so no delivery is sent by two at once.

Each iteration first runs the alerts' due timers (`Timers`: app/lifecycle/timers.py), so what
they queue (an escalation's pushes, an expired confirmation's update) goes out in the same
iteration; an idle worker sleeps no longer than until the next timer is due.
"""

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from alerts.errors import PushUnavailable
from alerts.push import (
    PushMessage,
    PushSender,
    Rejected,
    RetryAfter,
    SendResult,
    Sent,
    TokenGone,
    backoff_s,
)
from app.clock import Clock
from app.db import transaction
from app.logs import error_facts
from app.models import Alert, AlertRecipient, Delivery, DeliveryStatus, Device

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: int
    device_id: int
    attempt: int
    message: PushMessage


class Timers(Protocol):
    def run_due(self, now: datetime, /) -> int:
        """Fire the timers due at `now`; how many fired. Raises only when the database
        cannot be reached (one timer's failure is its own business)."""
        ...

    def next_due(self) -> datetime | None:
        """When the next timer is due, if any."""
        ...


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    worker_id: str
    batch_size: int = 100
    lease_s: int = 60
    max_attempts: int = 8
    poll_s: float = 1.0


def claim(engine: Engine, *, config: WorkerConfig, now: datetime) -> list[Claimed]:
    due = or_(
        and_(col(Delivery.status) == DeliveryStatus.QUEUED, col(Delivery.next_attempt_at) <= now),
        and_(col(Delivery.status) == DeliveryStatus.SENDING, col(Delivery.lease_until) < now),
    )
    with transaction(engine) as session:
        rows = session.execute(
            select(
                col(Delivery.id),
                col(Delivery.device_id),
                col(Delivery.attempts),
                col(Delivery.message),
            )
            .where(due)
            .order_by(col(Delivery.priority), col(Delivery.id))
            .limit(config.batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_([r.id for r in rows]))
            .values(
                status=DeliveryStatus.SENDING,
                lease_until=now + timedelta(seconds=config.lease_s),
                claimed_by=config.worker_id,
                attempts=Delivery.attempts + 1,
                updated_at=now,
            )
        )
    return [
        Claimed(r.id, r.device_id, r.attempts + 1, PushMessage.from_dict(r.message)) for r in rows
    ]


def record(
    engine: Engine,
    outcomes: Sequence[tuple[Claimed, SendResult]],
    *,
    config: WorkerConfig,
    now: datetime,
) -> None:
    with transaction(engine) as session:
        sent: list[int] = []
        for claimed, result in outcomes:
            values: dict[str, object] = {"lease_until": None, "updated_at": now}
            match result:
                case Sent(message_id):
                    values |= {"status": DeliveryStatus.SENT, "sent_at": now,
                               "provider_id": message_id, "last_error": None}  # fmt: skip
                case RetryAfter(seconds, reason) if claimed.attempt < config.max_attempts:
                    delay = max(seconds, backoff_s(claimed.attempt))
                    values |= {"status": DeliveryStatus.QUEUED, "last_error": reason,
                               "next_attempt_at": now + timedelta(seconds=delay)}  # fmt: skip
                case RetryAfter(_, reason):
                    gave_up = f"gave up after {claimed.attempt} attempts: {reason}"
                    values |= {"status": DeliveryStatus.FAILED, "last_error": gave_up}
                case TokenGone(reason):
                    values |= {"status": DeliveryStatus.FAILED, "last_error": f"token {reason}"}
                    session.execute(
                        update(Device)
                        .where(col(Device.id) == claimed.device_id, col(Device.is_active))
                        .values(is_active=False, retired_at=now, retired_reason=reason)
                    )
                    log.info(
                        "device.retired", extra={"device_id": claimed.device_id, "reason": reason}
                    )
                case Rejected(reason):
                    values |= {"status": DeliveryStatus.FAILED, "last_error": f"rejected: {reason}"}
            # A row whose lease ran out may already belong to another worker: leave it alone.
            recorded = session.connection().execute(
                update(Delivery)
                .where(
                    col(Delivery.id) == claimed.delivery_id,
                    col(Delivery.claimed_by) == config.worker_id,
                    col(Delivery.status) == DeliveryStatus.SENDING,
                )
                .values(**values)
            )
            if isinstance(result, Sent) and recorded.rowcount == 1:
                sent.append(claimed.delivery_id)
        _count_sent(session, sent)


def _count_sent(session: Session, delivery_ids: Sequence[int]) -> None:
    """The pushes just sent, counted on their alerts and officers' recipient rows (the
    statistics read them there, app/stats), in the transaction that records them. Rows are
    updated in id order, alerts first, as every writer of both does: two workers recording
    pushes of the same alerts wait for each other instead of deadlocking."""
    if not delivery_ids:
        return
    pairs = session.execute(
        select(col(Delivery.alert_id), col(Delivery.recipient_id)).where(
            col(Delivery.id).in_(delivery_ids)
        )
    ).all()
    for table, counts in (
        (Alert, Counter(alert_id for alert_id, _ in pairs)),
        (AlertRecipient, Counter(recipient_id for _, recipient_id in pairs)),
    ):
        for row_id, n in sorted(counts.items()):
            session.execute(
                update(table).where(col(table.id) == row_id).values(pushes=col(table.pushes) + n)
            )


def run_once(
    engine: Engine,
    sender: PushSender,
    *,
    config: WorkerConfig,
    clock: Clock,
    timers: Timers | None = None,
) -> int:
    """Fire the due timers, then claim, send and record one batch; returns how many
    deliveries it handled."""
    if timers is not None:
        fired = timers.run_due(clock())
        if fired:
            log.info("alert.timers_fired", extra={"alerts": fired})
    claimed = claim(engine, config=config, now=clock())
    if not claimed:
        return 0
    try:
        results = sender.send_batch([c.message for c in claimed])
    except PushUnavailable as error:
        log.error("push.unavailable", extra={"detail": str(error), "deliveries": len(claimed)})
        results = [RetryAfter(backoff_s(c.attempt), f"push unavailable: {error}") for c in claimed]
    outcomes = list(zip(claimed, results, strict=True))
    record(engine, outcomes, config=config, now=clock())
    sent = sum(isinstance(r, Sent) for r in results)
    log.info("push.batch", extra={"deliveries": len(claimed), "sent": sent})
    return len(claimed)


class Worker:
    """Runs `run_once` in a thread until stopped; `wake()` cuts the poll wait short."""

    def __init__(
        self,
        engine: Engine,
        sender: PushSender,
        *,
        config: WorkerConfig,
        clock: Clock,
        timers: Timers | None = None,
    ) -> None:
        self._engine, self._sender, self._config, self._clock = engine, sender, config, clock
        self._timers = timers
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="push-worker", daemon=True)

    def start(self) -> "Worker":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                handled = run_once(
                    self._engine, self._sender, config=self._config, clock=self._clock,
                    timers=self._timers,
                )  # fmt: skip
                wait_s = self._wait_s() if handled < self._config.batch_size else 0.0
                failures = 0
            except Exception as error:
                # The database may be restarting; keep the worker alive and back off.
                failures += 1
                facts = {"failures": failures, **error_facts(error)}
                log.exception("push.worker_error", extra=facts)
                self._stop.wait(min(30.0, backoff_s(failures, base_s=0.5)))
                continue
            if wait_s > 0:
                self._wake.wait(wait_s)
                self._wake.clear()

    def _wait_s(self) -> float:
        """The poll interval, or less when a timer falls due sooner."""
        due = self._timers.next_due() if self._timers is not None else None
        if due is None:
            return self._config.poll_s
        # A floor: a due timer another process holds locked must not make this one spin.
        return max(0.05, min(self._config.poll_s, (due - self._clock()).total_seconds()))


def new_worker_id() -> str:
    return f"worker-{uuid.uuid4().hex[:12]}"
