"""The figures of one scope over one window, in a handful of SQL statements.

Two bases (schemas.stats.StatsPublic.basis): alerts *raised* in a place, a list or a camera,
filtered on the alert's own indexed columns and timed from the alert; and alerts *received*
by officers (a squad, one officer), filtered on `alert_recipient (user_id, created_at)` and
timed from each officer's push. Either way the window selects the alerts (raised, or pushed
to the officer, in [since, until)); what became of them is counted whenever it happened.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from alerts.lifecycle import ACTIVE, Confirmation, Disposition, Step
from app.models import (
    Alert,
    AlertEscalation,
    AlertRecipient,
    AlertResponse,
    Delivery,
    DeliveryStatus,
)
from app.schemas import stats as shapes
from app.stats import durations

ACTIVE_ANSWERS = sorted(answer.value for answer in ACTIVE)


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime
    until: datetime

    @property
    def hours(self) -> float:
        return (self.until - self.since).total_seconds() / 3600

    def public(self) -> shapes.Window:
        return shapes.Window(since=self.since, until=self.until, hours=round(self.hours, 3))


@dataclass(frozen=True, slots=True)
class Raised:
    """Alerts raised in the window and matching `where` (a filter on Alert; None: all)."""

    where: ColumnElement[bool] | None = None


@dataclass(frozen=True, slots=True)
class Received:
    """Alerts pushed in the window to any of these officers."""

    officer_ids: Sequence[int]


Basis = Raised | Received


def compute(session: Session, basis: Basis, window: Window) -> shapes.Figures:
    dialect = session.get_bind().dialect.name
    counts = _alert_counts(session, basis, window)
    pushes, alerts_pushed, officers = _pushes(session, basis, window)
    steps = dict(
        session.execute(
            select(col(AlertEscalation.step), func.count())
            .where(col(AlertEscalation.alert_id).in_(_alert_ids(basis, window)))
            .group_by(col(AlertEscalation.step))
        ).all()
    )
    per_hour = None
    if officers and window.hours > 0:
        per_hour = round(pushes / officers / window.hours, 3)
    return shapes.Figures(
        alerts=counts.total,
        hits=counts.hits,
        alerts_pushed=alerts_pushed,
        pushes=pushes,
        officers_pushed=officers,
        pushes_per_officer_hour=per_hour,
        time_to_seen=_public(durations.spread(session, _seen(dialect, basis, window))),
        time_to_responding=_public(durations.spread(session, _responding(dialect, basis, window))),
        escalations=shapes.Escalations(
            escalated=counts.escalated,
            **{step.value: int(steps.get(step.value, 0)) for step in Step},
        ),
        confirmations=shapes.Confirmations(
            requested=counts.requested,
            confirmed=counts.confirmation[Confirmation.CONFIRMED],
            not_confirmed=counts.confirmation[Confirmation.NOT_CONFIRMED],
            expired=counts.confirmation[Confirmation.EXPIRED],
            pending=counts.confirmation[Confirmation.REQUESTED],
            answer_time=_public(durations.spread(session, _answered(dialect, basis, window))),
        ),
        outcomes=_outcomes(counts),
    )


@dataclass
class _Counts:
    total: int = 0
    hits: int = 0
    escalated: int = 0
    requested: int = 0
    confirmation: Counter[str] = field(default_factory=Counter)
    disposition: Counter[str] = field(default_factory=Counter)
    result: Counter[str] = field(default_factory=Counter)


def _alert_counts(session: Session, basis: Basis, window: Window) -> _Counts:
    """One pass over the alerts, grouped by what the figures tell apart."""
    is_hit = case((col(Alert.kind) == "hotlist_hit", 1), else_=0)
    escalated = case((col(Alert.escalation_level) > 0, 1), else_=0)
    requested = case((col(Alert.confirmation_requested_at).is_not(None), 1), else_=0)
    groups = (col(Alert.disposition), col(Alert.result), col(Alert.confirmation), requested)
    query = (
        select(*groups, func.count(), func.sum(is_hit), func.sum(escalated))
        .where(_alerts_in(basis, window))
        .group_by(*groups)
    )
    counts = _Counts()
    for disposition, result, confirmation, was_requested, n, hits, climbed in session.execute(
        query
    ):
        counts.total += n
        counts.hits += int(hits or 0)
        counts.escalated += int(climbed or 0)
        if disposition:
            counts.disposition[disposition] += n
        if result:
            counts.result[result] += n
        if was_requested:
            counts.requested += n
            counts.confirmation[confirmation] += n
    return counts


def _outcomes(counts: _Counts) -> shapes.Outcomes:
    closed = sum(counts.disposition.values())

    def rate(disposition: Disposition) -> float | None:
        return round(counts.disposition[disposition] / closed, 4) if closed else None

    return shapes.Outcomes(
        closed=closed,
        by_disposition={d.value: counts.disposition[d.value] for d in Disposition},
        by_result=dict(sorted(counts.result.items())),
        misread_rate=rate(Disposition.MISREAD),
        wrong_vehicle_rate=rate(Disposition.WRONG_VEHICLE),
    )


def _pushes(session: Session, basis: Basis, window: Window) -> tuple[int, int, int]:
    """Pushes sent, alerts they were about, officers they went to."""
    query = (
        select(
            func.count(),
            func.count(distinct(col(Delivery.alert_id))),
            func.count(distinct(col(AlertRecipient.user_id))),
        )
        .select_from(Delivery)
        .join(AlertRecipient, col(AlertRecipient.id) == col(Delivery.recipient_id))
        .where(col(Delivery.status) == DeliveryStatus.SENT)
    )
    if isinstance(basis, Raised):
        query = query.join(Alert, col(Alert.id) == col(Delivery.alert_id)).where(
            _raised(basis, window)
        )
    else:
        query = query.where(_received(basis, window))
    pushes, alerts, officers = session.execute(query).one()
    return int(pushes), int(alerts), int(officers)


def _seen(dialect: str, basis: Basis, window: Window) -> Any:
    if isinstance(basis, Raised):
        start, end = col(Alert.created_at), col(Alert.acknowledged_at)
        where = _raised(basis, window)
    else:
        start, end = col(AlertRecipient.created_at), col(AlertRecipient.acknowledged_at)
        where = _received(basis, window)
    seconds = durations.seconds(dialect, start, end).label("s")
    return select(seconds).where(where, end.is_not(None)).subquery()


def _responding(dialect: str, basis: Basis, window: Window) -> Any:
    first = func.min(col(AlertResponse.at))
    active = col(AlertResponse.status).in_(ACTIVE_ANSWERS)
    if isinstance(basis, Raised):
        told = col(Alert.created_at)
        query: Select[Any] = (
            select(durations.seconds(dialect, told, first).label("s"))
            .join(AlertResponse, and_(col(AlertResponse.alert_id) == col(Alert.id), active))
            .where(_raised(basis, window))
            .group_by(col(Alert.id), told)
        )
    else:
        told = col(AlertRecipient.created_at)
        mine = and_(
            col(AlertResponse.alert_id) == col(AlertRecipient.alert_id),
            col(AlertResponse.user_id) == col(AlertRecipient.user_id),
            active,
        )
        query = (
            select(durations.seconds(dialect, told, first).label("s"))
            .join(AlertResponse, mine)
            .where(_received(basis, window))
            .group_by(col(AlertRecipient.id), told)
        )
    return query.subquery()


def _answered(dialect: str, basis: Basis, window: Window) -> Any:
    asked, answered = col(Alert.confirmation_requested_at), col(Alert.confirmation_answered_at)
    seconds = durations.seconds(dialect, asked, answered).label("s")
    return (
        select(seconds)
        .where(_alerts_in(basis, window), asked.is_not(None), answered.is_not(None))
        .subquery()
    )


def _alerts_in(basis: Basis, window: Window) -> ColumnElement[bool]:
    """A filter on Alert: the alerts the figures count."""
    if isinstance(basis, Raised):
        return _raised(basis, window)
    return col(Alert.id).in_(_alert_ids(basis, window))


def _alert_ids(basis: Basis, window: Window) -> Select[Any]:
    if isinstance(basis, Raised):
        return select(col(Alert.id)).where(_raised(basis, window))
    return select(col(AlertRecipient.alert_id)).where(_received(basis, window))


def _raised(basis: Raised, window: Window) -> ColumnElement[bool]:
    created = col(Alert.created_at)
    during = and_(created >= window.since, created < window.until)
    return during if basis.where is None else and_(during, basis.where)


def _received(basis: Received, window: Window) -> ColumnElement[bool]:
    told = col(AlertRecipient.created_at)
    return and_(
        col(AlertRecipient.user_id).in_(list(basis.officer_ids)),
        told >= window.since,
        told < window.until,
    )


def _public(spread: durations.Spread) -> shapes.Spread:
    return shapes.Spread(count=spread.count, median_s=spread.median_s, p90_s=spread.p90_s)
