"""Who sees which numbers: admins, auditors and command staff the whole agency; an area's
commander their areas (with the squads working there, their officers and the beats); a
sergeant their squads and its officers; an officer their own. Anyone else is refused, and
so is anything outside the caller's command (403 saying what they may see)."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.errors import Forbidden
from app.models import Beat, PoliceArea, Role, Squad, SquadMember, User

SEES_AGENCY = frozenset({Role.ADMIN, Role.AUDITOR})  # and supervisors who are command staff


@dataclass(frozen=True, slots=True)
class Command:
    """What one person's statistics may cover."""

    everything: bool = False
    areas: frozenset[str] = frozenset()
    squads: frozenset[int] = frozenset()  # their own, and those working their areas
    officer_id: int | None = None  # an officer: themselves only

    def describe(self) -> str:
        if self.officer_id is not None:
            return f"your own (GET /v1/stats/officers/{self.officer_id})"
        parts = [f"area {code}" for code in sorted(self.areas)]
        parts += [f"squad {squad_id}" for squad_id in sorted(self.squads)]
        return ", ".join(parts)


def command_of(session: Session, user: User) -> Command:
    """The caller's command. Raises Forbidden for a role without one."""
    if user.role in SEES_AGENCY:
        return Command(everything=True)
    if user.role == Role.SUPERVISOR and _is_command_staff(session, user):
        return Command(everything=True)
    if user.role == Role.OFFICER:
        return Command(officer_id=user.id)
    if user.role != Role.SUPERVISOR:
        raise Forbidden(f"role '{user.role}' sees no statistics")
    areas = frozenset(
        session.scalars(select(col(PoliceArea.code)).where(col(PoliceArea.commander_id) == user.id))
    )
    squads = frozenset(
        squad_id
        for squad_id in session.scalars(
            select(col(Squad.id)).where(
                or_(col(Squad.sergeant_id) == user.id, col(Squad.area).in_(sorted(areas)))
            )
        )
        if squad_id is not None
    )
    if not areas and not squads:
        raise Forbidden(
            "no area or squad is under your command: an admin makes you an area's commander "
            "(PUT /v1/areas/{code}/commander), a squad's sergeant (POST /v1/squads) or "
            'command staff (PATCH /v1/users/{id} {"is_command_staff": true})'
        )
    return Command(areas=areas, squads=squads)


def _is_command_staff(session: Session, user: User) -> bool:
    # Read from the table: a signed-in User is a copy made from the token, without it.
    staff = session.scalar(select(col(User.is_command_staff)).where(col(User.id) == user.id))
    return bool(staff)


def check_agency(command: Command, what: str) -> None:
    if not command.everything:
        raise _outside(command, what)


def check_area(command: Command, code: str) -> None:
    if not (command.everything or code in command.areas):
        raise _outside(command, f"area {code}")


def check_beat(session: Session, command: Command, code: str) -> None:
    if command.everything:
        return
    area = session.scalar(select(col(Beat.area)).where(col(Beat.code) == code))
    if area is None or area not in command.areas:
        raise _outside(command, f"beat {code}")


def check_squad(command: Command, squad_id: int) -> None:
    if not (command.everything or squad_id in command.squads):
        raise _outside(command, f"squad {squad_id}")


def check_officer(session: Session, command: Command, officer_id: int) -> None:
    if command.everything or command.officer_id == officer_id:
        return
    squad_id = session.scalar(
        select(col(SquadMember.squad_id)).where(col(SquadMember.user_id) == officer_id)
    )
    if squad_id is None or squad_id not in command.squads:
        raise _outside(command, f"officer {officer_id}")


def _outside(command: Command, what: str) -> Forbidden:
    return Forbidden(f"{what} is outside your command; you see {command.describe()}")
