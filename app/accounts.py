"""Creating cameras and people, shared by the admin API and the CLI."""

from datetime import datetime

from sqlmodel import Session

from app import audit
from app.models import Camera, Role, User
from app.security import CAMERA_KEY_PREFIX, USER_TOKEN_PREFIX, hash_secret, hint, new_secret


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
    )
    session.add(camera)
    session.flush()
    audit.record(
        session, actor=actor, action="camera.create", now=now, object_type="camera",
        object_id=camera.id, detail={"name": name},
    )  # fmt: skip
    return camera, key


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
