"""The append-only audit log, chained with a keyed MAC (app/audit)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class AuditLog(SQLModel, table=True):
    """Append-only. `hash` is the row's seal: an HMAC over the previous row's seal and this
    row's content, keyed by LOOKOUT_AUDIT_SECRET (`key_id` names the key); rows written before
    revision 0010 have no `key_id` and a plain SHA-256 seal. `plate` is the plate as the row's
    action met it, `plate_key` its normalised form (what `?plate=` matches)."""

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
    plate_key: str | None = Field(default=None, index=True)
    purpose: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    key_id: str | None = None
    prev_hash: str
    hash: str = Field(unique=True)
