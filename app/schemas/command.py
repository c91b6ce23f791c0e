"""Squads, areas and who belongs where (the chain of command)."""

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import Input, Patch, RowId

SquadName = Annotated[str, Field(min_length=1, max_length=100)]
AreaCode = Annotated[str, Field(min_length=1, max_length=40)]


class SquadCreate(Input):
    model_config = ConfigDict(extra="forbid")

    name: SquadName
    sergeant_id: RowId = Field(description="a supervisor: sees the squad's numbers")
    area: AreaCode | None = Field(default=None, description="the police area it works")


class SquadUpdate(Patch):
    model_config = ConfigDict(extra="forbid")
    KEEPS_A_VALUE: ClassVar[frozenset[str]] = frozenset({"name", "sergeant_id"})

    name: SquadName | None = None
    sergeant_id: RowId | None = None
    area: AreaCode | None = None


class SquadMemberPublic(BaseModel):
    id: int
    name: str
    badge: str | None


class SquadPublic(BaseModel):
    id: int
    name: str
    sergeant_id: int
    area: str | None
    members: list[SquadMemberPublic]
    created_at: datetime


class SquadAssignment(Input):
    model_config = ConfigDict(extra="forbid")

    squad_id: RowId | None = Field(description="null: in no squad")


class SquadAssigned(BaseModel):
    officer_id: int
    squad_id: int | None


class AreaPublic(BaseModel):
    code: str
    name: str
    commander_id: int | None
    beats: list[str] = Field(description="the beats that roll up to it")


class CommanderIn(Input):
    model_config = ConfigDict(extra="forbid")

    user_id: RowId | None = Field(description="a supervisor; null: none")
