"""The chain of command: the agency's police areas (each with its commander), squads (each
with its sergeant) and which squad an officer belongs to. Beats roll up to areas through
`beat.area` (app/models/officers.py)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey
from sqlmodel import Field, SQLModel

from app.db import BigId
from app.models.base import foreign_key, id_column, utc_column


class PoliceArea(SQLModel, table=True):
    """A police area (Oakland's Areas 1–5): beats roll up to it, its commander sees its
    numbers. Imported from GeoJSON (`lookout import-areas`)."""

    __tablename__ = "police_area"

    code: str = Field(primary_key=True)
    name: str
    geometry: dict[str, Any] = Field(sa_type=JSON)  # GeoJSON, lon/lat
    commander_id: int | None = foreign_key("app_user.id", nullable=True)
    source: str | None = None
    created_at: datetime = utc_column()


class Squad(SQLModel, table=True):
    """Officers under one sergeant, optionally working one area."""

    id: int | None = id_column()
    name: str = Field(unique=True)
    sergeant_id: int = foreign_key("app_user.id")
    # A plain code, not a foreign key: re-importing the areas must not fail on a squad.
    area: str | None = Field(default=None, index=True)
    created_at: datetime = utc_column()
    updated_at: datetime = utc_column()


class SquadMember(SQLModel, table=True):
    """An officer's squad: one at a time (the primary key), changed by an admin."""

    __tablename__ = "squad_member"

    user_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("app_user.id"), primary_key=True)
    )
    squad_id: int = foreign_key("squad.id")
    since_at: datetime = utc_column()
