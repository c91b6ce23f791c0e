"""The figures of a scope over a window, in a handful of SQL statements; grouped, the same
statements give every child of a level at once (the agency's areas, a squad's officers).

Two bases (schemas.stats.StatsPublic.basis): alerts *raised* in a place, a list or a camera,
filtered on the alert's own indexed columns and timed from the alert; and alerts *received*
by officers (a squad, one officer), filtered on `alert_recipient (user_id, created_at)` and
timed from each officer's push. Either way the window selects the alerts (raised, or pushed
to the officer, in [since, until)); what became of them is counted whenever it happened.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from alerts.lifecycle import ACTIVE, Confirmation, Disposition, Step
from app.models import (
    Alert,
    AlertEscalation,
    AlertRecipient,
    AlertResponse,
    Beat,
    Delivery,
    DeliveryStatus,
    Device,
)
from app.schemas import stats as shapes
from app.stats import durations

ACTIVE_ANSWERS = sorted(answer.value for answer in ACTIVE)
WHOLE = "*"  # the one group of figures that are not grouped


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
    """Alerts raised in the window and matching `where` (a filter on Alert; None: all);
    `by_area`: grouped by the police area their beat rolls up to."""

    where: ColumnElement[bool] | None = None
    by_area: bool = False


@dataclass(frozen=True, slots=True)
class Received:
    """Alerts pushed in the window to any of these officers; `by_officer`: per officer."""

    officer_ids: Sequence[int]
    by_officer: bool = False


Basis = Raised | Received


def compute(session: Session, basis: Basis, window: Window) -> shapes.Figures:
    """The figures of the whole basis (it must not be grouped)."""
    return compute_groups(session, basis, window).get(WHOLE) or empty(window)


def empty(window: Window) -> shapes.Figures:
    """The figures of a scope without an alert in the window."""
    return _figures(window)


def compute_groups(session: Session, basis: Basis, window: Window) -> dict[str, shapes.Figures]:
    """The figures per group (area code, officer id as text), or of WHOLE when not grouped;
    a group with no alert is left out."""
    dialect = session.get_bind().dialect.name
    counts = _alert_counts(session, basis, window)
    pushes = _pushes(session, basis, window)
    pushed = _alerts_pushed(session, basis, window)
    steps = _steps(session, basis, window)
    seen = durations.spreads(session, _seen(dialect, basis, window))
    responding = durations.spreads(session, _responding(dialect, basis, window))
    answered = durations.spreads(session, _answered(dialect, basis, window))
    return {
        key: _figures(
            window,
            counts=tally,
            pushes=pushes.get(key, []),
            alerts_pushed=pushed.get(key, 0),
            steps=steps.get(key, {}),
            seen=seen.get(key),
            responding=responding.get(key),
            answered=answered.get(key),
        )
        for key, tally in counts.items()
    }


@dataclass
class _Counts:
    total: int = 0
    hits: int = 0
    escalated: int = 0
    requested: int = 0
    confirmation: Counter[str] = field(default_factory=Counter)
    disposition: Counter[str] = field(default_factory=Counter)
    result: Counter[str] = field(default_factory=Counter)


def _figures(
    window: Window,
    *,
    counts: _Counts | None = None,
    pushes: Sequence[int] = (),
    alerts_pushed: int = 0,
    steps: dict[str, int] | None = None,
    seen: durations.Spread | None = None,
    responding: durations.Spread | None = None,
    answered: durations.Spread | None = None,
) -> shapes.Figures:
    counts, steps = counts or _Counts(), steps or {}
    per_hour = None
    if pushes and window.hours > 0:
        per_hour = round(sum(pushes) / len(pushes) / window.hours, 3)
    return shapes.Figures(
        alerts=counts.total,
        hits=counts.hits,
        alerts_pushed=alerts_pushed,
        pushes=sum(pushes),
        officers_pushed=len(pushes),
        pushes_per_officer_hour=per_hour,
        time_to_seen=_public(seen),
        time_to_responding=_public(responding),
        escalations=shapes.Escalations(
            escalated=counts.escalated, **{step.value: steps.get(step.value, 0) for step in Step}
        ),
        confirmations=shapes.Confirmations(
            requested=counts.requested,
            confirmed=counts.confirmation[Confirmation.CONFIRMED],
            not_confirmed=counts.confirmation[Confirmation.NOT_CONFIRMED],
            expired=counts.confirmation[Confirmation.EXPIRED],
            pending=counts.confirmation[Confirmation.REQUESTED],
            answer_time=_public(answered),
        ),
        outcomes=_outcomes(counts),
    )


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


# --- which rows: the alerts of a basis, with their group ---------------------------------


@dataclass(frozen=True, slots=True)
class _Rows:
    """Rows of a basis: what to join to the query's first table, the filter, and the group
    key (None: one group)."""

    joins: tuple[tuple[Any, ColumnElement[bool]], ...]
    where: ColumnElement[bool]
    key: Any  # a column, or None

    def apply(self, query: Select[Any], *, grouped: bool = True) -> Select[Any]:
        """`query` on these rows; `grouped`: one result row per key (else one per row)."""
        for target, on in self.joins:
            query = query.join(target, on)
        query = query.where(self.where)
        return query.group_by(self.key) if grouped and self.key is not None else query

    def key_column(self) -> ColumnElement[Any]:
        return (literal(WHOLE) if self.key is None else self.key).label("k")


def _alerts(basis: Basis, window: Window) -> _Rows:
    """The basis's alerts, to join to a query on Alert."""
    if isinstance(basis, Raised):
        created = col(Alert.created_at)
        where = and_(created >= window.since, created < window.until)
        if basis.where is not None:
            where = and_(where, basis.where)
        if basis.by_area:
            on_beat = col(Beat.code) == col(Alert.beat)
            return _Rows(((Beat, on_beat),), and_(where, col(Beat.area).is_not(None)),
                         col(Beat.area))  # fmt: skip
        return _Rows((), where, None)
    if basis.by_officer:
        mine = col(AlertRecipient.alert_id) == col(Alert.id)
        return _Rows(((AlertRecipient, mine),), _received(basis, window),
                     col(AlertRecipient.user_id))  # fmt: skip
    received = select(col(AlertRecipient.alert_id)).where(_received(basis, window))
    return _Rows((), col(Alert.id).in_(received), None)


