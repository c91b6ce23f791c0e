"""Each level of the drill-down, with its figures and its children: the agency lists its
areas, an area the squads working it, a squad its officers, an officer their alerts. Beats,
hot lists and cameras have their figures only."""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts.lifecycle import ACTIVE, Confirmation, Disposition, Response
from app import audit
from app.hotlists import covert
from app.lifecycle.threads import is_hit
from app.models import (
    Alert,
    AlertRecipient,
    AlertResponse,
    Beat,
    Camera,
    Hit,
    HotList,
    PoliceArea,
    Read,
    Squad,
    User,
)
from app.officers import squads as squad_service
from app.schemas import stats as shapes
from app.stats.figures import WHOLE, Basis, Raised, Received, Window, compute, compute_groups
from app.stats.figures import empty as compute_empty
from app.stats.scope import Command

ROOT = "/v1/stats"


def agency(session: Session, window: Window) -> shapes.StatsPublic:
    areas = session.scalars(select(PoliceArea).order_by(col(PoliceArea.code))).all()
    by_area = compute_groups(session, Raised(by_area=True, whole=True), window)
    children = [_child("area", a.code, a.name, by_area.get(a.code), window) for a in areas]
    return _level(session, "agency", None, "Agency", None, Raised(), window, children,
                  figures=by_area.get(WHOLE))  # fmt: skip


def area(
    session: Session, row: PoliceArea, window: Window, *, command: Command
) -> shapes.StatsPublic:
    squads = session.scalars(
        select(Squad).where(col(Squad.area) == row.code).order_by(col(Squad.name))
    ).all()
    teams = {str(_id(squad)): [_id(m) for m in squad_service.members(session, _id(squad))]
             for squad in squads}  # fmt: skip
    by_squad = compute_groups(session, Received.of_teams(teams), window)
    children = [
        _child("squad", str(squad.id), squad.name, by_squad.get(str(squad.id)), window)
        for squad in squads
    ]
    up = ROOT if command.everything else None
    return _level(session, "area", row.code, row.name, up, _in_area(row.code), window, children)


def beat(session: Session, row: Beat, window: Window, *, command: Command) -> shapes.StatsPublic:
    up = f"{ROOT}/areas/{row.area}" if row.area and (command.everything or row.area in
                                                      command.areas) else None  # fmt: skip
    where = Raised(col(Alert.beat) == row.code)
    return _level(session, "beat", row.code, f"Beat {row.code}", up, where, window, [])


def squad(session: Session, row: Squad, window: Window, *, command: Command) -> shapes.StatsPublic:
    assert row.id is not None
    members = squad_service.members(session, row.id)
    grouped = Received([_id(m) for m in members], by_officer=True)
    by_officer = compute_groups(session, grouped, window)
    children = [
        _child("officer", str(m.id), _unit(m), by_officer.get(str(m.id)), window) for m in members
    ]
    up = None
    if row.area and (command.everything or row.area in command.areas):
        up = f"{ROOT}/areas/{row.area}"
    basis = Received([_id(m) for m in members])
    return _level(session, "squad", str(row.id), row.name, up, basis, window, children)


def officer(
    session: Session,
    officer_row: User,
    window: Window,
    *,
    command: Command,
    viewer: User,
    limit: int,
    now: datetime,
) -> shapes.StatsPublic:
    officer_id = _id(officer_row)
    home = squad_service.squad_of(session, officer_id)
    up = None
    if home is not None and (command.everything or home.id in command.squads):
        up = f"{ROOT}/squads/{home.id}"
    answer = _level(session, "officer", str(officer_id), _unit(officer_row), up,
                    Received([officer_id]), window, [])  # fmt: skip
    answer.alerts = _alerts_of(session, officer_id, window, viewer=viewer, limit=limit)
    audit.record(
        session, actor=viewer, action="stats.alerts", now=now, object_type="user",
        object_id=officer_id, detail={"alert_ids": [line.id for line in answer.alerts]},
    )  # fmt: skip
    return answer


