"""People (every role) and their phones."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    GATEWAY = "gateway"  # a vehicle-location gateway posting many units' positions


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = id_column()
    name: str = Field(index=True)
    role: str
    badge: str | None = None
    token_hash: str = Field(unique=True)
    token_hint: str
    is_active: bool = True
    created_at: datetime = utc_column()


class Device(SQLModel, table=True):
    id: int | None = id_column()
    user_id: int = foreign_key("app_user.id")
    token: str = Field(unique=True)
    platform: str
    is_active: bool = True
    created_at: datetime = utc_column()
    last_seen_at: datetime = utc_column()
    retired_at: datetime | None = utc_column(nullable=True)
    retired_reason: str | None = None
