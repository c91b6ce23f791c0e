"""Who is told about an alert, and every push with why: one place for hot-list hits and
bulletins alike.

An alert's recipients are `alert_recipient` rows, one per officer, kept for the alert's life:
rank and reason (best placed, beat, area), distance and ETA when last routed, when they were
last pushed anything (`last_pushed_at`), and when they were last pushed a sighting of the car
(`last_sighting_pushed_at`, which paces quiet updates and bulletin matches). What each push
is, loud or quiet, is alerts.policy's decision (a `Notice`); every push is stored as an
`alert_notice` with why this officer, why now and why loud or quiet, and its deliveries
point to it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from alerts import compose
from alerts.policy import Attention, DispatchRules, Holder, Notice, Why
from alerts.push import PushMessage
from alerts.routing import PriorityRouting
from app.delivery import outbox
from app.lifecycle.config import LifecycleConfig
from app.models import Alert, AlertNotice, AlertRecipient, Delivery, Device, User
from app.reads.stored import VehicleTrust
from app.schemas.alerts import DeliveryPublic, NoticePublic, RecipientPublic


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
    quiet_interval: timedelta = timedelta(seconds=120)  # quiet sighting updates, at most
    attention: Attention = field(default_factory=Attention)
    dispatch: DispatchRules = field(default_factory=DispatchRules)


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
    why: Why,
    action: str,
) -> int:
    """Queue one delivery per working device of the recipient, with the notice that explains
    it (why this officer, why now, why loud or quiet); the number queued."""
    assert alert.id is not None and recipient.id is not None
    recipient.last_pushed_at = now
    if sighting:
        recipient.last_sighting_pushed_at = now
    session.add(recipient)
    devices = outbox.working_devices(session, recipient.user_id)
    messages = [message_for(device) for device in devices]
    notice = AlertNotice(
        alert_id=alert.id, recipient_id=recipient.id, user_id=recipient.user_id,
        priority=alert.priority, action=action, loud=any(not m.quiet for m in messages),
        why_officer=why.officer, why_now=why.now, why_sound=why.sound,
        deliveries=len(devices), at=now,
    )  # fmt: skip
    session.add(notice)
    session.flush()
    for device, message in zip(devices, messages, strict=True):
        outbox.queue(
            session, alert_id=alert.id, recipient_id=recipient.id, device=device,
            priority=alert.priority, message=message, now=now, notice_id=notice.id,
        )  # fmt: skip
    return len(devices)


def holders(known: dict[int, AlertRecipient]) -> list[Holder]:
    """The alert's recipients as the policy sees them."""
    return [Holder(r.user_id, r.response, r.last_sighting_pushed_at) for r in known.values()]


def tell(
    session: Session,
    *,
    alert: Alert,
    notices: Sequence[Notice],
    message_for: Callable[[Notice, Device], PushMessage],
    now: datetime,
    known: dict[int, AlertRecipient] | None = None,
) -> int:
    """Push each notice the policy decided: loud ones as they are, the others as quiet
    updates on the same thread. Officers routed by a notice become (or stay) recipients with
    their new distance and ETA. The deliveries queued."""
    assert alert.id is not None
    known = recipients_of(session, alert.id) if known is None else known
    queued = 0
    for notice in notices:
        chosen = notice.chosen
        recipient = known.get(notice.officer_id)
        if chosen is not None or recipient is None:
            recipient = enlist(
                session, known, alert_id=alert.id, officer_id=notice.officer_id,
                reason=chosen.reason.value if chosen else "policy",
                distance_m=chosen.distance_m if chosen else None,
                eta_s=chosen.eta_s if chosen else None, now=now,
            )  # fmt: skip

        def message(device: Device, notice: Notice = notice) -> PushMessage:
            built = message_for(notice, device)
            return built if notice.loud else replace(built, quiet=True)

        queued += push(
            session, alert=alert, recipient=recipient, now=now, sighting=True,
            message_for=message, why=notice.why, action=notice.action,
        )  # fmt: skip
    return queued


def notices_of(session: Session, alert_id: int) -> dict[int, list[NoticePublic]]:
    """Every push of the alert, by recipient row, oldest first."""
    rows = session.scalars(
        select(AlertNotice).where(col(AlertNotice.alert_id) == alert_id).order_by("id")
    )
    found: dict[int, list[NoticePublic]] = {}
    for row in rows:
        assert row.id is not None
        found.setdefault(row.recipient_id, []).append(
            NoticePublic(
                id=row.id,
                at=row.at,
                action=row.action,
                loud=row.loud,
                why_officer=row.why_officer,
                why_now=row.why_now,
                why_sound=row.why_sound,
                deliveries=row.deliveries,
            )
        )
    return found


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
    pushes = notices_of(session, alert_id)
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
                DeliveryPublic(
                    device_id=d.device_id,
                    status=d.status,
                    attempts=d.attempts,
                    sent_at=d.sent_at,
                    last_error=d.last_error,
                    action=d.message.get("data", {}).get("action"),
                    quiet=bool(d.message.get("quiet", False)),
                    notice_id=d.notice_id,
                )
                for d in deliveries
                if d.recipient_id == recipient.id
            ],
            pushes=pushes.get(recipient.id or 0, []),
        )
        for recipient, person in recipients
    ]
