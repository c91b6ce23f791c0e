"""Request dependencies: the runtime, the transaction, the clock, the caller (camera or person)
and the roles each route admits, defined once here for every router."""

from collections.abc import Callable, Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth.tokens import Principal
from app.clock import Clock
from app.errors import Forbidden, TooManyRequests, Unauthorized
from app.hotlists import covert
from app.lifecycle import access
from app.models import Role, User
from app.reads.cameras import CameraRef, UnknownKey
from app.runtime import Runtime
from app.settings import Settings


def runtime_of(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed when the route returns, rolled back if it raises.
    A route may commit earlier (`session.commit()`) to let a push out before slower work; the
    session then begins a new transaction on its next statement."""
    with Session(runtime_of(request).engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


async def get_clock(request: Request) -> Clock:
    return cast(Clock, request.app.state.clock)


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

# The Authorize button of /docs signs in through the token endpoint, as people do.
_bearer = OAuth2PasswordBearer(
    tokenUrl="/v1/auth/token",
    auto_error=False,
    description="Sign in at POST /v1/auth/token (user name, password, and `otp` where the role "
    "needs it), or use a bootstrap token from `lookout admin create-user`",
)
_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A camera's key from `lookout admin create-camera`",
)
ApiKeyHeader = Annotated[str | None, Depends(_api_key)]
# Where a person may go before changing a one-time password.
_BEFORE_PASSWORD_CHANGE = ("/v1/auth/", "/v1/me/password")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_principal(
    request: Request, token: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    """The person a bearer token speaks for: 401 for none, an unknown, expired or revoked one;
    429 once an address has failed too often. No database query for a token seen lately."""
    runtime = runtime_of(request)
    address = client_address(request)
    now = runtime.clock()
    principal = runtime.principals.remembered(token, now=now) if token else None
    if principal is None:  # a token known good is never throttled: see _refuse_if_throttled
        _refuse_if_throttled(runtime, address)
    if token is None:
        raise Unauthorized(
            "missing credentials: sign in at POST /v1/auth/token and send "
            "'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = principal or runtime.principals.resolve(token, now=now)
    if principal is None:
        runtime.throttle.failed(address)
        raise Unauthorized(
            "unknown, expired or revoked token: sign in again",
            headers={"WWW-Authenticate": "Bearer"},
        )
    path = request.url.path
    if principal.must_change_password_first and not path.startswith(_BEFORE_PASSWORD_CHANGE):
        raise Forbidden("change your one-time password first: POST /v1/me/password")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def current_user(principal: CurrentPrincipal) -> User:
    return principal.user()


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    allowed = {r.value for r in roles}

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(
                f"role '{user.role}' may not do this; allowed: {', '.join(sorted(allowed))}"
            )
        return user

    return check


# Who may do what; each route names one of these.
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]
ListManager = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
Dispatcher = Annotated[User, Depends(require_roles(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN))]
Overseer = Annotated[  # sees everything dispatchers see, and audits it
    User, Depends(require_roles(Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR))
]
Auditor = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN))]
Exporter = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]
Gateway = Annotated[User, Depends(require_roles(Role.GATEWAY, Role.ADMIN))]
Supervisor = Annotated[User, Depends(require_roles(Role.SUPERVISOR, Role.ADMIN))]  # people, phones
Command = Annotated[  # the chain of command's structure: squads, areas
    User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR))
]

SEES_ALL = access.SEES_ALL
SEES_COVERT = covert.SEES_COVERT  # besides a covert list's owner (app/hotlists/covert.py)


async def current_camera(
    request: Request, api_key: Annotated[str | None, Depends(_api_key)]
) -> CameraRef:
    if not api_key:
        raise Unauthorized("missing camera key: send it in the 'X-API-Key' header")
    return await camera_from_key(request, api_key)


async def camera_from_key(request: Request, api_key: str) -> CameraRef:
    """The camera `api_key` belongs to, or 401. Async, so the common case (a remembered key)
    costs no thread hop; only a miss goes to the database, in the thread pool."""
    runtime = runtime_of(request)
    address = client_address(request)
    try:
        key_hash, camera = runtime.camera_keys.cached(api_key)
        if camera is not None:
            return camera  # a key known good is never throttled: see _refuse_if_throttled
        _refuse_if_throttled(runtime, address)
        return await run_in_threadpool(runtime.camera_keys.load, key_hash)
    except UnknownKey as error:
        _refuse_if_throttled(runtime, address)
        runtime.throttle.failed(address)
        raise Unauthorized(str(error)) from None


def _refuse_if_throttled(runtime: Runtime, address: str) -> None:
    """429 once `address` has failed too often, before its credential is looked up. Only for a
    credential this process does not already know to be good: a site's cameras (or a station's
    officers) share one address, and one device left with an old key must not stop the rest."""
    wait_s = runtime.throttle.retry_after_s(address)
    if wait_s is not None:
        raise TooManyRequests(
            f"too many failed credentials from this address; retry in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
        )


CurrentCamera = Annotated[CameraRef, Depends(current_camera)]
