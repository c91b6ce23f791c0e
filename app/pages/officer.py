"""The officer's phone view: /m/ (my alerts), /m/alerts/{id} (one alert: plate, why, match,
warnings, confirmation, map, who is responding, and the answer buttons) and /m/shift (duty
and sharing the phone's position). Answers go through the same services as the API
(app/lifecycle); every view is audited as the API's are."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from alerts.errors import AlertsError
from alerts.lifecycle import Confirmation
from alerts.lifecycle import Response as Answer
from app import audit
from app.deps import ClockDep, RuntimeDep, SessionDep, SettingsDep
from app.errors import AppError, NotFound, describe_validation_errors
from app.intake import images
from app.lifecycle import access, confirmation, outcomes, responses
from app.lifecycle.access import ANSWERS_CONFIRMATION, CLOSES_ANY
from app.lifecycle.threads import is_hit
from app.models import Alert, AlertRecipient, OfficerStatus, Read
from app.officers import locations
from app.pages import live, web
from app.pages.present import alert_page, map_of_alert
from app.pages.web import Form, Officer, PageRefused, Viewer
from app.schemas.common import RowId
from app.schemas.lifecycle import ConfirmationIn, OutcomeIn, ResponseIn
from app.schemas.officers import LocationIn

router = APIRouter(prefix="/m", include_in_schema=False)

LIST_SHOWN = 50


@router.get("/")
def my_alerts(request: Request, session: SessionDep, visitor: Officer, clock: ClockDep) -> Response:
    """The alerts sent to me, newest first."""
    mine = select(col(AlertRecipient.alert_id)).where(
        col(AlertRecipient.user_id) == visitor.principal.user_id
    )
    alerts = list(
        session.scalars(
            select(Alert).where(col(Alert.id).in_(mine)).order_by(col(Alert.id).desc())
            .limit(LIST_SHOWN)
        )
    )  # fmt: skip
    audit.record(
        session, actor=visitor.user, action="alert.list", now=clock(), object_type="alert",
        detail={"alert_ids": [a.id for a in alerts], "via": "page"},
    )  # fmt: skip
    status = session.get(OfficerStatus, visitor.principal.user_id)
    return web.render(
        request, "m_list.html", visitor, alerts=alerts, on_duty=bool(status and status.on_duty),
        live_url="/m/live",
    )  # fmt: skip


@router.get("/live")
def my_alerts_live(request: Request, visitor: Officer, runtime: RuntimeDep) -> Response:
    probe = live.officer_alerts(runtime.engine, visitor.principal.user_id)
    return live.stream(request, probe, live.pulse_of(request, runtime.engine))


@router.get("/alerts/{alert_id}")
def alert_detail(
    request: Request,
    alert_id: RowId,
    session: SessionDep,
    visitor: Viewer,
    clock: ClockDep,
    runtime: RuntimeDep,
) -> Response:
    now = clock()
    with refusals():
        alert = access.visible_alert(session, alert_id, visitor.user)
    audit.record(
        session, actor=visitor.user, action="alert.view", now=now, object_type="alert",
        object_id=alert_id, plate=alert.plate, detail={"via": "page"},
    )  # fmt: skip
    public = access.public(session, alert, visitor.user, config=runtime.alerting, now=now)
    status = session.get(OfficerStatus, visitor.principal.user_id)
    recipient = session.scalars(
        select(AlertRecipient).where(
            col(AlertRecipient.alert_id) == alert_id,
            col(AlertRecipient.user_id) == visitor.principal.user_id,
        )
    ).first()
    page = alert_page(public, me=status, recipient=recipient, my_id=visitor.principal.user_id,
                      now=now)  # fmt: skip
    read_id = (alert.details or {}).get("read_id")
    read = session.get(Read, read_id) if isinstance(read_id, int) else None
    if read is not None and images.is_stored(read.image_url):
        page = replace(page, has_image=True)
    return web.render(
        request, "m_alert.html", visitor, alert=public, page=page, is_hit=is_hit(alert),
        may_answer=recipient is not None, may_close=recipient is not None
        or visitor.role in CLOSES_ANY, may_confirm=visitor.role in ANSWERS_CONFIRMATION,
        map_data=map_of_alert(public, me=status), live_url=f"/m/alerts/{alert_id}/live",
    )  # fmt: skip


@router.get("/alerts/{alert_id}/live")
def alert_live(
    request: Request, alert_id: RowId, session: SessionDep, visitor: Viewer, runtime: RuntimeDep
) -> Response:
    with refusals():
        access.visible_alert(session, alert_id, visitor.user)
    session.commit()  # nothing written; the stream must not hold a transaction open
    probe = live.one_alert(runtime.engine, alert_id)
    return live.stream(request, probe, live.pulse_of(request, runtime.engine))


@router.get("/alerts/{alert_id}/image")
def alert_image(
    alert_id: RowId, session: SessionDep, visitor: Viewer, clock: ClockDep, runtime: RuntimeDep
) -> Response:
    """The newest read's image, when Lookout keeps one. Audited as the API's."""
    with refusals():
        alert = access.visible_alert(session, alert_id, visitor.user)
    read_id = (alert.details or {}).get("read_id")
    read = session.get(Read, read_id) if isinstance(read_id, int) else None
    found = runtime.images.load(read.image_url or "") if read and read.image_url else None
    if read is None or found is None:
        raise PageRefused(404, f"alert {alert_id} has no image that Lookout keeps")
    audit.record(
        session, actor=visitor.user, action="image.view", now=clock(), object_type="read",
        object_id=read.id, plate=read.plate, detail={"via": "page"},
    )  # fmt: skip
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, no-store"})


@router.post("/alerts/{alert_id}/response")
def answer(
    alert_id: RowId,
    session: SessionDep,
    visitor: Officer,
    clock: ClockDep,
    runtime: RuntimeDep,
    form: Form,
) -> Response:
    """Seen, responding, on scene or unable, as POST /v1/alerts/{id}/response."""
    back = f"/m/alerts/{alert_id}"
    with answered(session, back) as done:
        body = ResponseIn.model_validate(
            {"status": form.get("status"), "eta_s": form.get("eta_s") or None,
             "note": form.get("note") or None}
        )  # fmt: skip
        alert = access.locked_alert(session, alert_id, visitor.user)
        recipient = access.recipient_of(session, alert_id, visitor.user, "answer")
        responses.respond(
            session, alert, recipient, visitor.user, status=body.status, eta_s=body.eta_s,
            note=body.note, now=clock(), config=runtime.alerting,
        )  # fmt: skip
        done.note = _ANSWERED[body.status]
    return done.response


@router.post("/alerts/{alert_id}/confirmation")
def ask_confirmation(
    alert_id: RowId,
    session: SessionDep,
    visitor: Viewer,
    clock: ClockDep,
    runtime: RuntimeDep,
    form: Form,
) -> Response:
    """Request the record's confirmation (dispatch records the answer)."""
    with answered(session, f"/m/alerts/{alert_id}") as done:
        body = ConfirmationIn.model_validate(
            {"state": "requested", "note": form.get("note") or None}
        )
        alert = access.locked_alert(session, alert_id, visitor.user)
        if visitor.role not in ANSWERS_CONFIRMATION:
            access.recipient_of(session, alert_id, visitor.user, "request confirmation of")
        confirmation.record(
            session, alert, wanted=Confirmation(body.state), user=visitor.user, note=body.note,
            now=clock(), config=runtime.alerting,
        )  # fmt: skip
        done.note = "Confirmation requested from the originating agency."
    return done.response


