"""The console itself (/console): the map and lists of officers, alerts and bulletins, the
confirmation queue and its answers, the live feed that refreshes them, and plate search with a
required, audited purpose."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlmodel import col

from alerts.lifecycle import Confirmation
from app import audit
from app.deps import SEES_COVERT, ClockDep, RuntimeDep, SessionDep
from app.hotlists import covert
from app.lifecycle import access, confirmation, view
from app.models import Alert
from app.pages import live, web
from app.pages.console import board
from app.pages.console.forms import KINDS, outcome
from app.pages.web import Desk, Form
from app.reads import search as read_search
from app.schemas.common import RowId
from lpr import plates
from lpr.errors import LprError

router = APIRouter(include_in_schema=False)

ALERTS_SHOWN = 100
RECENT = timedelta(hours=12)


@router.get("/console")
def console(
    request: Request,
    session: SessionDep,
    visitor: Desk,
    clock: ClockDep,
    runtime: RuntimeDep,
    show: Annotated[str, Query(pattern="^(open|all)$")] = "open",
) -> Response:
    now, user = clock(), visitor.user
    ctx = runtime.bulletins.context
    query = select(Alert).where(covert.visible_alerts(user)).order_by(col(Alert.id).desc())
    if show == "open":
        query = query.where(col(Alert.closed_at).is_(None) | (col(Alert.closed_at) > now - RECENT))
    alerts = list(session.scalars(query.limit(ALERTS_SHOWN)))
    ids = [a.id for a in alerts if a.id is not None]
    responders = board.responders(session, ids)
    told = board.told(session, ids)
    queue = confirmation.pending(
        session, states=(Confirmation.REQUESTED, Confirmation.EXPIRED),
        covert=user.role in SEES_COVERT, limit=50,
    )  # fmt: skip
    people = view.people_of(session, (a.confirmation_requested_by for a in queue))
    queue_items = [view.queue_item(a, people, now=now) for a in queue]
    active = board.active_bulletins(session, now)
    officers = board.officers(session, now, runtime.settings.routing.location_fresh_s)
    audit.record(
        session, actor=user, action="alert.list", now=now, object_type="alert",
        detail={"alert_ids": ids, "via": "console",
                "confirmations": [i.alert_id for i in queue_items]},
    )  # fmt: skip
    map_data = {
        "kind": "desk",
        "officers": board.officer_markers(officers),
        "alerts": [
            {"id": a.id, "lat": a.lat, "lon": a.lon, "priority": a.priority,
             "label": f"P{a.priority} {a.plate} · {a.status}"}
            for a in alerts
            if a.lat is not None and a.lon is not None and a.closed_at is None
        ],
        "bulletins": [
            {"id": b.id, "label": f"{b.kind} P{b.priority}",
             "area": board.current_area(b, ctx, now)}
            for b in active
        ],
    }  # fmt: skip
    return web.render(
        request, "console.html", visitor, alerts=alerts, responders=responders, told=told,
        queue=queue_items, bulletins=active, officers=officers, map_data=map_data, show=show,
        kinds=KINDS, live_url="/console/live", beats=runtime.beats.codes,
        default_time=now.astimezone(runtime.alerting.tz).strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip


@router.get("/console/live")
def console_live(request: Request, _visitor: Desk, runtime: RuntimeDep) -> Response:
    probe = live.desk(runtime.engine)
    return live.stream(request, probe, live.pulse_of(request, runtime.engine))


@router.post("/console/alerts/{alert_id}/confirmation")
def answer_confirmation(
    alert_id: RowId,
    session: SessionDep,
    visitor: Desk,
    clock: ClockDep,
    runtime: RuntimeDep,
    form: Form,
) -> Response:
    """The originating agency's answer (or a new request), as POST
    /v1/alerts/{id}/confirmation."""
    with outcome(session) as done:
        wanted = Confirmation(form.get("state", ""))
        if wanted not in (Confirmation.REQUESTED, Confirmation.CONFIRMED,
                          Confirmation.NOT_CONFIRMED):  # fmt: skip
            raise ValueError(f"state {wanted.value!r} cannot be recorded")
        alert = access.locked_alert(session, alert_id, visitor.user)
        note = (form.get("note") or "").strip()[:2000] or None
        confirmation.record(session, alert, wanted=wanted, user=visitor.user, note=note,
                            now=clock(), config=runtime.alerting)  # fmt: skip
        done.note = f"Alert {alert_id}: {wanted.value.replace('_', ' ')}."
    return done.response


@router.get("/console/search")
def search(
    request: Request,
    session: SessionDep,
    visitor: Desk,
    clock: ClockDep,
    plate: Annotated[str, Query(max_length=32)] = "",
    purpose: Annotated[str, Query(max_length=200)] = "",
    case_number: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """Stored reads of a plate, newest first; the purpose is required and audited with the
    plate, as GET /v1/reads."""
    error, reads = None, []
    if plate or purpose:
        try:
            key = plates.parse(plate).key
        except LprError as bad:
            key, error = "", str(bad)
        if len(purpose.strip()) < 3:
            error = "Say why you are searching (at least 3 characters): it is audited."
        if error is None:
            reads = list(
                read_search.by_plate(
                    session, plate_key=key, actor=visitor.user, purpose=purpose.strip(),
                    case_number=case_number or None, now=clock(), limit=200, via="console",
                )
            )  # fmt: skip
    return web.render(
        request, "console_search.html", visitor, plate=plate, purpose=purpose,
        case_number=case_number, reads=reads, error=error,
    )  # fmt: skip
