"""The dispatcher queue's shapes: hits waiting for a dispatcher, and a promotion."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.common import Input


class QueuedHit(BaseModel):
    alert_id: int
    priority: int
    title: str
    plate: str
    state: str | None
    match: str = Field(description="exact, confusable, edit or partial")
    list: str | None = Field(description="the hot list's name")
    reason: str = Field(description="why it waits for a dispatcher")
    hold: bool = Field(description="true: no officer hears of it until it is promoted")
    queued_at: datetime
    waiting_s: int = Field(description="seconds it has waited")
    sightings: int
    read_at: datetime
    beat: str | None
    lat: float | None
    lon: float | None


class DispatchQueue(BaseModel):
    data: list[QueuedHit]
    count: int = Field(description="hits waiting in all (the page may hold fewer)")


class PromoteIn(Input):
    note: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description='what the officers are told, e.g. "plate checked on camera"'
    )


class PromoteOut(BaseModel):
    alert_id: int
    told: list[int] = Field(description="the officers pushed, best placed first")
