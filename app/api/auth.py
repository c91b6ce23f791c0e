"""Signing in and out: the OAuth2 token endpoint (password and refresh-token grants), a
person's sessions, their password and their second factor."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from app import audit
from app.auth import accounts, oidc, passwords, signin, tokens
from app.auth.sessions import live_sessions
from app.auth.signin import Refusal
from app.deps import (
    ClockDep,
    CurrentPrincipal,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    client_address,
)
from app.errors import BadRequest, NotFound, TooManyRequests, Unauthorized, Unprocessable
from app.models import User
from app.schemas.auth import (
    PasswordChange,
    SecondFactor,
    SecondFactorChange,
    SessionPublic,
    TokenPair,
)
from app.schemas.common import NulFree

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    responses={401: {"description": "Wrong credentials, a code needed, or a locked account"}},
)
def issue_token(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    clock: ClockDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form(pattern="^(password|refresh_token)$")] = "password",
    username: Annotated[str, Form(max_length=120), NulFree] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    otp: Annotated[
        str | None, Form(max_length=12, description="The one-time code, where the role needs one")
    ] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenPair:
    """Sign in with a user name and password (and `otp`, a TOTP code, for the roles that need
    a second factor), or exchange a refresh token for a new pair (`grant_type=refresh_token`).
    Five failures in a row lock the account for 15 minutes; failed credentials from one
    address past a limit are answered 429."""
    address = client_address(request)
    wait_s = runtime.throttle.retry_after_s(address)
    if wait_s is not None:
        raise TooManyRequests(
            f"too many failed credentials from this address; retry in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
        )
    now, pepper, group = clock(), settings.token_secret.get_secret_value(), settings.auth
    if grant_type == "refresh_token":
        if not refresh_token:
            raise BadRequest("grant_type refresh_token needs `refresh_token`")
        try:
            issued, user = tokens.rotate(
                session, refresh_token=refresh_token, pepper=pepper, now=now,
                access_ttl=timedelta(seconds=group.access_token_ttl_s),
                refresh_ttl=timedelta(seconds=group.refresh_token_ttl_s),
            )  # fmt: skip
        except tokens.TokenRefused as refused:
            session.commit()  # a reused token's session stays revoked
            runtime.throttle.failed(address)
            raise Unauthorized(str(refused), headers={"WWW-Authenticate": "Bearer"}) from None
        return _pair(issued, user, now)
    if not username or not password:
        raise BadRequest("sign in with `username` and `password` (form fields)")
    outcome = signin.sign_in(
        session, username=username, password=password, otp=otp, settings=group, pepper=pepper,
        now=now, client=request.headers.get("user-agent"),
    )  # fmt: skip
    if isinstance(outcome, Refusal):
        session.commit()  # the failure count and the audit row stand, whatever the answer
        if not outcome.needs_code:
            runtime.throttle.failed(address)
        raise Unauthorized(outcome.detail, headers={"WWW-Authenticate": "Bearer"})
    issued, user = outcome
    return _pair(issued, user, now)


@router.post("/auth/logout", status_code=204)
def sign_out(session: SessionDep, principal: CurrentPrincipal, clock: ClockDep) -> None:
    """Sign out: this session's tokens (access and refresh) stop working everywhere."""
    now = clock()
    tokens.revoke_session(session, session_id=principal.session, reason="signed out", now=now)
    audit.record(
        session, actor=principal.user(), action="auth.sign_out", now=now, object_type="user",
        object_id=principal.user_id, detail={"session": principal.session},
    )  # fmt: skip


