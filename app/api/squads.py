"""The chain of command: squads and their officers, police areas and their commanders.
Admins change it; supervisors may read it."""

from fastapi import APIRouter
from sqlalchemy import select
from sqlmodel import Session, col

from app.deps import Admin, ClockDep, Command, SessionDep
from app.errors import NotFound
from app.models import Beat, PoliceArea, Squad
from app.officers import squads
from app.schemas.command import (
    AreaPublic,
    CommanderIn,
    SquadAssigned,
    SquadAssignment,
    SquadCreate,
    SquadMemberPublic,
    SquadPublic,
    SquadUpdate,
)
from app.schemas.common import RowId

router = APIRouter(tags=["command"])


@router.post("/squads", status_code=201)
def create_squad(
    body: SquadCreate, session: SessionDep, actor: Admin, clock: ClockDep
) -> SquadPublic:
    """A squad under a sergeant (a supervisor), optionally working one police area. Audited."""
    created = squads.create(
        session, name=body.name, sergeant_id=body.sergeant_id, area=body.area, actor=actor,
        now=clock(),
    )  # fmt: skip
    return _public(session, created)


@router.get("/squads")
def list_squads(session: SessionDep, _user: Command) -> list[SquadPublic]:
    return [_public(session, s) for s in session.scalars(select(Squad).order_by(col(Squad.id)))]


@router.patch("/squads/{squad_id}")
def update_squad(
    squad_id: RowId, body: SquadUpdate, session: SessionDep, actor: Admin, clock: ClockDep
) -> SquadPublic:
    """Rename a squad, give it another sergeant, or another area (`null`: none). Audited."""
    changed = squads.change(
        session, _squad(session, squad_id), changes=body.model_dump(exclude_unset=True),
        actor=actor, now=clock(),
    )  # fmt: skip
    return _public(session, changed)


@router.put("/officers/{officer_id}/squad")
def assign_squad(
    officer_id: RowId, body: SquadAssignment, session: SessionDep, actor: Admin, clock: ClockDep
) -> SquadAssigned:
    """Put an officer in a squad (out of the one they were in), or in none. Audited."""
    squads.assign(session, officer_id=officer_id, squad_id=body.squad_id, actor=actor,
                  now=clock())  # fmt: skip
    return SquadAssigned(officer_id=officer_id, squad_id=body.squad_id)


@router.get("/areas")
def list_areas(session: SessionDep, _user: Command) -> list[AreaPublic]:
    """The police areas (`lookout import-areas`) with their commanders and beats."""
    rows = session.scalars(select(PoliceArea).order_by(col(PoliceArea.code))).all()
    return [_area_public(session, row) for row in rows]


@router.put("/areas/{code}/commander")
def set_commander(
    code: str, body: CommanderIn, session: SessionDep, actor: Admin, clock: ClockDep
) -> AreaPublic:
    """An area's commander (a supervisor: sees the area's numbers), or none. Audited."""
    area = session.get(PoliceArea, code)
    if area is None:
        raise NotFound(f"no police area {code!r}")
    squads.set_commander(session, area, user_id=body.user_id, actor=actor, now=clock())
    return _area_public(session, area)


def _squad(session: Session, squad_id: int) -> Squad:
    found = session.get(Squad, squad_id)
    if found is None:
        raise NotFound(f"no squad with id {squad_id}")
    return found


def _public(session: Session, squad: Squad) -> SquadPublic:
    assert squad.id is not None
    members = [
        SquadMemberPublic(id=m.id or 0, name=m.name, badge=m.badge)
        for m in squads.members(session, squad.id)
    ]
    return SquadPublic(
        id=squad.id, name=squad.name, sergeant_id=squad.sergeant_id, area=squad.area,
        members=members, created_at=squad.created_at,
    )  # fmt: skip


def _area_public(session: Session, area: PoliceArea) -> AreaPublic:
    beats = session.scalars(
        select(col(Beat.code)).where(col(Beat.area) == area.code).order_by(col(Beat.code))
    ).all()
    return AreaPublic(
        code=area.code, name=area.name, commander_id=area.commander_id, beats=list(beats)
    )
