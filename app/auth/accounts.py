"""Creating cameras and people, shared by the admin API and the CLI; changing a person's role
or standing, shared by the admin API and the admin page."""

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import audit
from app.auth import changes, oidc, passwords, tokens, totp
from app.auth.credentials import CAMERA_KEY_PREFIX, hash_secret, hint, new_secret
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
    token_ttl: timedelta,
    username: str | None = None,
) -> tuple[User, str]:
    """A new person and a bootstrap token that expires after `token_ttl` (returned once; only
    its hash is stored). They sign in with a password once one is set (`set_password`)."""
    login = (username or name).strip().lower()
    if session.scalars(select(User).where(col(User.username) == login)).first() is not None:
        raise AccountConflict(f"the user name {login!r} is taken")
    user = User(name=name, username=login, role=role.value, badge=badge, created_at=now)
    session.add(user)
    session.flush()
    token = tokens.issue_bootstrap(session, user=user, ttl=token_ttl, pepper=pepper, now=now)
    audit.record(
        session, actor=actor, action="user.create", now=now, object_type="user",
        object_id=user.id, detail={"name": name, "username": login, "role": role.value},
    )  # fmt: skip
    return user, token


class AccountConflict(ValueError):
    pass


def set_password(
    session: Session,
    user: User,
    *,
    password: str | None,
    min_length: int,
    actor: User | None,
    now: datetime,
) -> str | None:
    """Set a password; None sets a one-time password, returned to be handed over, which must
    be changed at the first sign-in. Raises passwords.WeakPassword for a given weak one."""
    one_time = None
    if password is None:
        one_time = password = secrets.token_urlsafe(12)
    else:
        passwords.check_policy(password, username=user.username, min_length=min_length)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    user.must_change_password = one_time is not None
    user.failed_sign_ins, user.locked_until = 0, None
    session.add(user)
    audit.record(
        session, actor=actor, action="user.password", now=now, object_type="user",
        object_id=user.id, detail={"one_time": one_time is not None},
    )  # fmt: skip
    return one_time


def change_user(
    session: Session,
    target: User,
    *,
    wanted: Mapping[str, object],
    reason: str | None,
    actor: User,
    now: datetime,
) -> User:
    """Change a role, deactivate or reactivate a person, or make a supervisor command staff
    (`wanted`: any of role, is_active, is_command_staff). A new role or a deactivation stops
    every token of theirs in every process within a second. Audited with the reason and the
    changes asked for."""
    role, active = wanted.get("role"), wanted.get("is_active")
    if role is not None and role != target.role:
        target.role = str(role)
        tokens.revoke_user(session, user_id=_id(target), reason="role changed", now=now)
    if active is not None and active != target.is_active:
        target.is_active = bool(active)
        target.deactivated_at = None if active else now
        if not active:
            tokens.revoke_user(session, user_id=_id(target), reason="deactivated", now=now)
    if wanted.get("is_command_staff") is not None:
        target.is_command_staff = bool(wanted["is_command_staff"])
    session.add(target)
    audit.record(
        session, actor=actor, action="user.update", now=now, object_type="user",
        object_id=target.id, purpose=reason, detail=dict(wanted),
    )  # fmt: skip
    return target


def _id(user: User) -> int:
    assert user.id is not None
    return user.id


def enrol_totp(
    session: Session, user: User, *, pepper: str, actor: User | None, now: datetime
) -> str:
    """A new TOTP secret for the person (the old one stops working); returns the `otpauth://`
    URI an authenticator app enrols from. It is confirmed by the first sign-in with a code."""
    secret = totp.new_secret()
    user.totp_secret = totp.seal(secret, key_material=pepper)
    user.totp_confirmed_at, user.totp_last_step = None, None
    session.add(user)
    audit.record(
        session, actor=actor, action="user.second_factor", now=now, object_type="user",
        object_id=user.id,
    )  # fmt: skip
    return totp.provisioning_uri(secret, username=user.username)


def rotate_camera_key(
    session: Session, *, camera_id: int, pepper: str, actor: User | None, now: datetime
) -> str:
    """A new key for a camera (returned once); the old one stops working in every process
    within a second. Raises LookupError for an unknown camera."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise LookupError(f"no camera with id {camera_id}")
    key = new_secret(CAMERA_KEY_PREFIX)
    camera.key_hash, camera.key_hint = hash_secret(key, pepper=pepper), hint(key)
    session.add(camera)
    changes.record(session, kind="camera", subject_id=camera_id, now=now)
    audit.record(
        session, actor=actor, action="camera.key_rotated", now=now, object_type="camera",
        object_id=camera_id,
    )  # fmt: skip
    return key


def rotate_user_token(
    session: Session,
    user: User,
    *,
    ttl: timedelta,
    pepper: str,
    actor: User | None,
    now: datetime,
) -> str:
    """A new bearer token for a person or a gateway account (returned once); every other
    token of theirs stops working in every process within a second."""
    assert user.id is not None
    tokens.revoke_user(session, user_id=user.id, reason="token rotated", now=now)
    token = tokens.issue_bootstrap(session, user=user, ttl=ttl, pepper=pepper, now=now)
    audit.record(
        session, actor=actor, action="user.token_rotated", now=now, object_type="user",
        object_id=user.id,
    )  # fmt: skip
    return token


def from_identity(session: Session, identity: "oidc.Identity", *, now: datetime) -> User:
    """The person the identity provider vouches for: found by its subject, created on first
    sign-on, their role kept equal to the provider's claim. Raises oidc.SignOnRefused."""
    role = identity.role if identity.role in {r.value for r in Role} else None
    if role is None:
        raise oidc.SignOnRefused(
            f"the identity provider gives {identity.username!r} no Lookout role ({identity.role!r})"
        )
    user = session.scalars(select(User).where(col(User.oidc_subject) == identity.subject)).first()
    if user is None:
        username, n = identity.username, 1
        while session.scalars(select(User).where(col(User.username) == username)).first():
            n += 1
            username = f"{identity.username}-{n}"
        user = User(name=identity.name, username=username, role=role, created_at=now,
                    oidc_subject=identity.subject)  # fmt: skip
        session.add(user)
        session.flush()
        audit.record(
            session, actor=None, action="user.create", now=now, object_type="user",
            object_id=user.id, detail={"username": username, "role": role, "source": "oidc"},
        )  # fmt: skip
    elif not user.is_active:
        raise oidc.SignOnRefused("this account is deactivated in Lookout")
    elif user.role != role:
        before, user.role = user.role, role
        session.add(user)
        assert user.id is not None
        tokens.revoke_user(session, user_id=user.id, reason="role changed at the provider", now=now)
        audit.record(
            session, actor=None, action="user.update", now=now, object_type="user",
            object_id=user.id, detail={"role": [before, role], "source": "oidc"},
        )  # fmt: skip
    return user