def _recipients(basis: Received, window: Window) -> _Rows:
    """The basis's recipient rows, to join to a query on AlertRecipient."""
    key = col(AlertRecipient.user_id) if basis.by_officer else None
    return _Rows((), _received(basis, window), key)


def _received(basis: Received, window: Window) -> ColumnElement[bool]:
    told = col(AlertRecipient.created_at)
    return and_(
        col(AlertRecipient.user_id).in_(list(basis.officer_ids)),
        told >= window.since,
        told < window.until,
    )


# --- the statements ------------------------------------------------------------------------


def _alert_counts(session: Session, basis: Basis, window: Window) -> dict[str, _Counts]:
    """One pass over the alerts, grouped by what the figures tell apart."""
    rows = _alerts(basis, window)
    is_hit = case((col(Alert.kind) == "hotlist_hit", 1), else_=0)
    escalated = case((col(Alert.escalation_level) > 0, 1), else_=0)
    requested = case((col(Alert.confirmation_requested_at).is_not(None), 1), else_=0)
    kinds = (col(Alert.disposition), col(Alert.result), col(Alert.confirmation), requested)
    query = rows.apply(
        select(rows.key_column(), *kinds, func.count(), func.sum(is_hit), func.sum(escalated))
        .select_from(Alert)
        .group_by(*kinds)
    )
    found: dict[str, _Counts] = defaultdict(_Counts)
    for key, disposition, result, confirmation, was_requested, n, hits, climbed in (
        session.execute(query)
    ):  # fmt: skip
        counts = found[str(key)]
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
    return dict(found)


def _pushes(session: Session, basis: Basis, window: Window) -> dict[str, list[int]]:
    """Per group, the pushes sent to each officer (one entry per officer sent any)."""
    sent = col(Delivery.status) == DeliveryStatus.SENT
    if isinstance(basis, Raised):
        rows = _alerts(basis, window)
        base = select(rows.key_column(), col(Device.user_id), func.count()).select_from(Delivery)
        base = base.join(Alert, col(Alert.id) == col(Delivery.alert_id))
    else:
        rows = _recipients(basis, window)
        base = select(rows.key_column(), col(Device.user_id), func.count()).select_from(Delivery)
        base = base.join(AlertRecipient, col(AlertRecipient.id) == col(Delivery.recipient_id))
    # Per officer through the device (a small table): counting distinct officers and alerts
    # over millions of pushes would sort them all.
    base = base.join(Device, col(Device.id) == col(Delivery.device_id)).where(sent)
    found: dict[str, list[int]] = defaultdict(list)
    for key, _officer, n in session.execute(rows.apply(base.group_by(col(Device.user_id)))):
        found[str(key)].append(int(n))
    return dict(found)


