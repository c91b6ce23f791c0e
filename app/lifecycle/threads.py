"""An alert's thread on the phones, and telling everyone who has the alert about a change.

Whoever was pushed an alert is one of its recipients (`alert_recipient`); an update goes to
each of their working devices, on the collapse key and tag of the alert's first push
(`alert-<id>`, or `bulletin-<id>` for a bulletin's alert) with the same `alert_id`.
"""

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from alerts import updates
from alerts.policy import Why
from alerts.push import PushMessage
from alerts.updates import Thread, Update
from app.delivery import outbox, recipients
from app.delivery.recipients import AlertSettings
from app.models import Alert, AlertRecipient, Device, User

HIT_KINDS = frozenset({"hotlist_hit", "historical_hit"})


def is_hit(alert: Alert) -> bool:
    """A hot-list hit (live or historical), as opposed to a bulletin's alert."""
    return alert.kind in HIT_KINDS


def thread_of(alert: Alert) -> Thread:
    """The thread of the alert's pushes, with what updates say of its record."""
    assert alert.id is not None
    details = alert.details or {}
    if alert.kind == "bulletin":
        bulletin_id = str(details.get("bulletin_id", ""))
        return Thread(
            alert_id=alert.id, kind="bulletin", priority=alert.priority,
            collapse_key=f"bulletin-{bulletin_id}", title=alert.title, plate=alert.plate,
            case_number=details.get("case_number"), data={"bulletin_id": bulletin_id},
        )  # fmt: skip
    return Thread(
        alert_id=alert.id, kind="hotlist_hit", priority=alert.priority,
        collapse_key=f"alert-{alert.id}", title=alert.title, plate=alert.plate,
        list_kind=details.get("list_kind"), reason=details.get("reason"),
        case_number=details.get("case_number"),
    )  # fmt: skip


def unit_of(user: User) -> str:
    """How other officers know a unit: the badge, else the name."""
    return user.badge or user.name


def tell(
    session: Session,
    alert: Alert,
    update: Update,
    *,
    config: AlertSettings,
    now: datetime,
    skip_user: int | None = None,
    ttl_s: int | None = None,
    audience: Callable[[AlertRecipient], bool] | None = None,
) -> int:
    """Queue `update` to every device of everyone who has the alert (but `skip_user`, who
    made the change, and those `audience` leaves out); the deliveries queued."""
    assert alert.id is not None
    thread = thread_of(alert)
    ttl = ttl_s or config.ttl_s

    def message_for(device: Device) -> PushMessage:
        return updates.message(
            thread, update, token=device.token, platform=outbox.platform(device),
            detail=config.detail, ttl_s=ttl,
        )  # fmt: skip

    why = Why(
        "has the alert",
        f"{update.action}: {update.short_title}",
        "it changes what the officer may do" if not update.quiet
        else "quiet: news of the alert, nothing new to do",
    )  # fmt: skip
    queued = 0
    for recipient in recipients.recipients_of(session, alert.id).values():
        if recipient.user_id != skip_user and (audience is None or audience(recipient)):
            queued += recipients.push(
                session, alert=alert, recipient=recipient, message_for=message_for, now=now,
                sighting=False, why=why, action=update.action,
            )  # fmt: skip
    return queued
