"""Officers' phones: device registration, duty status and live location."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlmodel import col

from app import audit
from app.deps import (
    ClockDep,
    CurrentUser,
    Dispatcher,
    Gateway,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    Supervisor,
)
from app.errors import Conflict, NotFound, Unprocessable
from app.models import Device, OfficerStatus, Role, User
from app.officers import locations
from app.schemas.common import RowId
from app.schemas.officers import (
    BeatAssignment,
    DutyIn,
    LocationAccepted,
    LocationBatch,
    LocationBatchAccepted,
    LocationIn,
    OfficerStatusPublic,
)
from app.schemas.people import DeviceIn, DeviceMove, DevicePublic, UserPublic

router = APIRouter(tags=["officers"])


@router.get("/me")
def get_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user.model_dump())


@router.post("/devices", status_code=201, responses={409: {"description": "Another's token"}})
def register_device(
    body: DeviceIn, session: SessionDep, user: CurrentUser, clock: ClockDep
) -> DevicePublic:
    """Register this phone's FCM token; registering it again refreshes it. A token another
    account has in use is refused (409): it moves only when its owner retires it (sign-out,
    `DELETE /v1/devices/{id}`) or a supervisor or admin moves it (`POST
    /v1/devices/{id}/move`), and only to an officer. Every registration is audited."""
    now = clock()
    assert user.id is not None  # a signed-in user is a stored row
    device = session.scalars(select(Device).where(col(Device.token) == body.token)).first()
    previous = None if device is None else device.user_id
    if device is not None and previous != user.id:
        if device.is_active:
            raise Conflict(
                "this FCM token is registered to another account's phone; it moves only when "
                "its owner retires it (DELETE /v1/devices/{id}) or a supervisor or admin moves "
                "it (POST /v1/devices/{id}/move)"
            )
        _must_be_officer(user, "a retired phone of another account")
    if device is None:
        device = Device(
            user_id=user.id,
            token=body.token,
            platform=body.platform,
            created_at=now,
            last_seen_at=now,
        )
    outcome = (
        "new" if previous is None
        else "refreshed" if previous == user.id and device.is_active
        else "reactivated" if previous == user.id
        else "taken over"
    )  # fmt: skip
    device.user_id = user.id
    device.platform = body.platform
    device.is_active = True
    device.retired_at = None
    device.retired_reason = None
    device.last_seen_at = now
    session.add(device)
    session.flush()
    taken_from = previous if outcome == "taken over" else None
    _audit_device(
        session,
        user,
        "device.register",
        device,
        now,
        {"outcome": outcome, "from_user_id": taken_from},
    )
    return device_public(device)


@router.post("/devices/{device_id}/move")
def move_device(
    device_id: RowId, body: DeviceMove, session: SessionDep, actor: Supervisor, clock: ClockDep
) -> DevicePublic:
    """Move a phone to another officer (a car phone at shift change, a phone given to a
    colleague): its pushes go to them from now on. Audited with the reason."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"no device {device_id}")
    target = session.get(User, body.user_id)
    if target is None:
        raise NotFound(f"no user with id {body.user_id}")
    _must_be_officer(target, "a phone")
    now = clock()
    previous = device.user_id
    device.user_id = body.user_id
    device.is_active = True
    device.retired_at = None
    device.retired_reason = None
    session.add(device)
    session.flush()
    moved = {"from_user_id": previous, "to_user_id": body.user_id}
    _audit_device(session, actor, "device.move", device, now, moved, purpose=body.reason)
    return device_public(device)


def _must_be_officer(user: User, what: str) -> None:
    if user.role != Role.OFFICER:
        raise Conflict(f"{what} moves only to an officer; this account's role is '{user.role}'")


