"""A person's live sessions: each sign-in (or bootstrap token) and its newest expiry."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import AuthToken, TokenKind, User
from app.schemas.auth import SessionPublic


def live_sessions(session: Session, *, user_id: int, now: datetime) -> list[SessionPublic]:
    rows = session.execute(
        select(AuthToken, col(User.username))
        .join(User, col(User.id) == AuthToken.user_id)
        .where(
            col(AuthToken.user_id) == user_id,
            col(AuthToken.revoked_at).is_(None),
            col(AuthToken.expires_at) > now,
            col(AuthToken.used_at).is_(None),
        )
        .order_by(col(AuthToken.created_at))
    ).all()
    found: dict[str, SessionPublic] = {}
    for token, username in rows:
        latest = found.get(token.session)
        expires_at = max(token.expires_at, latest.expires_at) if latest else token.expires_at
        found[token.session] = SessionPublic(
            session=token.session, user_id=user_id, username=username,
            kind="bootstrap" if token.kind == TokenKind.BOOTSTRAP else "sign-in",
            client=token.client, started_at=latest.started_at if latest else token.created_at,
            expires_at=expires_at,
        )  # fmt: skip
    return list(found.values())
