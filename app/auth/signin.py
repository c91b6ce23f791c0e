"""Signing in: user name and password, then a TOTP code where the role needs one; failures
counted per account, which locks after `sign_in_max_failures` for `sign_in_lockout_s`.

`sign_in` never raises for a refused sign-in: it returns a `Refusal`, so the caller can commit
the failure count and the audit row before answering 401 (a rolled-back failure would let an
attacker guess forever).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import audit
from app.auth import passwords, tokens, totp
from app.models import User
from app.settings import AuthSettings

WRONG = "wrong user name, password or one-time code"


@dataclass(frozen=True, slots=True)
class Refusal:
    detail: str
    needs_code: bool = False  # the password was right; the role needs a TOTP code in `otp`


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    otp: str | None,
    client: str | None,
    settings: AuthSettings,
    pepper: str,
    now: datetime,
) -> tuple[tokens.Issued, User] | Refusal:
    user = session.scalars(
        select(User).where(col(User.username) == username.strip().lower()).with_for_update()
    ).first()
    if user is not None and (locked := _locked(user, now)) is not None:
        _audit(session, user, "auth.sign_in.locked", now, username)
        return locked
    right, rehashed = passwords.verify(password, user.password_hash if user else None)
    if user is None or not right or not user.is_active:
        return _failed(session, user, now, settings, username)
    if settings.needs_second_factor(user.role):
        secret = totp.unseal(user.totp_secret, key_material=pepper) if user.totp_secret else None
        if secret is None:
            _audit(session, user, "auth.sign_in.no_second_factor", now, username)
            return Refusal(
                f"the {user.role} role signs in with a one-time code, and this account has no "
                "authenticator enrolled: ask an admin to reset its second factor"
            )
        if not otp:
            return Refusal(f"the {user.role} role needs a one-time code in `otp`", True)
        if not totp.use_code(user, secret, otp, now=now):
            return _failed(session, user, now, settings, username)
        if user.totp_confirmed_at is None:
            user.totp_confirmed_at = now
    user.failed_sign_ins, user.locked_until = 0, None
    if rehashed is not None:
        user.password_hash = rehashed
    session.add(user)
    issued = tokens.issue_pair(
        session, user=user, access_ttl=timedelta(seconds=settings.access_token_ttl_s),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s), pepper=pepper, now=now,
        client=client,
    )  # fmt: skip
    _audit(session, user, "auth.sign_in", now, username, session_id=issued.session)
    return issued, user


def recheck_password(
    session: Session, user: User, password: str, *, settings: AuthSettings, now: datetime
) -> Refusal | None:
    """The password asked again of a signed-in person (to change it, or to enrol a new
    authenticator): None when right. A wrong one counts toward the lockout like a sign-in's,
    so a stolen access token cannot be used to guess the password without limit."""
    locked = _locked(user, now)
    if locked is not None:
        return locked
    if passwords.verify(password, user.password_hash)[0]:
        return None
    _failed(session, user, now, settings, user.username)
    return _locked(user, now) or Refusal("the current password is wrong")


def recheck_code(
    session: Session,
    user: User,
    otp: str | None,
    *,
    settings: AuthSettings,
    pepper: str,
    now: datetime,
) -> Refusal | None:
    """A code from the authenticator a person has enrolled, asked before another replaces it:
    None when right, or when none is enrolled. A stolen session and a phished password must
    not be enough to move someone's second factor to the thief's phone. A wrong code counts
    toward the lockout."""
    sealed = user.totp_secret if user.totp_confirmed_at is not None else None
    secret = totp.unseal(sealed, key_material=pepper) if sealed else None
    if secret is None:
        return None
    if not otp:
        return Refusal("a code from the authenticator enrolled now is needed in `otp`", True)
    if totp.use_code(user, secret, otp, now=now):
        return None
    _failed(session, user, now, settings, user.username)
    return _locked(user, now) or Refusal("the one-time code is wrong")


def _locked(user: User, now: datetime) -> Refusal | None:
    if user.locked_until is None or user.locked_until <= now:
        return None
    minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
    return Refusal(f"too many failed sign-ins: the account is locked for {minutes} min")


def _failed(
    session: Session, user: User | None, now: datetime, settings: AuthSettings, username: str
) -> Refusal:
    if user is None:
        _audit(session, None, "auth.sign_in.failed", now, username)
        return Refusal(WRONG)
    user.failed_sign_ins += 1
    action = "auth.sign_in.failed"
    if user.failed_sign_ins >= settings.sign_in_max_failures:
        user.locked_until = now + timedelta(seconds=settings.sign_in_lockout_s)
        user.failed_sign_ins = 0
        action = "auth.lockout"
    session.add(user)
    _audit(session, user, action, now, username)
    return Refusal(WRONG)


def _audit(
    session: Session,
    user: User | None,
    action: str,
    now: datetime,
    username: str,
    session_id: str | None = None,
) -> None:
    detail: dict[str, object] = {"username": username.strip().lower()[:120]}
    if session_id:
        detail["session"] = session_id
    audit.record(
        session, actor=user, action=action, now=now, object_type="user",
        object_id=user.id if user else None, detail=detail,
    )  # fmt: skip