def _audit_device(
    session: SessionDep,
    actor: User,
    action: str,
    device: Device,
    now: datetime,
    detail: Mapping[str, object],
    purpose: str | None = None,
) -> None:
    # The token is a credential: the audit log keeps its hint, as the API shows it.
    audit.record(
        session, actor=actor, action=action, now=now, object_type="device", object_id=device.id,
        purpose=purpose, detail={"user_id": device.user_id, "platform": device.platform,
                                 "token_hint": device_public(device).token_hint, **detail},
    )  # fmt: skip


@router.get("/me/devices")
def list_my_devices(session: SessionDep, user: CurrentUser) -> list[DevicePublic]:
    rows = session.scalars(select(Device).where(col(Device.user_id) == user.id).order_by("id"))
    return [device_public(d) for d in rows]


@router.delete("/devices/{device_id}", status_code=204)
def retire_device(
    device_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep
) -> None:
    """Stop pushing to this device (sign-out, lost phone)."""
    device = session.get(Device, device_id)
    if device is None or (device.user_id != user.id and user.role != Role.ADMIN):
        raise NotFound(f"you have no device {device_id}")
    now = clock()
    device.is_active = False
    device.retired_at = now
    device.retired_reason = "signed out"
    session.add(device)
    _audit_device(session, user, "device.retire", device, now, {})


@router.put("/me/location")
def put_location(
    body: LocationIn, session: SessionDep, user: CurrentUser, clock: ClockDep, settings: SettingsDep
) -> LocationAccepted:
    """Report where this officer is (up to once a second). Accepted whatever the duty status;
    a fix whose `recorded_at` is old is stored as given and counts as stale for routing, and
    a fix older than the one already stored is ignored (`applied: false`)."""
    now = clock()
    assert user.id is not None  # a signed-in user is a stored row
    fix = locations.fix(
        user.id,
        lat=body.lat, lon=body.lon, accuracy_m=body.accuracy_m, heading=body.heading,
        speed=body.speed, recorded_at=body.recorded_at, now=now,
    )  # fmt: skip
    applied = locations.upsert(session, [fix], breadcrumbs=settings.officers.breadcrumbs)
    recorded_at: datetime = fix["recorded_at"]
    return LocationAccepted(
        recorded_at=recorded_at,
        applied=bool(applied),
        is_fresh=now - recorded_at <= timedelta(seconds=settings.routing.location_fresh_s),
    )


@router.post("/locations", status_code=202)
def post_locations(
    body: LocationBatch, session: SessionDep, _user: Gateway, clock: ClockDep, settings: SettingsDep
) -> LocationBatchAccepted:
    """Many units at once, from a vehicle-location gateway (role `gateway`). Units are named
    by user id or badge; unknown ones are listed, the rest stored."""
    now = clock()
    badges = {u.badge for u in body.locations if u.badge is not None}
    by_badge: dict[str | None, int | None] = {}
    if badges:
        by_badge = dict(
            session.execute(
                select(col(User.badge), col(User.id)).where(col(User.badge).in_(badges))
            ).all()
        )
    user_ids = {u.user_id for u in body.locations if u.user_id}
    known_ids = set(session.scalars(select(col(User.id)).where(col(User.id).in_(user_ids))))
    fixes, unknown = [], []
    for index, unit in enumerate(body.locations):
        user_id = by_badge.get(unit.badge) if unit.badge is not None else unit.user_id
        if user_id is None or (unit.badge is None and user_id not in known_ids):
            unknown.append(unit.badge or f"user {unit.user_id}")
            continue
        fixes.append(
            locations.fix(
                user_id,
                lat=unit.lat,
                lon=unit.lon,
                accuracy_m=unit.accuracy_m,
                heading=unit.heading,
                speed=unit.speed,
                recorded_at=unit.recorded_at,
                now=now,
                where=f"locations[{index}].recorded_at",
            )
        )
    applied = locations.upsert(session, fixes, breadcrumbs=settings.officers.breadcrumbs)
    return LocationBatchAccepted(accepted=len(fixes), applied=len(applied), unknown=unknown)


