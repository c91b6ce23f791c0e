"""/admin, the simplest useful version: people and their roles, cameras with their health,
hot lists with their size, and the list-hygiene report (entries whose hits kept ending as
misread or wrong vehicle). Changes are made through the API and the CLI (README)."""

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlmodel import col

from app import audit
from app.deps import ClockDep, RuntimeDep, SessionDep
from app.models import Camera, HotList, HotListEntry, User
from app.pages import web
from app.pages.web import AdminPage

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
