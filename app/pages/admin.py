"""/admin, the simplest useful version: people, their roles and scope (an officer's squad, a
supervisor's area and command-staff standing), deactivated and reactivated, with the services
the admin API uses and audited as there; cameras with their health, hot lists with their size
and a file import (its report lists the file's hygiene problems, as POST
/v1/hotlists/{id}/import answers), and the list-hygiene report (entries whose hits kept ending
as misread or wrong vehicle). Other changes go through the API and the CLI."""

import hmac
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from app import audit
from app.auth import accounts
from app.deps import ClockDep, RuntimeDep, SessionDep
from app.errors import AppError, describe_validation_errors
from app.hotlists import files, retro
from app.intake import health as camera_health
from app.models import Camera, HotList, HotListEntry, PoliceArea, Role, Squad, SquadMember, User
from app.officers import squads as chain
from app.pages import web
from app.pages.web import AdminPage, PageRefused
from app.schemas.common import RowId
from app.schemas.people import UserUpdate
from lpr.errors import HotListFormatError

router = APIRouter(include_in_schema=False)

ROLES = [role.value for role in Role]


@router.get("/admin")
def admin(
    request: Request, session: SessionDep, visitor: AdminPage, clock: ClockDep, runtime: RuntimeDep
) -> Response:
    now = clock()
    users = list(session.scalars(select(User).order_by(col(User.role), col(User.name))))
    # Health as GET /v1/cameras reports it: the latest read counts, not only heartbeats.
    cameras = list(session.scalars(select(Camera).order_by(col(Camera.name))))
    report = camera_health.health(
        session, cameras, now=now,
        silent_after=timedelta(seconds=runtime.settings.cameras.silent_after_s),
        low_confidence=runtime.settings.cameras.low_confidence,
    )  # fmt: skip
    camera_rows = []
    for camera in cameras:
        h = report.get(camera.id or 0)
        moments = (h.last_read_at, h.last_heartbeat_at, h.last_sighting_at) if h else ()
        camera_rows.append((camera, h, max((m for m in moments if m), default=None)))
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
        request, "admin.html", visitor, users=users, cameras=camera_rows, hotlists=hotlists,
        sizes=sizes, flagged=flagged, roles=ROLES, **_chain_of_command(session),
        import_max_bytes=runtime.settings.ingest.hotlist_import_max_bytes,
    )  # fmt: skip


def _chain_of_command(session: Session) -> dict[str, Any]:
    """Squads and areas to choose from, and who is where now."""
    areas = list(session.scalars(select(PoliceArea).order_by(col(PoliceArea.code))))
    commands: dict[int, list[str]] = {}
    for area in areas:
        if area.commander_id is not None:
            commands.setdefault(area.commander_id, []).append(area.code)
    return {
        "squads": list(session.scalars(select(Squad).order_by(col(Squad.name)))),
        "areas": areas,
        "squad_of": {
            member.user_id: member.squad_id for member in session.scalars(select(SquadMember))
        },
        "commands": commands,
    }


