"""Request dependencies: the transaction, the clock, the caller (camera or person), roles."""

import time
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth.credentials import hash_secret
from app.clock import Clock
from app.db import transaction
from app.errors import Forbidden, Unauthorized
from app.models import Camera, Role, User
from app.reads.writer import CameraRef
from app.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    with transaction(request.app.state.engine) as session:
        yield session  # commits on the way out; any exception rolls back


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = HTTPBearer(
    auto_error=False, description="A person's token from `lookout admin create-user`"
)
_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A camera's key from `lookout admin create-camera`",
)
ApiKeyHeader = Annotated[str | None, Depends(_api_key)]


def current_user(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise Unauthorized(
            "missing credentials: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token_hash = hash_secret(
        credentials.credentials, pepper=settings.token_secret.get_secret_value()
    )
    user = session.scalars(select(User).where(User.token_hash == token_hash)).first()
    if user is None or not user.is_active:
        raise Unauthorized("unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return user


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


class CameraKeyCache:
    """Hashed key -> camera, for a few seconds: cameras post many times a second, and a
    database round trip per read for authentication alone would halve ingest throughput."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self._ttl_s = ttl_s
        self._entries: dict[str, tuple[float, CameraRef]] = {}

    def get(self, key_hash: str) -> CameraRef | None:
        found = self._entries.get(key_hash)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key_hash: str, camera: CameraRef) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key_hash] = (time.monotonic() + self._ttl_s, camera)

    def clear(self) -> None:
        self._entries.clear()


async def current_camera(
    request: Request, api_key: Annotated[str | None, Depends(_api_key)]
) -> CameraRef:
    """The camera a key belongs to. Async, so the common case (a cached key) costs no thread
    hop; only a cache miss goes to the database, in the thread pool."""
    if not api_key:
        raise Unauthorized("missing camera key: send it in the 'X-API-Key' header")
    return await camera_from_key(request, api_key)


async def camera_from_key(request: Request, api_key: str) -> CameraRef:
    """The camera `api_key` belongs to (cached), or 401."""
    settings: Settings = request.app.state.settings
    key_hash = hash_secret(api_key, pepper=settings.token_secret.get_secret_value())
    cache: CameraKeyCache = request.app.state.camera_keys
    camera = cache.get(key_hash)
    if camera is None:
        camera = await run_in_threadpool(_load_camera, request.app.state.engine, key_hash)
        cache.put(key_hash, camera)
    return camera


def _load_camera(engine: Engine, key_hash: str) -> CameraRef:
    with transaction(engine) as session:
        row = session.scalars(select(Camera).where(Camera.key_hash == key_hash)).first()
        if row is None or not row.is_active or row.id is None:
            raise Unauthorized("unknown or revoked camera key")
        return CameraRef(row.id, row.name, row.lat, row.lon, row.heading_deg)


CurrentCamera = Annotated[CameraRef, Depends(current_camera)]