@router.post("/alerts/{alert_id}/outcome")
def record_outcome(
    alert_id: RowId,
    session: SessionDep,
    visitor: Viewer,
    clock: ClockDep,
    runtime: RuntimeDep,
    form: Form,
) -> Response:
    with answered(session, f"/m/alerts/{alert_id}") as done:
        body = OutcomeIn.model_validate(
            {"disposition": form.get("disposition"), "result": form.get("result") or None,
             "note": form.get("note") or None}
        )  # fmt: skip
        alert = access.locked_alert(session, alert_id, visitor.user)
        if visitor.role not in CLOSES_ANY:
            access.recipient_of(session, alert_id, visitor.user, "close")
        outcomes.close(
            session, alert, disposition=body.disposition, result=body.result, note=body.note,
            user=visitor.user, now=clock(), config=runtime.alerting,
        )  # fmt: skip
        done.note = f"Closed: {body.disposition.value.replace('_', ' ')}."
    return done.response


@router.get("/shift")
def shift(request: Request, session: SessionDep, visitor: Officer) -> Response:
    status = session.get(OfficerStatus, visitor.principal.user_id)
    return web.render(request, "m_shift.html", visitor, status=status)


@router.post("/shift/duty")
def set_duty(session: SessionDep, visitor: Officer, clock: ClockDep, form: Form) -> Response:
    """On or off duty, as PUT /v1/me/duty."""
    on_duty = form.get("on_duty") == "1"
    status = session.get(OfficerStatus, visitor.principal.user_id) or OfficerStatus(
        user_id=visitor.principal.user_id
    )
    if status.on_duty != on_duty:
        status.on_duty, status.duty_changed_at = on_duty, clock()
    session.add(status)
    note = "You are on duty." if on_duty else "You are off duty: no alerts until you are back."
    return RedirectResponse(f"/m/shift?note={quote(note)}", status_code=303)


