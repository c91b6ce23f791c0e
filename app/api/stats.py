"""The chain of command's numbers: GET /v1/stats answers for the caller's own command, and
/v1/stats/{areas,beats,squads,officers,hotlists,cameras}/{id} for one scope inside it (403
outside). Every level lists the next one down with its figures and a link; an officer's
level lists the alerts (audited: they carry plates)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from app.deps import ClockDep, CurrentUser, SessionDep
from app.errors import NotFound, Unprocessable
from app.hotlists import covert
from app.models import Beat, Camera, HotList, PoliceArea, Role, Squad, User
from app.schemas.common import Moment, RowId
from app.schemas.stats import StatsPublic
from app.stats import drill, scope
from app.stats.figures import Window

DEFAULT_WINDOW = timedelta(days=7)
LONGEST_WINDOW = timedelta(days=400)

router = APIRouter(prefix="/stats", tags=["stats"])


def window(
    clock: ClockDep,
    since: Annotated[
        Moment | None, Query(description="start of the window (default: 7 days before until)")
    ] = None,
    until: Annotated[Moment | None, Query(description="end, excluded (default: now)")] = None,
) -> Window:
    end = until or clock()
    start = since or end - DEFAULT_WINDOW
    if start >= end:
        raise Unprocessable("since: must be before until")
    if end - start > LONGEST_WINDOW:
        raise Unprocessable(f"the window is longer than {LONGEST_WINDOW.days} days")
    return Window(since=start, until=end)


WindowDep = Annotated[Window, Depends(window)]
Limit = Annotated[int, Query(ge=1, le=1000, description="the officer level: alerts listed")]


@router.get("")
def my_stats(
    session: SessionDep, user: CurrentUser, span: WindowDep, clock: ClockDep, limit: Limit = 100
) -> StatsPublic:
    """Your command's numbers: the agency's (by area) for admins, auditors and command staff;
    your area's (by squad) for an area commander; your squad's (by officer) for a sergeant;
    your own (with your alerts) for an officer."""
    command = scope.command_of(session, user)
    if command.everything:
        return drill.agency(session, span)
    if command.officer_id is not None:
        return drill.officer(session, user, span, command=command, viewer=user, limit=limit,
                             now=clock())  # fmt: skip
    if command.areas:
        return drill.area(session, _area(session, min(command.areas)), span, command=command)
    return drill.squad(session, _squad(session, min(command.squads)), span, command=command)


@router.get("/areas/{code}")
def area_stats(code: str, session: SessionDep, user: CurrentUser, span: WindowDep) -> StatsPublic:
    """An area's numbers (alerts raised in its beats), with the squads working it."""
    command = scope.command_of(session, user)
    scope.check_area(command, code)
    return drill.area(session, _area(session, code), span, command=command)


@router.get("/beats/{code}")
def beat_stats(code: str, session: SessionDep, user: CurrentUser, span: WindowDep) -> StatsPublic:
    """A beat's numbers (alerts raised in it)."""
    command = scope.command_of(session, user)
    scope.check_beat(session, command, code)
    row = session.get(Beat, code)
    if row is None:
        raise NotFound(f"no beat {code!r} (beats are imported with `lookout import-beats`)")
    return drill.beat(session, row, span, command=command)


@router.get("/squads/{squad_id}")
def squad_stats(
    squad_id: RowId, session: SessionDep, user: CurrentUser, span: WindowDep
) -> StatsPublic:
    """A squad's numbers (alerts pushed to its officers), with each officer's."""
    command = scope.command_of(session, user)
    scope.check_squad(command, squad_id)
    return drill.squad(session, _squad(session, squad_id), span, command=command)


@router.get("/officers/{officer_id}")
def officer_stats(
    officer_id: RowId,
    session: SessionDep,
    user: CurrentUser,
    span: WindowDep,
    clock: ClockDep,
    limit: Limit = 100,
) -> StatsPublic:
    """An officer's numbers (alerts pushed to them), with the alerts themselves, newest
    first. Audited."""
    command = scope.command_of(session, user)
    scope.check_officer(session, command, officer_id)
    officer = session.get(User, officer_id)
    if officer is None or officer.role != Role.OFFICER:
        raise NotFound(f"no officer with id {officer_id}")
    return drill.officer(session, officer, span, command=command, viewer=user, limit=limit,
                         now=clock())  # fmt: skip


@router.get("/hotlists/{hotlist_id}")
def hotlist_stats(
    hotlist_id: RowId, session: SessionDep, user: CurrentUser, span: WindowDep
) -> StatsPublic:
    """A hot list's numbers (its hits' alerts): the agency's viewers only."""
    scope.check_agency(scope.command_of(session, user), f"hot list {hotlist_id}")
    row = session.get(HotList, hotlist_id)
    if row is None or not covert.may_see_list(user, row):
        raise NotFound(f"no hot list with id {hotlist_id}")
    return drill.hotlist(session, row, span)


@router.get("/cameras/{camera_id}")
def camera_stats(
    camera_id: RowId, session: SessionDep, user: CurrentUser, span: WindowDep
) -> StatsPublic:
    """A camera's numbers (the alerts its reads raised): the agency's viewers only."""
    scope.check_agency(scope.command_of(session, user), f"camera {camera_id}")
    row = session.get(Camera, camera_id)
    if row is None:
        raise NotFound(f"no camera with id {camera_id}")
    return drill.camera(session, row, span)


def _area(session: Session, code: str) -> PoliceArea:
    row = session.get(PoliceArea, code)
    if row is None:
        raise NotFound(f"no police area {code!r} (areas are imported with `lookout import-areas`)")
    return row


def _squad(session: Session, squad_id: int) -> Squad:
    row = session.get(Squad, squad_id)
    if row is None:
        raise NotFound(f"no squad with id {squad_id}")
    return row
