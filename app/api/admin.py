"""Cameras and people. Admins only; the CLI does the same for the first admin."""

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from app import accounts
from app.deps import ClockDep, SessionDep, SettingsDep, require_roles
from app.models import Camera, Role, User
from app.schemas import (
    CameraCreate,
    CameraCreated,
    CameraPublic,
    UserCreate,
    UserCreated,
    UserPublic,
)

router = APIRouter(tags=["admin"])

Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]
Watcher = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER))]


@router.post("/cameras", status_code=201)
def create_camera(
    body: CameraCreate, session: SessionDep, user: Admin, clock: ClockDep, settings: SettingsDep
) -> CameraCreated:
    """Register a camera; the answer holds its API key, shown this once."""
    camera, key = accounts.create_camera(
        session, name=body.name, lat=body.lat, lon=body.lon, heading_deg=body.heading,
        pepper=settings.token_secret.get_secret_value(), actor=user, now=clock(),
    )  # fmt: skip
    return CameraCreated(**camera_public(camera).model_dump(), api_key=key)


@router.get("/cameras")
def list_cameras(session: SessionDep, _user: Watcher) -> list[CameraPublic]:
    return [camera_public(c) for c in session.scalars(select(Camera).order_by("id"))]


@router.post("/users", status_code=201)
def create_user(
    body: UserCreate, session: SessionDep, user: Admin, clock: ClockDep, settings: SettingsDep
) -> UserCreated:
    """Create a person; the answer holds their token, shown this once."""
    created, token = accounts.create_user(
        session, name=body.name, role=Role(body.role), badge=body.badge,
        pepper=settings.token_secret.get_secret_value(), actor=user, now=clock(),
    )  # fmt: skip
    return UserCreated(**UserPublic.model_validate(created.model_dump()).model_dump(), token=token)


@router.get("/users")
def list_users(session: SessionDep, _user: Admin) -> list[UserPublic]:
    return [
        UserPublic.model_validate(u.model_dump())
        for u in session.scalars(select(User).order_by("id"))
    ]


def camera_public(camera: Camera) -> CameraPublic:
    return CameraPublic.model_validate(camera.model_dump() | {"heading": camera.heading_deg})
