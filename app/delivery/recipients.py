"""Who is told about an alert, and when an officer was told too recently: one place for hot-list
hits and bulletins alike.

An alert's recipients are `alert_recipient` rows, one per officer, kept for the alert's life:
rank and reason (best placed, beat, area), distance and ETA when last routed, when they were
last pushed anything (`last_pushed_at`), and when they were last pushed a sighting of the car
(`last_sighting_pushed_at`). A sighting (a hot-list read, a read that fits a bulletin) makes a
phone ring again only once per `push_interval` for the same officer and alert; updates and
cancellations of a bulletin always go out.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from alerts import compose
from alerts.push import PushMessage
from alerts.routing import PriorityRouting, Recipient
from app.delivery import outbox
from app.lifecycle.config import LifecycleConfig
from app.models import Alert, AlertRecipient, Delivery, Device, User
from app.reads.stored import VehicleTrust
from app.schemas.alerts import RecipientPublic


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """How alerts are routed, worded and paced (settings: routing, push, alerting)."""

    routing: PriorityRouting
    detail: compose.Detail
    ttl_s: int
    tz: ZoneInfo
    merge_window: timedelta = timedelta(minutes=10)
    push_interval: timedelta = timedelta(seconds=60)
    retro_push_within: timedelta = timedelta(minutes=15)  # older historical hits: dispatch only
    trust: VehicleTrust = field(default_factory=VehicleTrust)
    lifecycle: LifecycleConfig = field(default_factory=LifecycleConfig)  # timers after the push


def recipients_of(session: Session, alert_id: int) -> dict[int, AlertRecipient]:
    """The alert's recipients by officer id, best ranked first."""
    query = select(AlertRecipient).where(col(AlertRecipient.alert_id) == alert_id)
    return {r.user_id: r for r in session.scalars(query.order_by(col(AlertRecipient.rank)))}


def enlist(
    session: Session,
    known: dict[int, AlertRecipient],
    *,
    alert_id: int,
    officer_id: int,
    reason: str,
    now: datetime,
    distance_m: float | None = None,
    eta_s: float | None = None,
) -> AlertRecipient:
    """The officer's recipient row of the alert, added after the others if new; its distance
    and ETA are the latest routing's."""
    recipient = known.get(officer_id)
    if recipient is None:
        recipient = AlertRecipient(
            alert_id=alert_id, user_id=officer_id, rank=len(known) + 1, created_at=now,
            reason=reason,
        )  # fmt: skip
        known[officer_id] = recipient
    recipient.distance_m = None if distance_m is None else round(distance_m, 1)
    recipient.eta_s = None if eta_s is None else round(eta_s, 1)
    session.add(recipient)
    session.flush()
    return recipient


def push(
    session: Session,
    *,
    alert: Alert,
    recipient: AlertRecipient,
    message_for: Callable[[Device], PushMessage],
    now: datetime,
    sighting: bool,
) -> int:
    """Queue one delivery per working device of the recipient; the number queued."""
    assert alert.id is not None and recipient.id is not None
    recipient.last_pushed_at = now
    if sighting:
        recipient.last_sighting_pushed_at = now
    session.add(recipient)
    devices = outbox.working_devices(session, recipient.user_id)
    for device in devices:
        outbox.queue(
            session, alert_id=alert.id, recipient_id=recipient.id, device=device,
            priority=alert.priority, message=message_for(device), now=now,
        )  # fmt: skip
    return len(devices)


def told_lately(recipient: AlertRecipient, *, now: datetime, interval: timedelta) -> bool:
    """Whether the officer was pushed a sighting of this alert within `interval`."""
    last = recipient.last_sighting_pushed_at
    return last is not None and now - last < interval


def tell_sighting(
    session: Session,
    *,
    alert: Alert,
    found: Sequence[Recipient],
    message_for: Callable[[Recipient, Device], PushMessage],
    interval: timedelta,
    now: datetime,
) -> int:
    """Push a sighting to the officers routing `found`, except those told one lately; the
    deliveries queued. Each stays (or becomes) a recipient with the new distance and ETA."""
    assert alert.id is not None
    known = recipients_of(session, alert.id)
    queued = 0
    for chosen in found:
        previous = known.get(chosen.officer_id)
        if previous is not None and told_lately(previous, now=now, interval=interval):
            continue
        recipient = enlist(
            session, known, alert_id=alert.id, officer_id=chosen.officer_id,
            reason=chosen.reason.value, distance_m=chosen.distance_m, eta_s=chosen.eta_s, now=now,
        )  # fmt: skip
        queued += push(
            session, alert=alert, recipient=recipient, now=now, sighting=True,
            message_for=partial(message_for, chosen),
        )  # fmt: skip
    return queued


def notified_people(session: Session, alert_id: int) -> list[RecipientPublic]:
    """Who an alert went to, best placed first, with each device's delivery and the acks."""
    recipients = session.execute(
        select(AlertRecipient, User)
        .join(User, col(User.id) == AlertRecipient.user_id)
        .where(col(AlertRecipient.alert_id) == alert_id)
        .order_by(col(AlertRecipient.rank))
    ).all()
    deliveries = session.scalars(
        select(Delivery).where(col(Delivery.alert_id) == alert_id).order_by("id")
    ).all()
    return [
        RecipientPublic(
            user_id=recipient.user_id,
            name=person.name,
            rank=recipient.rank,
            reason=recipient.reason,
            distance_m=recipient.distance_m,
            eta_s=recipient.eta_s,
            last_pushed_at=recipient.last_pushed_at,
            acknowledged_at=recipient.acknowledged_at,
            deliveries=[
                {
                    "device_id": d.device_id,
                    "status": d.status,
                    "attempts": d.attempts,
                    "sent_at": d.sent_at,
                    "last_error": d.last_error,
                    "action": d.message.get("data", {}).get("action"),
                }
                for d in deliveries
                if d.recipient_id == recipient.id
            ],
        )
        for recipient, person in recipients
    ]
