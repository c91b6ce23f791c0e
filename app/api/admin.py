"""People and their sessions. Admins only; the CLI does the same for the first admin.
Cameras and their keys: api/cameras.py."""

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select
from sqlmodel import col

from app import audit
from app.auth import accounts, tokens
from app.auth.sessions import live_sessions
from app.deps import Admin, ClockDep, SessionDep, SettingsDep
from app.errors import Conflict, NotFound
from app.models import Role, User
from app.schemas.auth import (
    IssuedToken,
    OneTimePassword,
    SecondFactor,
    SessionPublic,
    SessionsRevoked,
)
from app.schemas.common import RowId
from app.schemas.people import UserCreate, UserCreated, UserPublic, UserUpdate

router = APIRouter(tags=["admin"])


@router.post("/users", status_code=201)
def create_user(
    body: UserCreate, session: SessionDep, user: Admin, clock: ClockDep, settings: SettingsDep
) -> UserCreated:
    """Create a person. The answer holds, shown this once, a one-time password (changed at the
    first sign-in), a bootstrap token that expires, and where the role signs in with a code,
    the authenticator enrolment URI."""
    now, pepper = clock(), settings.token_secret.get_secret_value()
    try:
        created, token = accounts.create_user(
            session, name=body.name, username=body.username, role=Role(body.role),
            badge=body.badge, pepper=pepper, actor=user, now=now,
            token_ttl=timedelta(seconds=settings.auth.bootstrap_token_ttl_s),
        )  # fmt: skip
    except accounts.AccountConflict as taken:
        raise Conflict(str(taken)) from None
    one_time = accounts.set_password(
        session, created, password=None, min_length=settings.auth.password_min_length,
        actor=user, now=now,
    )  # fmt: skip
    assert one_time is not None
    uri = None
    if settings.auth.needs_second_factor(created.role):
        uri = accounts.enrol_totp(session, created, pepper=pepper, actor=user, now=now)
    return UserCreated(
        **user_public(created).model_dump(), token=token, one_time_password=one_time,
        second_factor_uri=uri,
    )  # fmt: skip


@router.get("/users")
def list_users(session: SessionDep, _user: Admin) -> list[UserPublic]:
    return [user_public(u) for u in session.scalars(select(User).order_by("id"))]


@router.patch("/users/{user_id}")
def update_user(
    user_id: RowId, body: UserUpdate, session: SessionDep, actor: Admin, clock: ClockDep
) -> UserPublic:
    """Change a role, or deactivate a person: every token of theirs stops working in every
    process within a second. Audited, with the reason."""
    target = _user(session, user_id)
    accounts.change_user(
        session, target, wanted=body.model_dump(exclude_unset=True, exclude={"reason"}),
        reason=body.reason, actor=actor, now=clock(),
    )  # fmt: skip
    return user_public(target)


@router.post("/users/{user_id}/password-reset")
def reset_password(
    user_id: RowId, session: SessionDep, actor: Admin, clock: ClockDep, settings: SettingsDep
) -> OneTimePassword:
    """A new one-time password (to change at the next sign-in); every session is signed out."""
    target, now = _user(session, user_id), clock()
    one_time = accounts.set_password(
        session, target, password=None, min_length=settings.auth.password_min_length,
        actor=actor, now=now,
    )  # fmt: skip
    assert one_time is not None
    tokens.revoke_user(session, user_id=user_id, reason="password reset", now=now)
    return OneTimePassword(one_time_password=one_time)


@router.post("/users/{user_id}/second-factor-reset")
def reset_second_factor(
    user_id: RowId, session: SessionDep, actor: Admin, clock: ClockDep, settings: SettingsDep
) -> SecondFactor:
    """A lost phone: a new authenticator enrolment for the person; the old app's codes stop
    working and every session is signed out."""
    target, now = _user(session, user_id), clock()
    uri = accounts.enrol_totp(
        session, target, pepper=settings.token_secret.get_secret_value(), actor=actor, now=now
    )
    tokens.revoke_user(session, user_id=user_id, reason="second factor reset", now=now)
    return SecondFactor(uri=uri)


@router.post("/users/{user_id}/token")
def rotate_token(
    user_id: RowId, session: SessionDep, actor: Admin, clock: ClockDep, settings: SettingsDep
) -> IssuedToken:
    """A new bearer token for a person or a gateway account (shown this once); every other
    token of theirs stops working in every process within a second. A gateway's lasts
    LOOKOUT_GATEWAY_TOKEN_TTL_S (90 days), anyone else's LOOKOUT_BOOTSTRAP_TOKEN_TTL_S."""
    target, now = _user(session, user_id), clock()
    group = settings.auth
    seconds = (
        group.gateway_token_ttl_s if target.role == Role.GATEWAY else group.bootstrap_token_ttl_s
    )
    token = accounts.rotate_user_token(
        session, target, ttl=timedelta(seconds=seconds),
        pepper=settings.token_secret.get_secret_value(), actor=actor, now=now,
    )  # fmt: skip
    return IssuedToken(token=token, expires_at=now + timedelta(seconds=seconds))


@router.get("/users/{user_id}/sessions")
def list_sessions(
    user_id: RowId, session: SessionDep, _actor: Admin, clock: ClockDep
) -> list[SessionPublic]:
    _user(session, user_id)
    return live_sessions(session, user_id=user_id, now=clock())


@router.delete("/users/{user_id}/sessions")
def revoke_sessions(
    user_id: RowId, session: SessionDep, actor: Admin, clock: ClockDep, only: str | None = None
) -> SessionsRevoked:
    """Sign a person out everywhere, or of one session (`only`)."""
    _user(session, user_id)
    now = clock()
    if only is None:
        revoked = tokens.revoke_user(session, user_id=user_id, reason="revoked by admin", now=now)
    else:
        mine = {s.session for s in live_sessions(session, user_id=user_id, now=now)}
        if only not in mine:
            raise NotFound(f"user {user_id} has no live session {only}")
        revoked = tokens.revoke_session(
            session, session_id=only, reason="revoked by admin", now=now
        )
    audit.record(
        session, actor=actor, action="auth.sessions.revoke", now=now, object_type="user",
        object_id=user_id, detail={"session": only, "tokens": revoked},
    )  # fmt: skip
    return SessionsRevoked(revoked=revoked)


def _user(session: SessionDep, user_id: int) -> User:
    found = session.scalars(select(User).where(col(User.id) == user_id)).first()
    if found is None:
        raise NotFound(f"no user with id {user_id}")
    return found


def user_public(user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id, name=user.name, username=user.username, role=user.role, badge=user.badge,
        is_active=user.is_active, has_password=user.password_hash is not None,
        has_second_factor=user.totp_confirmed_at is not None, locked_until=user.locked_until,
        is_command_staff=user.is_command_staff,
    )  # fmt: skip
