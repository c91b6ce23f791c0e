"""Squads: officers under one sergeant (a supervisor), optionally working one police area;
each officer in one squad at a time. Areas get their commander here too. Every change is
audited."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app import audit
from app.errors import Conflict, NotFound, Unprocessable
from app.models import Beat, PoliceArea, Role, Squad, SquadMember, User


def create(
    session: Session,
    *,
    name: str,
    sergeant_id: int,
    area: str | None,
    actor: User | None,
    now: datetime,
) -> Squad:
    """A new squad. 409 for a name in use; 422 when the sergeant is not an active supervisor
    or the area is unknown."""
    _check_name_free(session, name)
    _sergeant(session, sergeant_id)
    squad = Squad(
        name=name, sergeant_id=sergeant_id,
        area=_area(session, area), created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(squad)
    session.flush()
    audit.record(
        session, actor=actor, action="squad.create", now=now, object_type="squad",
        object_id=squad.id, detail={"name": name, "sergeant_id": sergeant_id, "area": area},
    )  # fmt: skip
    return squad


def change(
    session: Session, squad: Squad, *, changes: dict[str, object], actor: User, now: datetime
) -> Squad:
    """Rename a squad, give it another sergeant, or another area (None: none)."""
    if "name" in changes and changes["name"] != squad.name:
        _check_name_free(session, str(changes["name"]))
        squad.name = str(changes["name"])
    if "sergeant_id" in changes:
        sergeant = _sergeant(session, int(str(changes["sergeant_id"])))
        assert sergeant.id is not None
        squad.sergeant_id = sergeant.id
    if "area" in changes:
        area = changes["area"]
        squad.area = _area(session, None if area is None else str(area))
    squad.updated_at = now
    session.add(squad)
    audit.record(
        session, actor=actor, action="squad.update", now=now, object_type="squad",
        object_id=squad.id, detail=changes,
    )  # fmt: skip
    return squad


def assign(
    session: Session, *, officer_id: int, squad_id: int | None, actor: User | None, now: datetime
) -> Squad | None:
    """Put an officer in a squad (out of any other), or in none (`squad_id` None)."""
    officer = session.get(User, officer_id)
    if officer is None:
        raise NotFound(f"no user with id {officer_id}")
    if officer.role != Role.OFFICER:
        raise Unprocessable(f"user {officer_id} is a {officer.role}; only officers join squads")
    squad: Squad | None = None
    if squad_id is not None:
        squad = session.get(Squad, squad_id)
        if squad is None:
            raise Unprocessable(f"squad_id: no squad with id {squad_id}")
    member = session.get(SquadMember, officer_id, with_for_update=True)
    if squad is None:
        if member is not None:
            session.delete(member)
    elif member is None:
        session.add(SquadMember(user_id=officer_id, squad_id=_id(squad), since_at=now))
    elif member.squad_id != squad.id:
        member.squad_id, member.since_at = _id(squad), now
        session.add(member)
    session.flush()
    audit.record(
        session, actor=actor, action="squad.assign", now=now, object_type="user",
        object_id=officer_id, detail={"squad_id": squad_id},
    )  # fmt: skip
    return squad


def members(session: Session, squad_id: int) -> list[User]:
    query = (
        select(User)
        .join(SquadMember, col(SquadMember.user_id) == User.id)
        .where(col(SquadMember.squad_id) == squad_id)
        .order_by(col(User.name), col(User.id))
    )
    return list(session.scalars(query))


def squad_of(session: Session, officer_id: int) -> Squad | None:
    member = session.get(SquadMember, officer_id)
    return None if member is None else session.get(Squad, member.squad_id)


def area_of_beat(session: Session, beat: str | None) -> PoliceArea | None:
    """The police area a beat rolls up to, if any (beats imported, areas imported)."""
    if beat is None:
        return None
    code = session.scalar(select(col(Beat.area)).where(col(Beat.code) == beat))
    return None if code is None else session.get(PoliceArea, code)


def supervisors_of(session: Session, area: PoliceArea) -> set[int]:
    """The supervisors of an area: its commander and the sergeants of the squads working it."""
    sergeants = session.scalars(select(col(Squad.sergeant_id)).where(col(Squad.area) == area.code))
    found = set(sergeants)
    if area.commander_id is not None:
        found.add(area.commander_id)
    return found


def set_commander(
    session: Session, area: PoliceArea, *, user_id: int | None, actor: User, now: datetime
) -> PoliceArea:
    """An area's commander (a supervisor), or none."""
    area.commander_id = None if user_id is None else _supervisor(session, user_id, "user_id").id
    session.add(area)
    audit.record(
        session, actor=actor, action="area.commander", now=now, object_type="police_area",
        object_id=area.code, detail={"commander_id": user_id},
    )  # fmt: skip
    return area


def _id(squad: Squad) -> int:
    assert squad.id is not None
    return squad.id


def _check_name_free(session: Session, name: str) -> None:
    if session.scalars(select(Squad).where(col(Squad.name) == name)).first() is not None:
        raise Conflict(f"a squad named {name!r} exists already")


def _sergeant(session: Session, user_id: int) -> User:
    return _supervisor(session, user_id, "sergeant_id")


def _supervisor(session: Session, user_id: int, field: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Unprocessable(f"{field}: no user with id {user_id}")
    if user.role != Role.SUPERVISOR or not user.is_active:
        raise Unprocessable(f"{field}: user {user_id} is not an active supervisor")
    return user


def _area(session: Session, code: str | None) -> str | None:
    if code is None:
        return None
    if session.get(PoliceArea, code) is None:
        known = session.scalars(select(col(PoliceArea.code)).order_by("code")).all()
        raise Unprocessable(
            f"area: no police area {code!r}; known: {', '.join(known) or 'none imported'}"
        )
    return code
