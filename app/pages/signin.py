"""/signin and signing out: the person's user name, password and (where the role needs one)
one-time code, checked by app/auth's `sign_in` like the token endpoint; then a session cookie
and the page of their role. A one-time password is changed at /signin/password first."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Form as FormField
from fastapi.responses import RedirectResponse

from app import audit
from app.auth import accounts, passwords, signin, tokens
from app.auth.sessions import live_sessions
from app.deps import ClockDep, RuntimeDep, SessionDep, SettingsDep, client_address, runtime_of
from app.models import Role, User
from app.pages import web
from app.pages.web import AnyVisitor, Form
from app.schemas.common import NulFree

router = APIRouter(include_in_schema=False)


def _signin_form(
    request: Request, *, error: str | None = None, username: str = "", status_code: int = 200
) -> Response:
    token = request.cookies.get(web.SIGNIN_COOKIE) or web.new_signin_token()
    response = web.render(
        request, "signin.html", None, status_code=status_code, error=error, username=username,
        signin_token=token, next=web.safe_next(request.query_params.get("next")) or "",
    )  # fmt: skip
    response.set_cookie(
        web.SIGNIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/signin",
    )  # fmt: skip
    return response


@router.get("/home")
def home(request: Request) -> Response:
    """The signed-in person's page, else /signin."""
    visitor = web.current_visitor(request)
    return RedirectResponse(web.HOME.get(Role(visitor.role), "/signin"), status_code=303)


@router.get("/signin")
def signin_page(request: Request) -> Response:
    return _signin_form(request)


@router.post("/signin")
def sign_in(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
    username: Annotated[str, FormField(max_length=120), NulFree] = "",
    password: Annotated[str, FormField(max_length=200)] = "",
    otp: Annotated[str, FormField(max_length=12)] = "",
    csrf: Annotated[str, FormField(max_length=100)] = "",
    next: Annotated[str, FormField(max_length=500)] = "",
) -> Response:
    cookie = request.cookies.get(web.SIGNIN_COOKIE) or ""
    if not cookie or not hmac.compare_digest(cookie, csrf):
        return _signin_form(
            request, error="The sign-in form expired: try again.", username=username,
            status_code=403,
        )  # fmt: skip
    address = client_address(request)
    wait_s = runtime.throttle.retry_after_s(address)
    if wait_s is not None:
        return _signin_form(
            request, error=f"Too many failed sign-ins from here; try again in {wait_s} s.",
            username=username, status_code=429,
        )  # fmt: skip
    if not username or not password:
        return _signin_form(
            request, error="Enter your user name and password.", username=username,
            status_code=400,
        )  # fmt: skip
    ttl = web.session_ttl(settings)
    group = settings.auth.model_copy(update={"access_token_ttl_s": int(ttl.total_seconds())})
    outcome = signin.sign_in(
        session, username=username, password=password, otp=otp.strip() or None,
        client=request.headers.get("user-agent"), settings=group,
        pepper=settings.token_secret.get_secret_value(), now=clock(),
    )  # fmt: skip
    if isinstance(outcome, signin.Refusal):
        session.commit()  # the failure count and the audit row stand
        if not outcome.needs_code:
            runtime.throttle.failed(address)
        error = (
            "Your role signs in with a one-time code: enter the code from your authenticator app."
            if outcome.needs_code
            else outcome.detail[:1].upper() + outcome.detail[1:] + "."
        )
        return _signin_form(request, error=error, username=username, status_code=401)
    issued, user = outcome
    goal = "/signin/password" if user.must_change_password else _home(user, next)
    response = RedirectResponse(goal, status_code=303)
    web.set_session(request, response, issued.access_token, max_age_s=int(ttl.total_seconds()))
    response.delete_cookie(web.SIGNIN_COOKIE, path="/signin")
    return response


def _home(user: User, wanted: str) -> str:
    home = web.HOME.get(Role(user.role), "/signin/password")
    return web.safe_next(wanted) or home


@router.post("/signout")
def sign_out(
    request: Request, session: SessionDep, clock: ClockDep, visitor: AnyVisitor, _form: Form
) -> Response:
    now = clock()
    principal = visitor.principal
    tokens.revoke_session(session, session_id=principal.session, reason="signed out", now=now)
    audit.record(
        session, actor=visitor.user, action="auth.sign_out", now=now, object_type="user",
        object_id=principal.user_id, detail={"session": principal.session, "via": "page"},
    )  # fmt: skip
    response = RedirectResponse("/signin", status_code=303)
    web.clear_session(response)
    return response


def _password_visitor(request: Request) -> tokens.Principal | None:
    """The session of someone who must change a one-time password (or any live one)."""
    runtime = runtime_of(request)
    token = request.cookies.get(web.SESSION_COOKIE)
    return runtime.principals.resolve(token, now=runtime.clock()) if token else None


@router.get("/signin/password")
def password_page(request: Request) -> Response:
    principal = _password_visitor(request)
    if principal is None:
        return RedirectResponse("/signin", status_code=303)
    csrf = web.csrf_token(runtime_of(request).settings, principal.session)
    return web.render(request, "password.html", None, csrf_value=csrf, error=None)


@router.post("/signin/password")
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    current_password: Annotated[str, FormField(max_length=200)] = "",
    new_password: Annotated[str, FormField(max_length=200)] = "",
    csrf: Annotated[str, FormField(max_length=100)] = "",
) -> Response:
    """As POST /v1/me/password: every session of the person ends; they sign in again."""
    principal = _password_visitor(request)
    if principal is None:
        return RedirectResponse("/signin", status_code=303)
    expected = web.csrf_token(settings, principal.session)
    user = session.get(User, principal.user_id)
    assert user is not None
    error = None
    if not hmac.compare_digest(csrf, expected):
        error = "This form has expired: reload it."
    elif (
        refused := signin.recheck_password(
            session, user, current_password, settings=settings.auth, now=clock()
        )
    ) is not None:
        session.commit()  # the failure counts toward the lockout, whatever the answer
        runtime_of(request).throttle.failed(client_address(request))
        error = refused.detail[:1].upper() + refused.detail[1:] + "."
    else:
        now = clock()
        try:
            accounts.set_password(
                session, user, password=new_password,
                min_length=settings.auth.password_min_length, actor=user, now=now,
            )  # fmt: skip
        except passwords.WeakPassword as weak:
            error = f"New password: {weak}."
        else:
            for live in live_sessions(session, user_id=user.id or 0, now=now):
                tokens.revoke_session(
                    session, session_id=live.session, reason="password changed", now=now
                )
            response = RedirectResponse("/signin", status_code=303)
            web.clear_session(response)
            return response
    return web.render(
        request, "password.html", None, csrf_value=expected, error=error, status_code=400
    )
