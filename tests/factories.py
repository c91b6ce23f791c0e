"""Test data, made fresh by each call: unique names, plates, keys and tokens, no module state."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from alerts.push import Platform, PushMessage
from app.auth import accounts
from app.hotlists import service as hotlists
from app.models import (
    Alert,
    AlertRecipient,
    Camera,
    Delivery,
    Device,
    HotList,
    OfficerStatus,
    Role,
    User,
)
from app.schemas.hotlists import EntryIn
from app.settings import DEV_SECRET


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def unique_plate() -> str:
    """Seven characters, digit first like a California plate, unlikely to repeat in a test."""
    return "7" + uuid.uuid4().hex.upper()[:6]


def make_user(
    session: Session, *, role: Role = Role.OFFICER, name: str | None = None, now: datetime
) -> tuple[User, str]:
    # A year: tests move their clocks by days, and a token is not what they are about.
    return accounts.create_user(
        session, name=name or unique(role.value), role=role, badge=None, pepper=DEV_SECRET,
        actor=None, now=now, token_ttl=timedelta(days=365),
    )  # fmt: skip


def make_camera(
    session: Session,
    *,
    now: datetime,
    lat: float | None = 37.8044,
    lon: float | None = -122.2712,
    heading_deg: float | None = None,
    name: str | None = None,
    may_create_cameras: bool = False,
) -> tuple[Camera, str]:
    return accounts.create_camera(
        session, name=name or unique("camera"), lat=lat, lon=lon, heading_deg=heading_deg,
        pepper=DEV_SECRET, actor=None, now=now, may_create_cameras=may_create_cameras,
    )  # fmt: skip


def make_device(
    session: Session,
    user: User,
    *,
    now: datetime,
    token: str | None = None,
    platform: str = "android",
) -> Device:
    device = Device(
        user_id=user.id,  # type: ignore[arg-type]
        token=token or unique("token"),
        platform=platform,
        created_at=now,
        last_seen_at=now,
    )
    session.add(device)
    session.flush()
    return device


def place_officer(
    session: Session,
    user: User,
    *,
    lat: float,
    lon: float,
    recorded_at: datetime,
    on_duty: bool = True,
    heading_deg: float | None = None,
) -> OfficerStatus:
    status = session.get(OfficerStatus, user.id) or OfficerStatus(user_id=user.id)
    status.on_duty = on_duty
    status.lat, status.lon = lat, lon
    status.recorded_at = recorded_at
    status.received_at = recorded_at
    status.heading_deg = heading_deg
    session.add(status)
    session.flush()
    return status


def make_hotlist(
    session: Session,
    *,
    now: datetime,
    priority: int = 2,
    kind: str = "stolen_vehicle",
    name: str | None = None,
) -> HotList:
    hotlist = HotList(name=name or unique("list"), kind=kind, priority=priority, created_at=now)
    session.add(hotlist)
    session.flush()
    return hotlist


def make_entries(
    session: Session, hotlist: HotList, user: User, *, now: datetime, entries: list[dict[str, Any]]
) -> list[int]:
    return hotlists.add_entries(
        session,
        hotlist=hotlist,
        entries=[EntryIn.model_validate(e) for e in entries],
        user=user,
        now=now,
    )


def make_pending_alert(
    session: Session, devices: list[Device], *, now: datetime, priority: int = 2
) -> Alert:
    """An alert with one queued delivery per device, as the ingest path would leave it."""
    alert = Alert(
        priority=priority, title="P2 Look for this car", body="test", plate=unique_plate(),
        read_at=now, created_at=now,
    )  # fmt: skip
    session.add(alert)
    session.flush()
    for rank, device in enumerate(devices, start=1):
        recipient = AlertRecipient(
            alert_id=alert.id, user_id=device.user_id, rank=rank, created_at=now
        )
        session.add(recipient)
        session.flush()
        message = PushMessage(
            token=device.token, platform=Platform(device.platform), title=alert.title,
            body=alert.body, data={"alert_id": str(alert.id)}, collapse_key=f"alert-{alert.id}",
            ttl_s=600,
        )  # fmt: skip
        session.add(
            Delivery(
                alert_id=alert.id,
                recipient_id=recipient.id,
                device_id=device.id,
                priority=priority,
                message=message.to_dict(),
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    return alert
