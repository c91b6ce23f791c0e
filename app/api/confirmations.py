"""The dispatcher's queue of hit confirmations: requests the originating agencies have yet to
answer, soonest due first, with the time left on each (or the expired ones, to ask again)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from alerts.lifecycle import Confirmation
from app import audit
from app.deps import SEES_COVERT, ClockDep, Dispatcher, SessionDep
from app.lifecycle import confirmation, view
from app.schemas.lifecycle import ConfirmationQueue

router = APIRouter(prefix="/confirmations", tags=["alerts"])


@router.get("")
def list_confirmations(
    session: SessionDep,
    user: Dispatcher,
    clock: ClockDep,
    state: Annotated[
        Literal["requested", "expired"],
        Query(description="requested: waiting on the agency; expired: no answer in time"),
    ] = "requested",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ConfirmationQueue:
    """Open hits whose confirmation is `state`, soonest due first, with `seconds_left` until
    each request expires. Audited, as it names plates."""
    now = clock()
    alerts = confirmation.pending(
        session, states=(Confirmation(state),), covert=user.role in SEES_COVERT, limit=limit
    )
    people = view.people_of(session, (a.confirmation_requested_by for a in alerts))
    audit.record(
        session, actor=user, action="confirmation.list", now=now, object_type="alert",
        detail={"state": state, "alert_ids": [a.id for a in alerts]},
    )  # fmt: skip
    items = [view.queue_item(alert, people, now=now) for alert in alerts]
    return ConfirmationQueue(data=items, count=len(items))
