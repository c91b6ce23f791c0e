"""The dispatcher's console (/console): a live map of on-duty officers (fresh and stale), open
alerts and active bulletins' current areas, beside the same as lists, newest first; the
confirmation queue with its answer buttons; the bulletin form (its area drawn on the map or
picked as beats) and cancel; a bulletin's change page (/console/bulletins/{id}: the same
fields, filled in, and the map to draw another area on); and plate search with a required
purpose. Every change goes through the services the API uses, and every look at a plate is
audited as there."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from alerts.errors import AlertsError
from alerts.lifecycle import ACTIVE, Confirmation
from app import audit
from app.bulletins import service as bulletins
from app.bulletins.alert import status_of
from app.bulletins.push import BulletinContext
from app.bulletins.rules import compile_row
from app.bulletins.watch import invalidate_after_commit
from app.deps import SEES_COVERT, ClockDep, RuntimeDep, SessionDep
from app.errors import AppError, describe_validation_errors
from app.hotlists import covert
from app.lifecycle import access, confirmation, view
from app.lifecycle.threads import unit_of
from app.models import (
    Alert,
    AlertRecipient,
    AlertResponse,
    Bulletin,
    BulletinStatus,
    OfficerStatus,
    Read,
    User,
)
from app.officers import beats as beat_files
from app.pages import live, web
from app.pages.web import AnyVisitor, Desk, Form, PageRefused
from app.schemas.bulletins import BulletinCancel, BulletinCreate, BulletinUpdate
from app.schemas.common import RowId
from geo.errors import GeoError
from lpr import plates
from lpr.errors import LprError

router = APIRouter(include_in_schema=False)

ALERTS_SHOWN = 100
RECENT = timedelta(hours=12)
VEHICLE_FIELDS = ("plate_pattern", "state", "make", "model", "color", "marks")
KINDS = ("robbery", "carjacking", "stolen_vehicle", "amber", "missing_person", "other")


@router.get("/pages/beats.geojson")
def beats_geojson(_visitor: AnyVisitor, runtime: RuntimeDep) -> JSONResponse:
    """The agency's beats: the base map when no tile server is configured."""
    return JSONResponse(
        beat_files.to_geojson(runtime.beats), headers={"Cache-Control": "private, max-age=300"}
    )