def hotlist(session: Session, row: HotList, window: Window) -> shapes.StatsPublic:
    where = Raised(col(Alert.hotlist_id) == row.id)
    return _level(session, "hotlist", str(row.id), row.name, ROOT, where, window, [])


def camera(session: Session, row: Camera, window: Window) -> shapes.StatsPublic:
    # A hit's alert keeps its first hit; the camera is that hit's read's.
    its_hits = (
        select(col(Hit.id))
        .join(Read, col(Read.id) == col(Hit.read_id))
        .where(col(Read.camera_id) == row.id)
    )
    where = Raised(col(Alert.hit_id).in_(its_hits))
    return _level(session, "camera", str(row.id), row.name, ROOT, where, window, [])


def _in_area(code: str) -> Raised:
    return Raised(col(Alert.beat).in_(select(col(Beat.code)).where(col(Beat.area) == code)))


def _child(
    scope: shapes.ScopeKind, key: str, name: str, figures: shapes.Figures | None, window: Window
) -> shapes.Child:
    return shapes.Child(
        scope=scope, id=key, name=name, href=f"{ROOT}/{scope}s/{key}",
        figures=figures or compute_empty(window),
    )  # fmt: skip


def _level(
    session: Session,
    scope: shapes.ScopeKind,
    key: str | None,
    name: str,
    up: str | None,
    basis: Basis,
    window: Window,
    children: list[shapes.Child],
    *,
    figures: shapes.Figures | None = None,
) -> shapes.StatsPublic:
    """The level; its `figures` computed here unless given (read with its children's)."""
    if figures is None:
        figures = compute(session, basis, window)
    return shapes.StatsPublic(
        scope=scope, id=key, name=name, up=up,
        basis="raised" if isinstance(basis, Raised) else "received",
        window=window.public(), figures=figures, children=children, alerts=None,
    )  # fmt: skip


def _alerts_of(
    session: Session, officer_id: int, window: Window, *, viewer: User, limit: int
) -> list[shapes.AlertLine]:
    told = col(AlertRecipient.created_at)
    rows = session.execute(
        select(Alert, AlertRecipient)
        .join(AlertRecipient, col(AlertRecipient.alert_id) == col(Alert.id))
        .where(
            col(AlertRecipient.user_id) == officer_id,
            told >= window.since,
            told < window.until,
            covert.visible_alerts(viewer),
        )
        .order_by(told.desc(), col(Alert.id).desc())
        .limit(limit)
    ).all()
    ids = [_id(alert) for alert, _ in rows]
    first_active = dict(
        session.execute(
            select(col(AlertResponse.alert_id), func.min(col(AlertResponse.at)))
            .where(
                col(AlertResponse.user_id) == officer_id,
                col(AlertResponse.alert_id).in_(ids),
                col(AlertResponse.status).in_(sorted(a.value for a in ACTIVE)),
            )
            .group_by(col(AlertResponse.alert_id))
        ).all()
    )
    return [_line(alert, recipient, first_active.get(alert.id)) for alert, recipient in rows]


def _line(
    alert: Alert, recipient: AlertRecipient, responding_at: datetime | None
) -> shapes.AlertLine:
    def after(at: datetime | None) -> float | None:
        return None if at is None else round((at - recipient.created_at).total_seconds(), 1)

    return shapes.AlertLine(
        id=_id(alert), href=f"/v1/alerts/{alert.id}", kind=alert.kind, priority=alert.priority,
        plate=alert.plate, beat=alert.beat, created_at=alert.created_at,
        told_at=recipient.created_at, seen_after_s=after(recipient.acknowledged_at),
        responding_after_s=after(responding_at),
        response=Response(recipient.response) if recipient.response else None,
        escalation_level=alert.escalation_level,
        confirmation=Confirmation(alert.confirmation) if is_hit(alert) else None,
        disposition=Disposition(alert.disposition) if alert.disposition else None,
        result=alert.result,
    )  # fmt: skip


def _unit(user: User) -> str:
    return f"{user.name} ({user.badge})" if user.badge else user.name


def _id(row: User | Alert | Squad) -> int:
    assert row.id is not None
    return row.id
