"""The append-only, hash-chained audit log."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class AuditLog(SQLModel, table=True):
    """Append-only; each row's hash covers the previous row's hash (tamper evidence)."""

    __tablename__ = "audit_log"

    id: int | None = id_column()
    at: datetime = utc_column(index=True)
    actor_id: int | None = foreign_key("app_user.id", nullable=True)
    actor_name: str | None = None
    actor_role: str | None = None
    action: str = Field(index=True)
    object_type: str | None = None
    object_id: str | None = None
    plate: str | None = Field(default=None, index=True)
    purpose: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str
    hash: str = Field(unique=True)