BODY_LIMITS: dict[object, int] = {
    post_locations: 4 * 1024 * 1024
}  # a gateway's 5,000 units (app/bodies.py)


@router.put("/officers/{user_id}/beat")
def assign_beat(
    runtime: RuntimeDep,
    user_id: RowId,
    body: BeatAssignment,
    session: SessionDep,
    actor: Dispatcher,
    clock: ClockDep,
    settings: SettingsDep,
) -> OfficerStatusPublic:
    """Assign an officer to a beat for the shift: hits read in it always reach them."""
    officer = session.get(User, user_id)
    if officer is None:
        raise NotFound(f"no user with id {user_id}")
    code = None
    if body.beat is not None:
        beat = runtime.beats.get(body.beat)
        if beat is None:
            known = ", ".join(runtime.beats.codes[:20])
            raise Unprocessable(f"no beat {body.beat!r}; known beats include {known}")
        code = beat.code
    status = _status(session, officer)
    status.assigned_beat = code
    session.add(status)
    audit.record(
        session, actor=actor, action="officer.beat", now=clock(), object_type="user",
        object_id=user_id, detail={"beat": code},
    )  # fmt: skip
    session.flush()
    return status_public(
        session, status, officer, now=clock(), fresh_s=settings.routing.location_fresh_s
    )


@router.put("/me/duty")
def put_duty(
    body: DutyIn, session: SessionDep, user: CurrentUser, clock: ClockDep, settings: SettingsDep
) -> OfficerStatusPublic:
    """Go on or off duty. Off-duty officers are never alerted."""
    now = clock()
    status = _status(session, user)
    if status.on_duty != body.on_duty:
        status.on_duty = body.on_duty
        status.duty_changed_at = now
        session.add(status)
    session.flush()
    return status_public(session, status, user, now=now, fresh_s=settings.routing.location_fresh_s)


@router.get("/officers")
def list_officers(
    session: SessionDep,
    _user: Dispatcher,
    clock: ClockDep,
    settings: SettingsDep,
    on_duty: bool = True,
) -> list[OfficerStatusPublic]:
    """Officers and their last known positions, for the dispatcher console."""
    now = clock()
    rows = session.execute(
        select(OfficerStatus, User)
        .join(User, col(User.id) == OfficerStatus.user_id)
        .where(col(OfficerStatus.on_duty) == on_duty)
        .order_by(col(User.name))
    ).all()
    return [
        status_public(session, s, u, now=now, fresh_s=settings.routing.location_fresh_s)
        for s, u in rows
    ]


def _status(session: SessionDep, user: User) -> OfficerStatus:
    status = session.get(OfficerStatus, user.id)
    if status is None:
        status = OfficerStatus(user_id=user.id)
        session.add(status)
    return status


def status_public(
    session: SessionDep,
    status: OfficerStatus,
    user: User,
    *,
    now: datetime,
    fresh_s: int,
) -> OfficerStatusPublic:
    assert user.id is not None  # a stored row
    devices = session.scalar(
        select(func.count()).where(col(Device.user_id) == user.id, col(Device.is_active))
    )
    fresh = status.recorded_at is not None and now - status.recorded_at <= timedelta(
        seconds=fresh_s
    )
    return OfficerStatusPublic(
        user_id=user.id,
        name=user.name,
        on_duty=status.on_duty,
        lat=status.lat,
        lon=status.lon,
        accuracy_m=status.accuracy_m,
        heading=status.heading_deg,
        speed=status.speed_mps,
        recorded_at=status.recorded_at,
        is_fresh=fresh,
        active_devices=devices or 0,
        assigned_beat=status.assigned_beat,
    )


def device_public(device: Device) -> DevicePublic:
    assert device.id is not None  # a stored row
    return DevicePublic(
        id=device.id,
        platform=device.platform,
        token_hint="…" + device.token[-6:],
        is_active=device.is_active,
        last_seen_at=device.last_seen_at,
        retired_reason=device.retired_reason,
    )
