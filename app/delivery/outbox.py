"""Queueing pushes: the Delivery rows the push worker claims, written in the caller's
transaction with the fact that caused them, and the worker woken once that transaction commits.

Whoever queues (the ingest writer, a bulletin, an import's retro check, an escalation), or makes
an alert's timer due at once (a refusal), wakes the workers: this process's through
`wake_on_commit` (the runtime registers its worker for each of its engines), other processes'
through a PostgreSQL NOTIFY on `DELIVERY_CHANNEL`, delivered at commit. A transaction that rolls
back wakes nobody.
"""

from collections.abc import Callable
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from alerts.push import Platform, PushMessage
from app.models import Delivery, DeliveryStatus, Device

DELIVERY_CHANNEL = "lookout_deliveries"
_QUEUED = "lookout.queued_pushes"  # session.info flag: this transaction queued a delivery

_wakers: "WeakKeyDictionary[Engine, list[Callable[[], None]]]" = WeakKeyDictionary()


def wake_on_commit(engine: Engine, wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` after every commit through `engine` that queued a delivery; returns the
    function that stops it."""
    _wakers.setdefault(engine, []).append(wake)

    def stop() -> None:
        callbacks = _wakers.get(engine, [])
        if wake in callbacks:
            callbacks.remove(wake)

    return stop


def working_devices(session: Session, user_id: int) -> list[Device]:
    return list(
        session.scalars(select(Device).where(col(Device.user_id) == user_id, col(Device.is_active)))
    )


def queue(
    session: Session,
    *,
    alert_id: int,
    recipient_id: int,
    device: Device,
    priority: int,
    message: PushMessage,
    now: datetime,
    notice_id: int | None = None,
) -> None:
    assert device.id is not None
    session.add(
        Delivery(
            alert_id=alert_id,
            recipient_id=recipient_id,
            device_id=device.id,
            priority=priority,
            message=message.to_dict(),
            status=DeliveryStatus.QUEUED,
            notice_id=notice_id,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    wake_after_commit(session)


def platform(device: Device) -> Platform:
    return Platform(device.platform)


def wake_after_commit(session: Session) -> None:
    """Wake the workers once this transaction commits: it queued a push, or made a timer due
    (app/lifecycle)."""
    if session.info.get(_QUEUED):
        return
    session.info[_QUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": DELIVERY_CHANNEL})
    event.listen(session, "after_commit", _wake_workers, once=True)
    event.listen(session, "after_rollback", _forget, once=True)


def _wake_workers(session: Session) -> None:
    session.info.pop(_QUEUED, None)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for wake in list(_wakers.get(engine, ())):
        wake()


def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)