@router.get("/pages/layers/{index}.geojson")
def map_layer(index: int, _visitor: AnyVisitor, runtime: RuntimeDep) -> Response:
    """One of the agency's GeoJSON files drawn under the maps (LOOKOUT_MAP_LAYERS)."""
    files = runtime.settings.map_layer_files
    if not 0 <= index < len(files):
        raise PageRefused(404, f"no map layer {index}; LOOKOUT_MAP_LAYERS names {len(files)}")
    try:
        data = files[index].read_bytes()
    except OSError as error:
        raise PageRefused(404, f"map layer {index} cannot be read: {error.strerror}") from None
    return Response(
        data, media_type="application/geo+json",
        headers={"Cache-Control": "private, max-age=300"},
    )  # fmt: skip


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
    responders = _responders(session, ids)
    told = _told(session, ids)
    queue = confirmation.pending(
        session, states=(Confirmation.REQUESTED, Confirmation.EXPIRED),
        covert=user.role in SEES_COVERT, limit=50,
    )  # fmt: skip
    people = view.people_of(session, (a.confirmation_requested_by for a in queue))
    queue_items = [view.queue_item(a, people, now=now) for a in queue]
    active = _active_bulletins(session, now)
    officers = _officers(session, now, runtime.settings.routing.location_fresh_s)
    audit.record(
        session, actor=user, action="alert.list", now=now, object_type="alert",
        detail={"alert_ids": ids, "via": "console",
                "confirmations": [i.alert_id for i in queue_items]},
    )  # fmt: skip
    map_data = {
        "kind": "desk",
        "officers": [
            {"lat": o["lat"], "lon": o["lon"], "fresh": o["fresh"], "label": o["label"]}
            for o in officers
            if o["lat"] is not None
        ],
        "alerts": [
            {"id": a.id, "lat": a.lat, "lon": a.lon, "priority": a.priority,
             "label": f"P{a.priority} {a.plate} · {a.status}"}
            for a in alerts
            if a.lat is not None and a.lon is not None and a.closed_at is None
        ],
        "bulletins": [
            {"id": b.id, "label": f"{b.kind} P{b.priority}", "area": _current_area(b, ctx, now)}
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


@router.post("/console/bulletins")
def post_bulletin(
    session: SessionDep, visitor: Desk, clock: ClockDep, runtime: RuntimeDep, form: Form
) -> Response:
    """A bulletin from the form, as POST /v1/bulletins."""
    watch = runtime.bulletins
    now = clock()
    with outcome(session) as done:
        body = BulletinCreate.model_validate(
            {
                "kind": form.get("kind"),
                "narrative": form.get("narrative") or None,
                "priority": form.get("priority") or None,
                "occurred_at": _local_time(form.get("occurred_at"), runtime.alerting.tz),
                "direction": form.get("direction") or None,
                "case_number": form.get("case_number") or None,
                "vehicle": _vehicle(form),
                "area": _area(form),
            }
        )
        row = bulletins.create(session=session, data=body, author=visitor.user, now=now,
                               ctx=watch.context)  # fmt: skip
        invalidate_after_commit(session, watch)
        session.commit()  # the officers inside are pushed now; the trail search follows
        bulletins.search_back(session=session, row=row, actor=visitor.user, now=now,
                              ctx=watch.context)  # fmt: skip
        done.note = f"Bulletin {row.id} posted."
    return done.response


@router.get("/console/bulletins/{bulletin_id}")
def bulletin_page(
    bulletin_id: RowId,
    request: Request,
    session: SessionDep,
    visitor: Desk,
    clock: ClockDep,
    runtime: RuntimeDep,
) -> Response:
    """A bulletin's change page: every field of the new-bulletin form, filled in, and the map
    to draw another area on; viewed as GET /v1/bulletins/{id} is, audited."""
    row = session.get(Bulletin, bulletin_id)
    if row is None:
        raise PageRefused(404, f"no bulletin with id {bulletin_id}")
    now, tz = clock(), runtime.alerting.tz
    if status_of(row, now) != BulletinStatus.ACTIVE:
        raise PageRefused(409, f"Bulletin {bulletin_id} is {status_of(row, now)}: post a new one.")
    audit.record(
        session, actor=visitor.user, action="bulletin.view", now=now, object_type="bulletin",
        object_id=bulletin_id, plate=row.plate_key, detail={"via": "console"},
    )  # fmt: skip
    officers = _officers(session, now, runtime.settings.routing.location_fresh_s)
    map_data = {
        "kind": "desk",
        "officers": [
            {"lat": o["lat"], "lon": o["lon"], "fresh": o["fresh"], "label": o["label"]}
            for o in officers
            if o["lat"] is not None
        ],
        "alerts": [],
        "bulletins": [
            {"id": row.id, "label": f"{row.kind} P{row.priority} (now)",
             "area": _current_area(row, runtime.bulletins.context, now)}
        ],
    }  # fmt: skip
    told = _told(session, [row.alert_id]).get(row.alert_id, (0, 0))[0] if row.alert_id else 0
    return web.render(
        request, "console_bulletin.html", visitor, b=row, kinds=KINDS, beats=runtime.beats.codes,
        occurred=_form_time(row.occurred_at, tz), map_data=map_data, told=told,
        area_text=_area_text(row, runtime.bulletins.context),
    )  # fmt: skip


@router.post("/console/bulletins/{bulletin_id}")
def change_bulletin(
    bulletin_id: RowId,
    session: SessionDep,
    visitor: Desk,
    clock: ClockDep,
    runtime: RuntimeDep,
    form: Form,
) -> Response:
    """Change a bulletin from its change page (the fields of the new-bulletin form; the area
    when one is drawn or beats typed), as PATCH /v1/bulletins/{id}; or cancel it
    (`cancel_reason`), as POST /v1/bulletins/{id}/cancel."""
    watch = runtime.bulletins
    now = clock()
    with outcome(session) as done:
        row = session.scalars(
            select(Bulletin).where(col(Bulletin.id) == bulletin_id).with_for_update()
        ).first()
        if row is None:
            raise PageRefused(404, f"no bulletin with id {bulletin_id}")
        if form.get("action") == "cancel":
            cancel = BulletinCancel.model_validate({"reason": form.get("cancel_reason", "")})
            bulletins.cancel(session=session, row=row, reason=cancel.reason, actor=visitor.user,
                             now=now, ctx=watch.context)  # fmt: skip
            done.note = f"Bulletin {bulletin_id} cancelled."
        else:
            done.failed_to = f"/console/bulletins/{bulletin_id}"  # back to the form
            update = BulletinUpdate.model_validate(_changes(form, runtime.alerting.tz))
            changed = bulletins.update(session=session, row=row, data=update, actor=visitor.user,
                                       now=now, ctx=watch.context)  # fmt: skip
            invalidate_after_commit(session, watch)
            if changed:
                session.commit()  # the change is pushed now; the trail search follows
                bulletins.search_back(session=session, row=row, actor=visitor.user, now=now,
                                      ctx=watch.context)  # fmt: skip
            done.note = f"Bulletin {bulletin_id} updated (version {row.version})."
        invalidate_after_commit(session, watch)
    return done.response


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
                session.scalars(
                    select(Read).where(col(Read.plate_key) == key)
                    .order_by(col(Read.read_at).desc()).limit(200)
                )
            )  # fmt: skip
            audit.record(
                session, actor=visitor.user, action="read.search", now=clock(),
                object_type="read", plate=key, purpose=purpose.strip(),
                detail={"case_number": case_number or None, "results": len(reads),
                        "via": "console"},
            )  # fmt: skip
    return web.render(
        request, "console_search.html", visitor, plate=plate, purpose=purpose,
        case_number=case_number, reads=reads, error=error,
    )  # fmt: skip


class _Outcome:
    def __init__(self) -> None:
        self.note = ""
        self.failed = False
        self.failed_to = "/console"  # where a refused form goes back to

    @property
    def response(self) -> Response:
        where = self.failed_to if self.failed else "/console"
        return RedirectResponse(f"{where}?note={quote(self.note)}", status_code=303)


@contextmanager
def outcome(session: Session) -> Iterator[_Outcome]:
    """A form's change; refused (bad field, unknown beat, a bulletin already cancelled), it
    is rolled back and the console says why, as the API's 4xx would."""
    done = _Outcome()
    try:
        yield done
    except ValidationError as error:
        session.rollback()
        done.failed, done.note = (
            True,
            "Not done: " + describe_validation_errors(list(error.errors())),
        )
    except AppError as error:
        session.rollback()
        done.failed, done.note = True, "Not done: " + error.detail
    except (AlertsError, GeoError, LprError, ValueError) as error:
        session.rollback()
        done.failed, done.note = True, f"Not done: {error}"


def _local_time(raw: str | None, tz: Any) -> str | None:
    """A datetime-local field (agency time, no zone) as an aware ISO time."""
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=tz).isoformat()
    except ValueError:
        raise ValueError(f"incident time {raw!r} is not a date and time") from None


