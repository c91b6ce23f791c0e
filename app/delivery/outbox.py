"""Queueing pushes: the Delivery rows the push worker claims, written in the caller's
transaction with the fact that caused them."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from alerts.push import Platform, PushMessage
from app.models import Delivery, DeliveryStatus, Device


def working_devices(session: Session, user_id: int) -> list[Device]:
    return list(
        session.scalars(
            select(Device).where(Device.user_id == user_id, Device.is_active)  # type: ignore[arg-type]
        )
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
) -> None:
    session.add(
        Delivery(
            alert_id=alert_id,
            recipient_id=recipient_id,
            device_id=device.id,
            priority=priority,
            message=message.to_dict(),
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )


def platform(device: Device) -> Platform:
    return Platform(device.platform)
