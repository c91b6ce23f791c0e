"""People. Admins only; the CLI does the same for the first admin. Cameras: api/cameras.py."""

from fastapi import APIRouter
from sqlalchemy import select

from app.auth import accounts
from app.deps import Admin, ClockDep, SessionDep, SettingsDep
from app.models import Role, User
from app.schemas.people import UserCreate, UserCreated, UserPublic

router = APIRouter(tags=["admin"])


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