def _form_time(moment: datetime, tz: Any) -> str:
    """An aware time as a datetime-local field shows it (agency time, to the minute)."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def _changes(form: Form, tz: Any) -> dict[str, Any]:
    """A change page's form as a PATCH body: every field of the new-bulletin form (one left
    empty is cleared), the incident time only when edited (the field holds it to the minute),
    the area only when one was drawn or beats typed."""

    def text(key: str) -> str | None:
        return (form.get(key) or "").strip() or None

    changes: dict[str, Any] = {
        "kind": form.get("kind"), "narrative": text("narrative"), "priority": text("priority"),
        "direction": text("direction"), "case_number": text("case_number"),
        "vehicle": {key: text(key) for key in VEHICLE_FIELDS},
        "reason": text("reason") or "changed on the console",
    }  # fmt: skip
    if (form.get("occurred_at") or "") != (form.get("occurred_was") or ""):
        changes["occurred_at"] = _local_time(form.get("occurred_at"), tz)
    if text("version"):
        changes["version"] = text("version")
    area = _area(form, required=False)
    if area is not None:
        changes["area"] = area
    return changes


def _vehicle(form: Form) -> dict[str, Any] | None:
    given = {key: form[key].strip() for key in VEHICLE_FIELDS if (form.get(key) or "").strip()}
    return given or None


def _area(form: Form, *, required: bool = True) -> dict[str, Any] | None:
    """The area drawn on the map (JSON the page's script writes), else the beats typed in;
    None when neither and not `required`. (A change page comes with the bulletin's beats
    typed in: a drawn area replaces them.)"""
    drawn = form.get("area") or ""
    if drawn:
        try:
            area = json.loads(drawn)
        except json.JSONDecodeError:
            raise ValueError("the drawn area could not be read: draw it again") from None
        return area if isinstance(area, dict) else None
    typed = [code.strip() for code in (form.get("beats") or "").replace(";", ",").split(",")]
    if any(typed):
        return {"beats": [code for code in typed if code]}
    if required:
        raise ValueError("draw the area on the map (circle or polygon) or type its beats")
    return None


def _responders(session: Session, alert_ids: list[int]) -> dict[int, list[str]]:
    """Per alert, the units whose latest answer is responding or on scene."""
    if not alert_ids:
        return {}
    rows = session.execute(
        select(AlertResponse, User)
        .join(User, col(User.id) == AlertResponse.user_id)
        .where(col(AlertResponse.alert_id).in_(alert_ids))
        .order_by(col(AlertResponse.at), col(AlertResponse.id))
    ).all()
    latest: dict[tuple[int, int], tuple[str, str]] = {}
    for response, person in rows:
        latest[(response.alert_id, response.user_id)] = (response.status, unit_of(person))
    found: dict[int, list[str]] = {}
    for (alert_id, _), (status, unit) in latest.items():
        if status in ACTIVE:
            found.setdefault(alert_id, []).append(f"{unit} ({status.replace('_', ' ')})")
    return found


def _told(session: Session, alert_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per alert: officers told, and how many of them have seen it."""
    if not alert_ids:
        return {}
    found: dict[int, tuple[int, int]] = {}
    for row in session.scalars(
        select(AlertRecipient).where(col(AlertRecipient.alert_id).in_(alert_ids))
    ):
        told, seen = found.get(row.alert_id, (0, 0))
        found[row.alert_id] = (told + 1, seen + (row.acknowledged_at is not None))
    return found


def _active_bulletins(session: Session, now: datetime) -> list[Bulletin]:
    rows = session.scalars(
        select(Bulletin)
        .where(col(Bulletin.status) == BulletinStatus.ACTIVE)
        .order_by(col(Bulletin.id).desc())
        .limit(100)
    )
    return [row for row in rows if status_of(row, now) == BulletinStatus.ACTIVE]


def _area_text(row: Bulletin, ctx: BulletinContext) -> str:
    try:
        return compile_row(row, ctx.beats).area.describe()
    except (GeoError, LprError):
        return "an area that can no longer be drawn"


def _current_area(row: Bulletin, ctx: BulletinContext, now: datetime) -> dict[str, Any] | None:
    """Where the car may be now (the area grown since the incident), as GeoJSON."""
    try:
        return compile_row(row, ctx.beats).reach(now, ctx.rules.growth).to_geojson()
    except (GeoError, LprError):
        return None


def _officers(session: Session, now: datetime, fresh_s: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(OfficerStatus, User)
        .join(User, col(User.id) == OfficerStatus.user_id)
        .where(col(OfficerStatus.on_duty))
        .order_by(col(User.name))
    ).all()
    fresh_for = timedelta(seconds=fresh_s)
    return [
        {
            "name": person.name, "label": unit_of(person), "lat": status.lat, "lon": status.lon,
            "recorded_at": status.recorded_at, "beat": status.assigned_beat,
            "fresh": status.recorded_at is not None and now - status.recorded_at <= fresh_for,
        }
        for status, person in rows
    ]  # fmt: skip