@router.post("/admin/users/{user_id}")
def change_user(
    user_id: RowId,
    session: SessionDep,
    visitor: AdminPage,
    clock: ClockDep,
    form: web.Form,
) -> Response:
    """A person's role and scope, or their deactivation (`action` deactivate / reactivate),
    as PATCH /v1/users/{id}, PUT /v1/officers/{id}/squad and PUT /v1/areas/{code}/commander
    (the same services, audited the same way)."""
    now, actor = clock(), visitor.user
    target = session.scalars(select(User).where(col(User.id) == user_id).with_for_update()).first()
    if target is None:
        raise PageRefused(404, f"no user with id {user_id}")
    if target.id == actor.id:
        return _back("Not done: change your own account through another admin.")
    action = form.get("action", "change")
    try:
        if action in ("deactivate", "reactivate"):
            body = UserUpdate.model_validate(
                {"is_active": action == "reactivate", "reason": form.get("reason") or None}
            )
            standing = body.model_dump(exclude_unset=True, exclude={"reason"})
            accounts.change_user(session, target, wanted=standing, reason=body.reason,
                                 actor=actor, now=now)  # fmt: skip
            done = "reactivated" if target.is_active else "deactivated: signed out everywhere"
            return _back(f"{target.name} {done}.")
        wanted = _user_changes(form, target)
        body = UserUpdate.model_validate(wanted | {"reason": form.get("reason") or None})
        said = []
        if wanted:
            accounts.change_user(session, target, wanted=wanted, reason=body.reason, actor=actor,
                                 now=now)  # fmt: skip
            said.append(
                ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in wanted.items())
            )
        said += _scope_changes(session, form, target, actor=actor, now=now)
    except ValidationError as error:
        session.rollback()
        return _back("Not done: " + describe_validation_errors(list(error.errors())))
    except AppError as error:
        session.rollback()
        return _back("Not done: " + error.detail)
    return _back(f"{target.name}: " + ("; ".join(said) if said else "nothing changed") + ".")


def _user_changes(form: web.Form, target: User) -> dict[str, object]:
    """What the form changes of the user's own row: role, command-staff standing."""
    wanted: dict[str, object] = {}
    role = form.get("role")
    if role and role != target.role:
        wanted["role"] = role
    if (role or target.role) == Role.SUPERVISOR:
        staff = form.get("is_command_staff") == "1"
        if staff != target.is_command_staff:
            wanted["is_command_staff"] = staff
    return wanted


def _scope_changes(
    session: Session, form: web.Form, target: User, *, actor: User, now: datetime
) -> list[str]:
    """An officer's squad; the area a supervisor commands. Only what the form changes."""
    assert target.id is not None
    said = []
    if target.role == Role.OFFICER and "squad_id" in form:
        member = session.get(SquadMember, target.id)
        was = None if member is None else member.squad_id
        wanted = int(form["squad_id"]) if form["squad_id"].isdigit() else None
        if wanted != was:
            squad = chain.assign(session, officer_id=target.id, squad_id=wanted, actor=actor,
                                 now=now)  # fmt: skip
            said.append(f"squad {squad.name if squad else 'none'}")
    if target.role == Role.SUPERVISOR and "area" in form:
        commanded = select(PoliceArea).where(col(PoliceArea.commander_id) == target.id)
        held = list(session.scalars(commanded))
        wanted_code = form["area"] or None
        if [a.code for a in held] != ([wanted_code] if wanted_code else []):
            for area in held:
                if area.code != wanted_code:
                    chain.set_commander(session, area, user_id=None, actor=actor, now=now)
            if wanted_code is not None:
                given = session.get(PoliceArea, wanted_code)
                if given is None:
                    raise PageRefused(404, f"no police area {wanted_code!r}")
                chain.set_commander(session, given, user_id=target.id, actor=actor, now=now)
            said.append(f"commands area {wanted_code or 'none'}")
    return said


def _back(note: str) -> Response:
    return RedirectResponse(f"/admin?note={quote(note)}#people", status_code=303)


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
    settings = runtime.settings
    size, limit = file.file.seek(0, 2), settings.ingest.hotlist_import_max_bytes
    file.file.seek(0)
    if size > limit:
        raise PageRefused(413, too_big(f"The file is {size:,} bytes", limit))
    session.commit()  # nothing is held while the file is read (SQLite's write lock)
    now = clock()
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


def too_big(what: str, limit: int) -> str:
    """A refused hot-list file, as the admin reads it."""
    return (
        f"{what}: hot-list files take at most {limit:,} bytes here "
        "(LOOKOUT_HOTLIST_IMPORT_MAX_BYTES). Split the file, or import it with "
        "`lookout import-hotlist` on the server."
    )


def body_limits(import_max_bytes: int) -> dict[object, int]:
    """The import's request body past the setting (and a little multipart framing) is refused
    while it streams (app/bodies.py)."""
    return {import_hotlist: import_max_bytes + 64 * 1024}
