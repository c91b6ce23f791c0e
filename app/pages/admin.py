"""/admin, the simplest useful version: people and their roles, cameras with their health,
hot lists with their size and a file import (its report lists the file's hygiene problems,
as POST /v1/hotlists/{id}/import answers), and the list-hygiene report (entries whose hits
kept ending as misread or wrong vehicle). Other changes go through the API and the CLI."""

import hmac
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlalchemy import func, select
from sqlmodel import col

from app import audit
from app.deps import ClockDep, RuntimeDep, SessionDep
from app.hotlists import files, retro
from app.models import Camera, HotList, HotListEntry, User
from app.pages import web
from app.pages.web import AdminPage, PageRefused
from lpr.errors import HotListFormatError

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # as the API's import

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin(
    request: Request, session: SessionDep, visitor: AdminPage, clock: ClockDep, runtime: RuntimeDep
) -> Response:
    now = clock()
    silent_after = timedelta(seconds=runtime.settings.cameras.silent_after_s)
    users = list(session.scalars(select(User).order_by(col(User.role), col(User.name))))
    cameras = []
    for camera in session.scalars(select(Camera).order_by(col(Camera.name))):
        heard = max(
            (t for t in (camera.last_heartbeat_at, camera.last_sighting_at) if t is not None),
            default=None,
        )
        cameras.append((camera, heard, heard is not None and now - heard <= silent_after))
    sizes = dict(
        session.execute(
            select(col(HotListEntry.hotlist_id), func.count())
            .where(col(HotListEntry.deleted_at).is_(None))
            .group_by(col(HotListEntry.hotlist_id))
        ).all()
    )
    hotlists = list(session.scalars(select(HotList).order_by(col(HotList.name))))
    flagged = session.execute(
        select(HotListEntry, col(HotList.name))
        .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
        .where(
            col(HotListEntry.review_flagged_at).is_not(None),
            col(HotListEntry.deleted_at).is_(None),
        )
        .order_by(col(HotListEntry.review_flagged_at).desc())
        .limit(200)
    ).all()  # fmt: skip
    audit.record(
        session, actor=visitor.user, action="hotlist.entries.flagged.view", now=now,
        object_type="hotlist_entry", purpose="list hygiene report (admin page)",
        detail={"count": len(flagged)},
    )  # fmt: skip
    return web.render(
        request, "admin.html", visitor, users=users, cameras=cameras, hotlists=hotlists,
        sizes=sizes, flagged=flagged,
    )  # fmt: skip


@router.post("/admin/hotlists/{hotlist_id}/import")
def import_hotlist(
    request: Request,
    hotlist_id: int,
    session: SessionDep,
    visitor: AdminPage,
    clock: ClockDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    layout: Annotated[str, Form(max_length=40)] = "csv",
    replace: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """A file into a list, as POST /v1/hotlists/{id}/import: readable rows kept, every
    problem listed by line, the new entries checked against recent reads."""
    if not hmac.compare_digest(csrf, visitor.csrf):
        raise PageRefused(403, "This form has expired or did not come from Lookout: reload it.")
    hotlist = session.get(HotList, hotlist_id)
    if hotlist is None:
        raise PageRefused(404, f"no hot list with id {hotlist_id}")
    size = file.file.seek(0, 2)
    file.file.seek(0)
    if size > MAX_IMPORT_BYTES:
        raise PageRefused(413, f"the file is over {MAX_IMPORT_BYTES} bytes; split it")
    session.commit()  # nothing is held while the file is read (SQLite's write lock)
    now = clock()
    settings = runtime.settings
    try:
        # The same streamed, staged, all-or-nothing path as POST /v1/hotlists/{id}/import.
        report, applied = files.import_file(
            runtime.engine, hotlist_id=hotlist_id, data=file.file, layout=layout,
            replace=replace == "1", user=visitor.user, now=now,
            tz=ZoneInfo(settings.agency_timezone),
            source=f"{layout}:{file.filename or 'upload'}", alerting=runtime.alerting,
        )  # fmt: skip
    except HotListFormatError as error:
        raise PageRefused(422, f"The file cannot be read as {layout}: {error}") from None
    runtime.index.invalidate()  # committed: the new entries match live reads from now on
    window_s = settings.alerting.retro_window_s
    if window_s > 0:
        report.retro_hits = retro.check_import(
            runtime.engine, hotlist=hotlist, applied=applied, window=timedelta(seconds=window_s),
            config=runtime.alerting, officers=runtime.officers, now=now,
        )  # fmt: skip
    return web.render(request, "admin_import.html", visitor, hotlist=hotlist, report=report,
                      filename=file.filename or "upload")  # fmt: skip


BODY_LIMITS: dict[object, int] = {import_hotlist: MAX_IMPORT_BYTES + 64 * 1024}
