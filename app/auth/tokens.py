"""Bearer tokens: issued in pairs at sign-in (a short-lived access token and a refresh token
that rotates), or as a bootstrap token for scripts; stored only as keyed hashes; revoked by
session, by user, or all at once when a spent refresh token comes back (it was stolen).

Every process remembers the tokens it has checked (`Principals`) and forgets them when the
credential change feed moves (app/auth/changes.py), so a revocation anywhere holds everywhere
within a second.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.auth import changes
from app.auth.credentials import hash_secret, hint
from app.cache import Memo
from app.db import transaction
from app.models import AuthToken, TokenKind, User

ACCESS_PREFIX = "lka_"
REFRESH_PREFIX = "lkr_"
BOOTSTRAP_PREFIX = "lku_"  # the prefix the CLI's tokens always had


@dataclass(frozen=True, slots=True)
class Issued:
    access_token: str
    access_expires_at: datetime
    refresh_token: str | None
    refresh_expires_at: datetime | None
    session: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a bearer token speaks for, as every request needs it (no database round trip)."""

    user_id: int
    username: str
    name: str
    role: str
    badge: str | None
    must_change_password: bool
    token_id: int
    session: str
    expires_at: datetime
    kind: str = TokenKind.ACCESS  # a bootstrap token (scripts) is not held to a password change

    @property
    def must_change_password_first(self) -> bool:
        return self.must_change_password and self.kind != TokenKind.BOOTSTRAP

    def user(self) -> User:
        """A detached copy of the person, for code that takes a User (audit rows, routes)."""
        return User(
            id=self.user_id, username=self.username, name=self.name, role=self.role,
            badge=self.badge, is_active=True, created_at=self.expires_at,
            must_change_password=self.must_change_password,
        )  # fmt: skip


class TokenRefused(Exception):
    """A refresh token that is unknown, expired, revoked or spent."""


def issue_pair(
    session: Session,
    *,
    user: User,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    pepper: str,
    now: datetime,
    client: str | None,
    session_id: str | None = None,
) -> Issued:
    """A new access and refresh token for `user`, in a new session unless one is given."""
    sid = session_id or uuid.uuid4().hex
    access = _issue(session, user, TokenKind.ACCESS, access_ttl, pepper, now, sid, client)
    refresh = _issue(session, user, TokenKind.REFRESH, refresh_ttl, pepper, now, sid, client)
    return Issued(access, now + access_ttl, refresh, now + refresh_ttl, sid)


def issue_bootstrap(
    session: Session, *, user: User, ttl: timedelta, pepper: str, now: datetime
) -> str:
    """A token for scripts and the first sign-in, printed by the CLI; it expires."""
    return _issue(session, user, TokenKind.BOOTSTRAP, ttl, pepper, now, uuid.uuid4().hex, "cli")


def rotate(
    session: Session,
    *,
    refresh_token: str,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    pepper: str,
    now: datetime,
) -> tuple[Issued, User]:
    """A new pair for a refresh token, which is spent by it. A spent one presented again was
    copied: its whole session is revoked. Raises TokenRefused."""
    row = session.scalars(
        select(AuthToken)
        .where(col(AuthToken.token_hash) == hash_secret(refresh_token, pepper=pepper))
        .with_for_update()
    ).first()
    if row is None or row.kind != TokenKind.REFRESH:
        raise TokenRefused("unknown refresh token")
    if row.used_at is not None:
        revoke_session(session, session_id=row.session, reason="refresh token reused", now=now)
        raise TokenRefused("this refresh token was already used: the session is revoked")
    if row.revoked_at is not None or row.expires_at <= now:
        raise TokenRefused("the refresh token has expired or was revoked: sign in again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise TokenRefused("the account is deactivated")
    row.used_at = now
    session.add(row)
    issued = issue_pair(
        session, user=user, access_ttl=access_ttl, refresh_ttl=refresh_ttl, pepper=pepper,
        now=now, client=row.client, session_id=row.session,
    )  # fmt: skip
    return issued, user


def revoke_session(session: Session, *, session_id: str, reason: str, now: datetime) -> int:
    """Revoke every token of a session; how many were live."""
    result = session.connection().execute(
        update(AuthToken)
        .where(col(AuthToken.session) == session_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    changes.record(session, kind="token", subject_id=None, now=now)
    return int(result.rowcount or 0)


def revoke_user(session: Session, *, user_id: int, reason: str, now: datetime) -> int:
    """Revoke every token of a person (deactivated, password reset, signed out everywhere)."""
    result = session.connection().execute(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user_id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    changes.record(session, kind="user", subject_id=user_id, now=now)
    return int(result.rowcount or 0)


def _issue(
    session: Session,
    user: User,
    kind: TokenKind,
    ttl: timedelta,
    pepper: str,
    now: datetime,
    session_id: str,
    client: str | None,
) -> str:
    assert user.id is not None
    prefix = {TokenKind.ACCESS: ACCESS_PREFIX, TokenKind.REFRESH: REFRESH_PREFIX}.get(
        kind, BOOTSTRAP_PREFIX
    )
    token = prefix + secrets.token_urlsafe(32)
    row = AuthToken(
        user_id=user.id, kind=kind.value, token_hash=hash_secret(token, pepper=pepper),
        hint=hint(token), session=session_id, created_at=now, expires_at=now + ttl,
        client=(client or "")[:200] or None,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return token


class Principals:
    """Bearer token -> Principal, remembered per process until the token expires or the
    credential change feed moves (`forget`). Unknown tokens are remembered too, so a stream of
    bad tokens costs no database query each."""

    def __init__(self, engine: Engine, *, pepper: str) -> None:
        self._engine = engine
        self._pepper = pepper
        self._known: Memo[str, Principal] = Memo(max_size=50_000, ttl_s=300.0)
        self._unknown: Memo[str, bool] = Memo(max_size=50_000, ttl_s=60.0)

    def resolve(self, token: str, *, now: datetime) -> Principal | None:
        token_hash = hash_secret(token, pepper=self._pepper)
        found = self._known.get(token_hash)
        if found is None:
            if self._unknown.get(token_hash):
                return None
            found = self._load(token_hash, now)
            if found is None:
                self._unknown.put(token_hash, True)
                return None
            self._known.put(token_hash, found)
        return found if found.expires_at > now else None

    def remembered(self, token: str, *, now: datetime) -> Principal | None:
        """The principal of a token this process has lately found good, without the database;
        None for any other (unknown, expired, or not seen lately)."""
        found = self._known.get(hash_secret(token, pepper=self._pepper))
        return found if found is not None and found.expires_at > now else None

    def forget(self) -> None:
        self._known.clear()
        self._unknown.clear()

    def _load(self, token_hash: str, now: datetime) -> Principal | None:
        with transaction(self._engine) as session:
            found = session.execute(
                select(AuthToken, User)
                .join(User, col(User.id) == AuthToken.user_id)
                .where(col(AuthToken.token_hash) == token_hash)
            ).first()
            if found is None:
                return None
            token, user = found
            usable = token.kind in (TokenKind.ACCESS, TokenKind.BOOTSTRAP)
            if not usable or token.revoked_at is not None or token.expires_at <= now:
                return None
            if not user.is_active:
                return None
            assert user.id is not None and token.id is not None
            return Principal(
                user_id=user.id, username=user.username, name=user.name, role=user.role,
                badge=user.badge, must_change_password=user.must_change_password,
                token_id=token.id, session=token.session, expires_at=token.expires_at,
                kind=token.kind,
            )  # fmt: skip