@router.get("/me/sessions")
def list_my_sessions(
    session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> list[SessionPublic]:
    """Where this person is signed in (each sign-in is a session, refreshed within itself)."""
    return live_sessions(session, user_id=principal.user_id, now=clock())


@router.post("/me/password", status_code=204)
def change_password(
    request: Request,
    body: PasswordChange,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    settings: SettingsDep,
) -> None:
    """Change your password (a one-time one must be changed before anything else). Your other
    sessions are signed out."""
    user = session.get(User, principal.user_id)
    assert user is not None  # the principal's account is live
    now = clock()
    _recheck(request, session, runtime, user, body.current_password, settings, now)
    try:
        accounts.set_password(
            session, user, password=body.new_password, min_length=settings.auth.password_min_length,
            actor=user, now=now,
        )  # fmt: skip
    except passwords.WeakPassword as weak:
        raise Unprocessable(f"new_password: {weak}") from None
    for other in {s.session for s in live_sessions(session, user_id=principal.user_id, now=now)}:
        if other != principal.session:
            tokens.revoke_session(session, session_id=other, reason="password changed", now=now)
    tokens.revoke_session(session, session_id=principal.session, reason="password changed", now=now)


@router.post("/me/second-factor")
def enrol_second_factor(
    request: Request,
    body: SecondFactorChange,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    settings: SettingsDep,
) -> SecondFactor:
    """Enrol a new authenticator app (your password again in `current_password`, and a code
    from the authenticator enrolled now in `otp` when there is one): the answer's URI replaces
    the old second factor, confirmed by your next sign-in with a code from it."""
    user = session.get(User, principal.user_id)
    assert user is not None
    now, pepper = clock(), settings.token_secret.get_secret_value()
    _recheck(request, session, runtime, user, body.current_password, settings, now)
    refused = signin.recheck_code(
        session, user, body.otp, settings=settings.auth, pepper=pepper, now=now
    )
    if refused is not None:
        session.commit()  # a wrong code counts toward the lockout, whatever the answer
        if not refused.needs_code:
            runtime.throttle.failed(client_address(request))
        raise Unauthorized(refused.detail)
    uri = accounts.enrol_totp(session, user, pepper=pepper, actor=user, now=now)
    return SecondFactor(uri=uri)


def _recheck(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: User,
    password: str,
    settings: SettingsDep,
    now: datetime,
) -> None:
    """401 unless `password` is the person's: a wrong one counts toward the lockout and the
    address's throttle, and is committed whatever the answer (as a sign-in's failure is)."""
    refused = signin.recheck_password(session, user, password, settings=settings.auth, now=now)
    if refused is not None:
        session.commit()
        runtime.throttle.failed(client_address(request))
        raise Unauthorized(refused.detail)


def _pair(issued: tokens.Issued, user: User, now: datetime) -> TokenPair:
    assert issued.refresh_token is not None and issued.refresh_expires_at is not None
    return TokenPair(
        access_token=issued.access_token,
        expires_in=int((issued.access_expires_at - now).total_seconds()),
        refresh_token=issued.refresh_token,
        refresh_expires_in=int((issued.refresh_expires_at - now).total_seconds()),
        password_change_required=user.must_change_password,
    )


@router.get("/auth/oidc/login", status_code=302, response_class=RedirectResponse)
def begin_single_sign_on(request: Request, clock: ClockDep, settings: SettingsDep) -> Response:
    """Sign in at the agency's identity provider (when configured): a redirect there, which
    comes back to /v1/auth/oidc/callback."""
    provider = _provider(settings)
    url, cookie = oidc.begin(
        provider, redirect_uri=str(request.url_for("finish_single_sign_on")),
        secret=settings.token_secret.get_secret_value(), now=clock(),
    )  # fmt: skip
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        oidc.COOKIE, cookie, max_age=oidc.COOKIE_TTL_S, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/v1/auth/oidc",
    )  # fmt: skip
    return response


@router.get("/auth/oidc/callback")
def finish_single_sign_on(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> TokenPair:
    """Where the identity provider sends the person back: the answer is a token pair, as from
    the token endpoint."""
    provider, now = _provider(settings), clock()
    if error or not code or not state:
        raise Unauthorized(
            f"the identity provider did not sign the person in ({error or 'no code'})"
        )
    try:
        identity = oidc.finish(
            provider, code=code, state=state, cookie=request.cookies.get(oidc.COOKIE),
            secret=settings.token_secret.get_secret_value(), now=now,
        )  # fmt: skip
        user = accounts.from_identity(session, identity, now=now)
    except oidc.SignOnRefused as refused:
        audit.record(session, actor=None, action="auth.sign_in.failed", now=now,
                     detail={"method": "oidc", "why": str(refused)[:200]})  # fmt: skip
        session.commit()
        raise Unauthorized(str(refused)) from None
    group = settings.auth
    issued = tokens.issue_pair(
        session, user=user, access_ttl=timedelta(seconds=group.access_token_ttl_s),
        refresh_ttl=timedelta(seconds=group.refresh_token_ttl_s),
        pepper=settings.token_secret.get_secret_value(), now=now,
        client=request.headers.get("user-agent"),
    )  # fmt: skip
    audit.record(
        session, actor=user, action="auth.sign_in", now=now, object_type="user",
        object_id=user.id, detail={"method": "oidc", "session": issued.session},
    )  # fmt: skip
    return _pair(issued, user, now)


def _provider(settings: SettingsDep) -> oidc.Provider:
    group = settings.auth
    if not (group.oidc_issuer and group.oidc_client_id):
        raise NotFound("single sign-on is not configured (LOOKOUT_OIDC_ISSUER)")
    secret = group.oidc_client_secret.get_secret_value() if group.oidc_client_secret else ""
    return oidc.Provider(
        issuer=group.oidc_issuer,
        client_id=group.oidc_client_id,
        client_secret=secret,
        role_claim=group.oidc_role_claim,
    )
