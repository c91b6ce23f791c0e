"""The dispatcher queue: hits a dispatcher looks at before officers hear of them (P3/P4,
possible misreads, doubtful reads, lists whose records are confirmed first), and hits nobody
could be told of; a promotion sends one to the best-placed officers."""

from typing import Annotated

from fastapi import APIRouter, Query

from app import audit
from app.delivery import dispatch
from app.deps import SEES_COVERT, ClockDep, Dispatcher, RuntimeDep, SessionDep
from app.errors import NotFound
from app.lifecycle import promotion
from app.models import Alert
from app.schemas.alerts import match_of
from app.schemas.common import RowId
from app.schemas.dispatch import DispatchQueue, PromoteIn, PromoteOut, QueuedHit

router = APIRouter(prefix="/dispatch", tags=["alerts"])


@router.get("/queue")
def list_queue(
    session: SessionDep,
    user: Dispatcher,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DispatchQueue:
    """Open hits waiting for a dispatcher, the most urgent first, then the longest waiting,
    each with why it waits. Audited, as it names plates."""
    now = clock()
    alerts, count = dispatch.queued(session, limit=limit, offset=offset)
    if user.role not in SEES_COVERT:
        alerts = [a for a in alerts if not a.is_covert]
    audit.record(
        session, actor=user, action="dispatch.queue", now=now, object_type="alert",
        detail={"alert_ids": [a.id for a in alerts]},
    )  # fmt: skip
    return DispatchQueue(data=[_item(a, now_s=now.timestamp()) for a in alerts], count=count)


@router.post("/queue/{alert_id}/promote")
def promote(
    alert_id: RowId,
    session: SessionDep,
    user: Dispatcher,
    clock: ClockDep,
    runtime: RuntimeDep,
    body: PromoteIn | None = None,
) -> PromoteOut:
    """Send a queued hit to the best-placed officers on duty (as routing chooses for a new
    hit): it rings, saying dispatch sent it. 409 when it is not in the queue, closed, or
    nobody on duty is in range (it then stays in the queue). Audited."""
    alert = session.get(Alert, alert_id, with_for_update=True, populate_existing=True)
    if alert is None or (alert.is_covert and user.role not in SEES_COVERT):
        raise NotFound(f"no alert with id {alert_id}")
    now = clock()
    note = body.note if body else None
    told = promotion.promote(
        session, alert, actor=user, note=note, now=now, config=runtime.alerting,
        officers=runtime.officers,
    )  # fmt: skip
    audit.record(
        session, actor=user, action="alert.promote", now=now, object_type="alert",
        object_id=alert_id, plate=alert.plate, detail={"told": told, "note": note},
    )  # fmt: skip
    return PromoteOut(alert_id=alert_id, told=told)


def _item(alert: Alert, *, now_s: float) -> QueuedHit:
    assert alert.id is not None and alert.dispatch_queued_at is not None
    details = alert.details or {}
    return QueuedHit(
        alert_id=alert.id, priority=alert.priority, title=alert.title, plate=alert.plate,
        state=alert.state, match=match_of(details), list=details.get("list"),
        reason=alert.dispatch_reason or "", hold=alert.dispatch_hold,
        queued_at=alert.dispatch_queued_at,
        waiting_s=max(0, int(now_s - alert.dispatch_queued_at.timestamp())),
        sightings=alert.sightings, read_at=alert.read_at, beat=alert.beat, lat=alert.lat,
        lon=alert.lon,
    )  # fmt: skip
