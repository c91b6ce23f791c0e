"""API shapes of people and their phones (devices)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from app.schemas.common import Input, Patch, RowId

RoleName = Literal["admin", "dispatcher", "officer", "supervisor", "auditor", "gateway"]
UserName = Annotated[
    str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
]


class UserCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    username: UserName | None = Field(
        default=None, description="What they sign in with; the name, lower case, when omitted"
    )
    role: RoleName
    badge: Annotated[str, Field(max_length=40)] | None = None


class UserPublic(BaseModel):
    id: int
    name: str
    username: str
    role: str
    badge: str | None
    is_active: bool
    has_password: bool = False
    has_second_factor: bool = False
    locked_until: datetime | None = None
    is_command_staff: bool = False


class UserCreated(UserPublic):
    token: str = Field(
        description="A bootstrap bearer token for scripts and the first sign-in; it expires "
        "(LOOKOUT_BOOTSTRAP_TOKEN_TTL_S). Shown once; only its hash is stored."
    )
    one_time_password: str = Field(
        description="Shown once; it must be changed at the first sign-in (POST /v1/me/password)"
    )
    second_factor_uri: str | None = Field(
        description="The otpauth:// URI to enrol an authenticator app from, where the role "
        "signs in with a one-time code"
    )


class UserUpdate(Patch):
    """Change a person's role, or deactivate (every token stops working in every process
    within a second) or reactivate them. Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    KEEPS_A_VALUE = frozenset({"role", "is_active", "is_command_staff"})

    role: RoleName | None = None
    is_active: bool | None = None
    is_command_staff: bool | None = Field(
        default=None, description="a supervisor who sees every area's numbers (GET /v1/stats)"
    )
    reason: Annotated[str, Field(min_length=3, max_length=200)] | None = None


class DeviceIn(Input):
    token: Annotated[str, Field(min_length=8, max_length=4096)]
    platform: Literal["android", "ios", "web"]

    @field_validator("token")
    @classmethod
    def _no_whitespace(cls, token: str) -> str:
        if any(ch.isspace() for ch in token):
            raise ValueError("an FCM registration token has no whitespace")
        return token


class DeviceMove(Input):
    user_id: RowId = Field(description="The officer the phone now belongs to")
    reason: Annotated[str, Field(min_length=3, max_length=200)] = Field(
        description="Why (audited), e.g. 'car 12 phone, shift change'"
    )


class DevicePublic(BaseModel):
    id: int
    platform: str
    token_hint: str
    is_active: bool
    last_seen_at: datetime
    retired_reason: str | None
