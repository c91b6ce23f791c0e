"""Creating cameras and people, shared by the admin API and the CLI."""

import secrets
from datetime import datetime

from sqlmodel import Session

from app import audit
from app.auth.credentials import CAMERA_KEY_PREFIX, USER_TOKEN_PREFIX, hash_secret, hint, new_secret
from app.models import NO_KEY_PREFIX, Camera, Role, User


def create_camera(
    session: Session,
    *,
    name: str,
    lat: float | None,
    lon: float | None,
    heading_deg: float | None,
    pepper: str,
    actor: User | None,
    now: datetime,
    may_create_cameras: bool = False,
) -> tuple[Camera, str]:
    """A new camera and its API key (returned once; only the hash is stored)."""
    key = new_secret(CAMERA_KEY_PREFIX)
    camera = Camera(
        name=name,
        lat=lat,
        lon=lon,
        heading_deg=heading_deg,
        key_hash=hash_secret(key, pepper=pepper),
        key_hint=hint(key),
        created_at=now,
        may_create_cameras=may_create_cameras,
    )
    session.add(camera)
    session.flush()
    audit.record(
        session, actor=actor, action="camera.create", now=now, object_type="camera",
        object_id=camera.id, detail={"name": name, "may_create_cameras": may_create_cameras},
    )  # fmt: skip
    return camera, key


def create_found_camera(
    session: Session, *, name: str, key_camera_id: int, camera_ref: str, now: datetime
) -> Camera:
    """An unplaced camera, first seen in a vendor message sent with another camera's key.
    It has no key of its own: its reads arrive through that key."""
    camera = Camera(
        name=name,
        key_hash=NO_KEY_PREFIX + secrets.token_hex(16),
        key_hint="",
        created_at=now,
    )
    session.add(camera)
    session.flush()
    audit.record(
        session, actor=None, action="camera.create", now=now, object_type="camera",
        object_id=camera.id,
        detail={"name": name, "found_by_key_of": key_camera_id, "camera_ref": camera_ref},
    )  # fmt: skip
    return camera


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    badge: str | None,
    pepper: str,
    actor: User | None,
    now: datetime,
) -> tuple[User, str]:
    """A new person and their bearer token (returned once; only the hash is stored)."""
    token = new_secret(USER_TOKEN_PREFIX)
    user = User(
        name=name,
        role=role.value,
        badge=badge,
        token_hash=hash_secret(token, pepper=pepper),
        token_hint=hint(token),
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, action="user.create", now=now, object_type="user",
        object_id=user.id, detail={"name": name, "role": role.value},
    )  # fmt: skip
    return user, token
