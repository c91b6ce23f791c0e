"""What every page shares: the session cookie that signs a person in, the CSRF token on
every form, the roles each page admits, and rendering a template.

The cookie holds a bearer token of the person's sign-in session, issued by app/auth exactly as
POST /v1/auth/token issues one (same password check, lockout, second factor, audit), but lasting
the refresh token's lifetime (a shift): a page never refreshes behind the person's back, where
two tabs refreshing at once would look like a stolen refresh token and end the session. Signing
out, a password reset or a deactivation revokes it as it revokes any token (app/auth/tokens.py).

CSRF: a form carries `csrf`, a keyed hash of the sign-in session id, and scripts send it in
`X-CSRF-Token`; the sign-in form itself, before any session, uses a double-submit cookie. The
session cookie is SameSite=Strict besides.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.templating import Jinja2Templates

from app.auth.tokens import Principal
from app.deps import runtime_of
from app.models import Role, User
from app.schemas.common import NUL_REFUSED
from app.settings import Settings
from geo.motion import ago

SESSION_COOKIE = "lookout_session"
SIGNIN_COOKIE = "lookout_signin"  # the sign-in form's double-submit CSRF value
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"

HOME = {
    Role.OFFICER: "/m/",
    Role.DISPATCHER: "/console",
    Role.SUPERVISOR: "/command",
    Role.AUDITOR: "/command",
    Role.ADMIN: "/admin",
}

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class SignInNeeded(Exception):
    """No live session: the page answers with a redirect to /signin."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageRefused(Exception):
    """A page the person may not open, or a form that cannot be accepted: an HTML answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Visitor:
    """The signed-in person looking at a page."""

    principal: Principal
    csrf: str

    @property
    def user(self) -> User:
        return self.principal.user()

    @property
    def role(self) -> str:
        return self.principal.role


def csrf_token(settings: Settings, session_id: str) -> str:
    key = settings.token_secret.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()[:40]


def current_visitor(request: Request) -> Visitor:
    runtime = runtime_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    principal = runtime.principals.resolve(token, now=runtime.clock()) if token else None
    if principal is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(wanted)
    if principal.must_change_password_first:
        raise SignInNeeded("/signin/password")
    return Visitor(principal=principal, csrf=csrf_token(runtime.settings, principal.session))


def admits(*roles: Role) -> Callable[[Request], Visitor]:
    """A dependency: the visitor, when their role is one of `roles`; else a 403 page."""
    allowed = frozenset(role.value for role in roles)

    def check(request: Request) -> Visitor:
        visitor = current_visitor(request)
        if visitor.role not in allowed:
            raise PageRefused(
                403,
                f"This page is for {', '.join(sorted(allowed))}; you are signed in as "
                f"{visitor.role}.",
            )
        return visitor

    return check


async def checked_form(request: Request) -> Mapping[str, str]:
    """The posted form of a signed-in visitor, after its CSRF token is checked."""
    visitor = current_visitor(request)
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not isinstance(given, str) or not hmac.compare_digest(given, visitor.csrf):
        raise PageRefused(403, "This form has expired or did not come from Lookout: reload it.")
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    for key, value in fields.items():
        if "\x00" in key or "\x00" in value:  # PostgreSQL stores no NUL: a 500 otherwise
            raise PageRefused(422, f"{key.replace(chr(0), '')}: {NUL_REFUSED}")
    return fields


Form = Annotated[Mapping[str, str], Depends(checked_form)]
AnyVisitor = Annotated[Visitor, Depends(current_visitor)]
Officer = Annotated[Visitor, Depends(admits(Role.OFFICER, Role.SUPERVISOR))]
Viewer = Annotated[  # anyone who may see alerts: officers their own (app/lifecycle/access.py)
    Visitor,
    Depends(admits(Role.OFFICER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN, Role.AUDITOR)),
]
Desk = Annotated[Visitor, Depends(admits(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN))]
Command = Annotated[Visitor, Depends(admits(Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR))]
AdminPage = Annotated[Visitor, Depends(admits(Role.ADMIN))]


def new_signin_token() -> str:
    return secrets.token_urlsafe(24)


def set_session(request: Request, response: Response, token: str, *, max_age_s: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age_s, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def safe_next(raw: str | None) -> str | None:
    """A place in this service to go after signing in; None for anything else (another site,
    a scheme-relative URL)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    return raw


def signin_url(next_path: str) -> str:
    return "/signin?next=" + quote(next_path, safe="/")


class Formats:
    """Times as a person reads them: in the agency's zone, with the date when not today."""

    def __init__(self, now: datetime, tz: ZoneInfo) -> None:
        self.now, self.tz = now, tz

    def ago(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return ago(max(0.0, (self.now - moment).total_seconds()))

    def local(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        here = moment.astimezone(self.tz)
        if here.date() == self.now.astimezone(self.tz).date():
            return here.strftime("%H:%M:%S")
        return here.strftime("%Y-%m-%d %H:%M")

    def span(self, seconds: float | None) -> str:
        """A duration: seconds under two minutes, else minutes."""
        if seconds is None:
            return "—"
        return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"

    def minutes(self, seconds: float | None) -> str:
        if seconds is None:
            return "—"
        return f"{max(1, round(seconds / 60))} min"


def render(
    request: Request,
    template: str,
    visitor: Visitor | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    runtime = runtime_of(request)
    now = runtime.clock()
    return templates.TemplateResponse(
        request,
        template,
        {
            "visitor": visitor,
            "csrf": visitor.csrf if visitor else None,
            "fmt": Formats(now, runtime.alerting.tz),
            "tiles_url": runtime.settings.map_tiles_url,
            "tiles_attribution": runtime.settings.map_tiles_attribution,
            "map_layers": len(runtime.settings.map_layer_files),
            "note": request.query_params.get("note"),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def session_ttl(settings: Settings) -> timedelta:
    """A page session lasts a shift: the refresh token's lifetime."""
    return timedelta(seconds=settings.auth.refresh_token_ttl_s)
