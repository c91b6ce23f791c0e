"""API shapes of people and their phones (devices)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    field_validator,
)

from app.schemas.common import Input, RowId


class UserCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    role: Literal["admin", "dispatcher", "officer", "supervisor", "auditor"]
    badge: Annotated[str, Field(max_length=40)] | None = None


class UserPublic(BaseModel):
    id: int
    name: str
    role: str
    badge: str | None
    is_active: bool


class UserCreated(UserPublic):
    token: str = Field(description="Shown once; only its hash is stored.")


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