@router.post("/shift/position")
def share_position(
    session: SessionDep,
    visitor: Officer,
    clock: ClockDep,
    settings: SettingsDep,
    form: Form,
) -> Response:
    """A fix from the phone's browser (Geolocation API), as PUT /v1/me/location."""
    try:
        body = LocationIn.model_validate(
            {key: form[key] for key in ("lat", "lon", "accuracy_m", "heading", "speed")
             if form.get(key) not in (None, "", "null")}
        )  # fmt: skip
    except ValidationError as error:
        return JSONResponse({"detail": describe_validation_errors(list(error.errors()))}, 422)
    fix = locations.fix(
        visitor.principal.user_id, lat=body.lat, lon=body.lon, accuracy_m=body.accuracy_m,
        heading=body.heading, speed=body.speed, recorded_at=None, now=clock(),
    )  # fmt: skip
    applied = locations.upsert(session, [fix], breadcrumbs=settings.officers.breadcrumbs)
    return JSONResponse({"applied": bool(applied)})


_ANSWERED = {
    Answer.SEEN: "Marked as seen.",
    # Other phones are told only when it changes who is on it (alerts.lifecycle.
    # hears_of_answer); the dispatcher's console always shows it.
    Answer.RESPONDING: "You are responding: the dispatcher sees it.",
    Answer.ON_SCENE: "On scene.",
    Answer.UNABLE: "Unable: the dispatcher sees it, and a hit's next step comes sooner.",
}


class _Answered:
    def __init__(self, back: str) -> None:
        self.back, self.note = back, ""

    @property
    def response(self) -> Response:
        return RedirectResponse(f"{self.back}?note={quote(self.note)}", status_code=303)


@contextmanager
def answered(session: Session, back: str) -> Iterator[_Answered]:
    """Run a form's change; a refusal (a closed alert, a bad field) rolls it back and goes
    back to the page with the reason, as the API's 4xx would give it."""
    done = _Answered(back)
    try:
        yield done
    except ValidationError as error:
        session.rollback()
        done.note = describe_validation_errors(list(error.errors()))
    except (AppError, AlertsError) as error:
        session.rollback()
        if isinstance(error, NotFound):
            raise PageRefused(404, error.detail) from None
        done.note = getattr(error, "detail", None) or str(error)


@contextmanager
def refusals() -> Iterator[None]:
    """An AppError (a missing or hidden alert, a forbidden act) as an HTML page."""
    try:
        yield
    except AppError as error:
        raise PageRefused(error.status, error.detail) from None
