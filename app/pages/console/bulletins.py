"""Bulletins on the console: the new-bulletin form (as POST /v1/bulletins), and a bulletin's
change page (/console/bulletins/{id}), which changes it (as PATCH /v1/bulletins/{id}) or
cancels it. The officers inside are pushed at the commit; the trail search follows it."""

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlmodel import col

from app import audit
from app.bulletins import service as bulletins
from app.bulletins.alert import status_of
from app.bulletins.watch import invalidate_after_commit
from app.deps import ClockDep, RuntimeDep, SessionDep
from app.models import Bulletin, BulletinStatus
from app.pages import web
from app.pages.console import board, forms
from app.pages.console.forms import KINDS, outcome
from app.pages.web import Desk, Form, PageRefused
from app.schemas.bulletins import BulletinCancel, BulletinCreate, BulletinUpdate
from app.schemas.common import RowId

router = APIRouter(include_in_schema=False)


@router.post("/console/bulletins")
def post_bulletin(
    session: SessionDep, visitor: Desk, clock: ClockDep, runtime: RuntimeDep, form: Form
) -> Response:
    """A bulletin from the form, as POST /v1/bulletins."""
    watch = runtime.bulletins
    now = clock()
    with outcome(session) as done:
        body = BulletinCreate.model_validate(forms.new_bulletin(form, runtime.alerting.tz))
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
    officers = board.officers(session, now, runtime.settings.routing.location_fresh_s)
    map_data = {
        "kind": "desk",
        "officers": board.officer_markers(officers),
        "alerts": [],
        "bulletins": [
            {"id": row.id, "label": f"{row.kind} P{row.priority} (now)",
             "area": board.current_area(row, runtime.bulletins.context, now)}
        ],
    }  # fmt: skip
    told = board.told(session, [row.alert_id]).get(row.alert_id, (0, 0))[0] if row.alert_id else 0
    return web.render(
        request, "console_bulletin.html", visitor, b=row, kinds=KINDS, beats=runtime.beats.codes,
        occurred=forms.form_time(row.occurred_at, tz), map_data=map_data, told=told,
        area_text=board.area_text(row, runtime.bulletins.context),
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
            update = BulletinUpdate.model_validate(forms.changes(form, runtime.alerting.tz))
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
