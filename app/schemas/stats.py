"""The chain of command's numbers (GET /v1/stats...): one shape at every level, with the
level's figures, its children (each with theirs and a link one level down) and, for an
officer, the alerts themselves."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from alerts.lifecycle import Confirmation, Disposition, Response

ScopeKind = Literal["agency", "area", "beat", "squad", "officer", "hotlist", "camera"]


class Spread(BaseModel):
    """Durations in seconds: how many, their median and 90th percentile."""

    count: int
    median_s: float | None = Field(description="null when there is none")
    p90_s: float | None


class Escalations(BaseModel):
    escalated: int = Field(description="alerts that climbed at least one step")
    next_ring: int = Field(description="steps to the next ring of officers")
    dispatcher: int = Field(description="steps to the dispatcher desk")
    supervisor: int = Field(description="steps to the on-duty supervisors")


class Confirmations(BaseModel):
    requested: int = Field(description="alerts whose record confirmation was requested")
    confirmed: int
    not_confirmed: int
    expired: int = Field(description="still expired: asked, not answered in time")
    pending: int = Field(description="still waiting for the answer")
    answer_time: Spread = Field(description="from the (latest) request to the answer")


class Outcomes(BaseModel):
    closed: int = Field(description="alerts closed with a disposition")
    by_disposition: dict[str, int] = Field(description="every disposition, 0 when none")
    by_result: dict[str, int] = Field(description="what came of the located vehicles")
    misread_rate: float | None = Field(description="misread / closed; null when none closed")
    wrong_vehicle_rate: float | None = Field(description="wrong_vehicle / closed")


class Figures(BaseModel):
    alerts: int = Field(description="alerts counted (see `basis`)")
    hits: int = Field(description="of them, hot-list hits (the rest are bulletins)")
    alerts_pushed: int = Field(description="alerts at least one phone was sent")
    pushes: int = Field(description="pushes sent (alerts, updates), to the officers counted")
    officers_pushed: int = Field(description="officers who were sent at least one")
    pushes_per_officer_hour: float | None = Field(
        description="pushes / officers_pushed / the window's hours"
    )
    time_to_seen: Spread = Field(description="from the push to the first answer of any kind")
    time_to_responding: Spread = Field(
        description="from the push to the first `responding` (or `on_scene`)"
    )
    escalations: Escalations
    confirmations: Confirmations
    outcomes: Outcomes


class Window(BaseModel):
    since: datetime
    until: datetime
    hours: float


class Child(BaseModel):
    """One level down: an area, a squad or an officer, with its figures."""

    scope: ScopeKind
    id: str
    name: str
    href: str = Field(description="its own statistics, one level further down")
    figures: Figures


class AlertLine(BaseModel):
    """One alert an officer was sent, as the statistics count it (the officer level)."""

    id: int
    href: str = Field(description="the alert itself (audited)")
    kind: str
    priority: int
    plate: str
    beat: str | None
    created_at: datetime
    told_at: datetime = Field(description="when this officer was first told")
    seen_after_s: float | None
    responding_after_s: float | None
    response: Response | None = Field(description="the officer's latest answer")
    escalation_level: int
    confirmation: Confirmation | None = Field(description="null for a bulletin's alert")
    disposition: Disposition | None
    result: str | None


class StatsPublic(BaseModel):
    scope: ScopeKind
    id: str | None = Field(description="null for the agency")
    name: str
    up: str | None = Field(description="the level above, when there is one")
    basis: Literal["raised", "received"] = Field(
        description="raised: alerts raised in the scope (agency, area, beat, list, camera), "
        "timed from the alert; received: alerts pushed to the scope's officers (squad, "
        "officer), timed from each officer's push"
    )
    window: Window
    figures: Figures
    children: list[Child] = Field(description="the next level down, when there is one")
    alerts: list[AlertLine] | None = Field(
        description="the officer level: their alerts, newest first (`limit`)"
    )
