"""Cameras: registering them, placing the ones found through a site's key, and their health."""

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import event, select
from sqlmodel import Session

from app import audit
from app.auth import accounts
from app.auth import changes as credential_changes
from app.deps import Admin, ClockDep, Dispatcher, RuntimeDep, SessionDep, SettingsDep
from app.errors import NotFound
from app.intake import health as camera_health
from app.intake.sources import refs_by_camera
from app.models import NO_KEY_PREFIX, Camera, CameraSource
from app.runtime import Runtime
from app.schemas.cameras import (
    CameraCreate,
    CameraCreated,
    CameraHealth,
    CameraPublic,
    CameraSourcePublic,
    CameraUpdate,
)
from app.schemas.common import RowId

router = APIRouter(prefix="/cameras", tags=["cameras"])


@router.post("", status_code=201)
def create_camera(
    body: CameraCreate, session: SessionDep, user: Admin, clock: ClockDep, settings: SettingsDep
) -> CameraCreated:
    """Register a camera (or a site: `may_create_cameras`); the answer holds its API key,
    shown this once."""
    camera, key = accounts.create_camera(
        session, name=body.name, lat=body.lat, lon=body.lon, heading_deg=body.heading,
        pepper=settings.token_secret.get_secret_value(), actor=user, now=clock(),
        may_create_cameras=body.may_create_cameras,
    )  # fmt: skip
    return CameraCreated(**camera_public(camera).model_dump(), api_key=key)


@router.get("")
def list_cameras(
    session: SessionDep,
    _user: Dispatcher,
    clock: ClockDep,
    settings: SettingsDep,
    placed: bool | None = None,
    silent: bool | None = None,
) -> list[CameraPublic]:
    """Every camera with its health: when its last read and heartbeat came, reads in the last
    hour, the share of them read with low confidence, `silent` when it has sent nothing for
    `camera_silent_after_s`, and its misread rate (of the hits officers checked in the last
    30 days, the share closed as misread). `placed=false` lists the cameras found through a
    site's key that still need a position; `silent=true` the blind spots."""
    cameras = list(session.scalars(select(Camera).order_by("id")))
    report = camera_health.health(
        session,
        cameras,
        now=clock(),
        silent_after=timedelta(seconds=settings.cameras.silent_after_s),
        low_confidence=settings.cameras.low_confidence,
    )
    refs = refs_by_camera(session, (c.id for c in cameras if c.id is not None))
    found = [camera_public(c, refs=refs, health=report.get(c.id or 0)) for c in cameras]
    return [
        c
        for c in found
        if (placed is None or c.is_placed == placed)
        and (silent is None or (c.health is not None and c.health.silent == silent))
    ]


@router.patch("/{camera_id}")
def update_camera(
    camera_id: RowId,
    body: CameraUpdate,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Admin,
    clock: ClockDep,
) -> CameraPublic:
    """Place a camera (`lat`, `lon`, `heading`), rename it, let its key create cameras, or
    switch it off. Reads already stored keep the position they were stored with."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"no camera with id {camera_id}")
    changes = body.model_dump(exclude_unset=True)
    if "heading" in changes:
        changes["heading_deg"] = changes.pop("heading")
    camera.sqlmodel_update(changes)
    session.add(camera)
    session.flush()
    if "is_active" in changes:  # its key is refused, or taken again, in every process at once
        credential_changes.record(session, kind="camera", subject_id=camera_id, now=clock())
    audit.record(
        session, actor=user, action="camera.update", now=clock(), object_type="camera",
        object_id=camera_id, detail=changes,
    )  # fmt: skip
    _forget_cameras_after_commit(session, runtime)
    return camera_public(camera, refs=refs_by_camera(session, [camera_id]))


def _forget_cameras_after_commit(session: Session, runtime: Runtime) -> None:
    """This process's caches drop the camera at once; other processes within 30 s (their
    cache lifetime)."""

    def forget(_session: Session) -> None:
        runtime.camera_keys.forget()
        runtime.intake.sources.clear()

    event.listen(session, "after_commit", forget, once=True)


def camera_public(
    camera: Camera,
    *,
    refs: dict[int, list[CameraSource]] | None = None,
    health: CameraHealth | None = None,
) -> CameraPublic:
    assert camera.id is not None
    return CameraPublic(
        id=camera.id,
        name=camera.name,
        lat=camera.lat,
        lon=camera.lon,
        heading=camera.heading_deg,
        key_hint=None if camera.key_hash.startswith(NO_KEY_PREFIX) else camera.key_hint,
        is_active=camera.is_active,
        is_placed=camera.lat is not None and camera.lon is not None,
        may_create_cameras=camera.may_create_cameras,
        vendor_refs=[
            CameraSourcePublic(
                camera_ref=s.camera_ref, label=s.label, key_camera_id=s.key_camera_id
            )
            for s in (refs or {}).get(camera.id, [])
        ],
        health=health,
    )


@router.post("/{camera_id}/key")
def rotate_key(
    camera_id: RowId, session: SessionDep, user: Admin, clock: ClockDep, settings: SettingsDep
) -> CameraCreated:
    """A new API key for the camera (shown this once); the old one is refused in every process
    within a second."""
    try:
        key = accounts.rotate_camera_key(
            session, camera_id=camera_id, pepper=settings.token_secret.get_secret_value(),
            actor=user, now=clock(),
        )  # fmt: skip
    except LookupError as missing:
        raise NotFound(str(missing)) from None
    camera = session.get(Camera, camera_id)
    assert camera is not None
    return CameraCreated(**camera_public(camera).model_dump(), api_key=key)
