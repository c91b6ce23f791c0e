"""API shapes of an alert's life after the push: what officers and dispatchers send (a
response, a confirmation, an outcome) and what the alert shows of it (typed, so /openapi.json
documents every field)."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alerts.errors import InvalidOutcome
from alerts.lifecycle import Confirmation, Disposition, Response, Result, Step, check_outcome
from app.schemas.common import Input

Note = Annotated[str, Field(max_length=2000)]


class ResponseIn(Input):
    """An officer's answer. `responding` takes an ETA in seconds; without one it is computed
    from the officer's last position and the car's."""

    model_config = ConfigDict(extra="forbid")

    status: Response
    eta_s: Annotated[float, Field(ge=0, le=24 * 3600)] | None = None
    note: Note | None = Field(default=None, description='e.g. "on another call"')


class ConfirmationIn(Input):
    """`requested`: ask the originating agency (officers may only ask). `confirmed` and
    `not_confirmed`: its answer, recorded by a dispatcher (or an integration) with how it
    came (`note`: "NCIC hit confirmed by ORI CA0010000, teletype 1234")."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["requested", "confirmed", "not_confirmed"]
    note: Note | None = None


class OutcomeIn(Input):
    """How the alert ended. `located` needs a `result`; no other disposition takes one."""

    model_config = ConfigDict(extra="forbid")

    disposition: Disposition
    result: Result | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _holds_together(self) -> Self:
        try:
            check_outcome(self.disposition, self.result)
        except InvalidOutcome as error:
            raise ValueError(str(error)) from None
        return self


class PersonRef(BaseModel):
    id: int
    name: str
    unit: str = Field(description="badge, or name when there is none")


class ConfirmationEvent(BaseModel):
    state: Confirmation
    at: datetime
    by: PersonRef | None = Field(description="null: nobody (the request expired)")
    note: str | None


class ConfirmationPublic(BaseModel):
    """The record's confirmation with its originating agency (NCIC: 10 min for an urgent
    request, 1 h for a routine one)."""

    state: Confirmation
    urgent: bool | None = Field(description="of the request: P1 and P2 are urgent")
    requested_at: datetime | None
    requested_by: PersonRef | None
    due_at: datetime | None = Field(description="while requested: when the request expires")
    seconds_left: float | None = Field(description="while requested: until due_at, at least 0")
    answered_at: datetime | None
    answered_by: PersonRef | None
    note: str | None = Field(description="of the latest change")
    history: list[ConfirmationEvent] = Field(description="oldest first")


class ResponsePublic(BaseModel):
    """One answer of an officer (every one is kept)."""

    user_id: int
    name: str
    unit: str
    status: Response
    eta_s: float | None
    eta_source: Literal["given", "computed"] | None
    note: str | None
    at: datetime


class EscalationStepPublic(BaseModel):
    level: int = Field(description="1, 2, 3: the step's place on the ladder")
    step: Step
    reason: Literal["no_response", "refused"]
    detail: str = Field(description='e.g. "nobody responding 1 min after the hit; 2 told"')
    told: list[int] = Field(description="officers (or supervisors) pushed by this step")
    at: datetime


class EscalationPublic(BaseModel):
    """Where the alert is on the ladder: next ring, dispatcher desk, supervisors."""

    escalates: bool = Field(description="P1 and P2 hot-list hits pushed to phones escalate")
    level: int = Field(description="steps taken so far")
    next_step: Step | None
    due_at: datetime | None = Field(description="when the next step is taken; null: paused "
                                    "(somebody is responding), finished or never")  # fmt: skip
    escalated_at: datetime | None = Field(description="when it reached the dispatcher desk")
    steps: list[EscalationStepPublic]


class OutcomePublic(BaseModel):
    disposition: Disposition
    result: Result | None
    note: str | None
    closed_at: datetime
    closed_by: PersonRef | None


class ConfirmationQueueItem(BaseModel):
    """A confirmation a dispatcher is waiting on (or one that expired unanswered)."""

    alert_id: int
    priority: int
    plate: str
    state: str | None
    list: str | None
    list_kind: str | None
    reason: str | None
    case_number: str | None
    confirmation: Confirmation
    urgent: bool | None
    requested_at: datetime | None
    requested_by: PersonRef | None
    due_at: datetime | None
    seconds_left: float | None = Field(description="until due_at, at least 0")


class ConfirmationQueue(BaseModel):
    data: list[ConfirmationQueueItem] = Field(description="soonest due first")
    count: int