def _alerts_pushed(session: Session, basis: Basis, window: Window) -> dict[str, int]:
    sent = col(Delivery.status) == DeliveryStatus.SENT
    if isinstance(basis, Received) and basis.by_officer:
        rows = _recipients(basis, window)
        told = select(col(Delivery.recipient_id)).where(sent)
        query = select(rows.key_column(), func.count()).select_from(AlertRecipient)
        query = rows.apply(query.where(col(AlertRecipient.id).in_(told)))
    else:
        pushed: Select[Any] = select(col(Delivery.alert_id)).where(sent)
        if isinstance(basis, Received):
            mine = select(col(AlertRecipient.id)).where(_received(basis, window))
            pushed = pushed.where(col(Delivery.recipient_id).in_(mine))
        rows = _alerts(basis, window)
        query = select(rows.key_column(), func.count()).select_from(Alert)
        query = rows.apply(query.where(col(Alert.id).in_(pushed)))
    return {str(key): int(n) for key, n in session.execute(query)}


def _steps(session: Session, basis: Basis, window: Window) -> dict[str, dict[str, int]]:
    rows = _alerts(basis, window)
    step = col(AlertEscalation.step)
    query = (
        select(rows.key_column(), step, func.count())
        .select_from(AlertEscalation)
        .join(Alert, col(Alert.id) == col(AlertEscalation.alert_id))
        .group_by(step)
    )
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for key, name, n in session.execute(rows.apply(query)):
        found[str(key)][name] = int(n)
    return dict(found)


def _seen(dialect: str, basis: Basis, window: Window) -> Any:
    table: Any
    if isinstance(basis, Raised):
        rows, table = _alerts(basis, window), Alert
        start, end = col(Alert.created_at), col(Alert.acknowledged_at)
    else:
        rows, table = _recipients(basis, window), AlertRecipient
        start, end = col(AlertRecipient.created_at), col(AlertRecipient.acknowledged_at)
    seconds = durations.seconds(dialect, start, end).label("s")
    query = select(rows.key_column(), seconds).select_from(table).where(end.is_not(None))
    return rows.apply(query, grouped=False).subquery()


def _responding(dialect: str, basis: Basis, window: Window) -> Any:
    first = func.min(col(AlertResponse.at))
    active = col(AlertResponse.status).in_(ACTIVE_ANSWERS)
    if isinstance(basis, Raised):
        rows, told, one = _alerts(basis, window), col(Alert.created_at), col(Alert.id)
        query = select(rows.key_column(), durations.seconds(dialect, told, first).label("s"))
        query = query.select_from(Alert).join(
            AlertResponse, and_(col(AlertResponse.alert_id) == col(Alert.id), active)
        )
    else:
        rows, told = _recipients(basis, window), col(AlertRecipient.created_at)
        one = col(AlertRecipient.id)
        mine = and_(
            col(AlertResponse.alert_id) == col(AlertRecipient.alert_id),
            col(AlertResponse.user_id) == col(AlertRecipient.user_id),
            active,
        )
        query = select(rows.key_column(), durations.seconds(dialect, told, first).label("s"))
        query = query.select_from(AlertRecipient).join(AlertResponse, mine)
    # One duration per alert (or per officer's push): grouped by it, and by the key with it.
    return rows.apply(query.group_by(one, told)).subquery()


def _answered(dialect: str, basis: Basis, window: Window) -> Any:
    rows = _alerts(basis, window)
    asked, answered = col(Alert.confirmation_requested_at), col(Alert.confirmation_answered_at)
    seconds = durations.seconds(dialect, asked, answered).label("s")
    query = select(rows.key_column(), seconds).select_from(Alert)
    query = query.where(asked.is_not(None), answered.is_not(None))
    return rows.apply(query, grouped=False).subquery()


def _public(spread: durations.Spread | None) -> shapes.Spread:
    spread = spread or durations.NONE
    return shapes.Spread(count=spread.count, median_s=spread.median_s, p90_s=spread.p90_s)
