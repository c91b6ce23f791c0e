"""The figures of a scope over a window, in a handful of SQL statements; grouped, the same
statements give every child of a level at once (the agency's areas, a squad's officers).

Two bases (schemas.stats.StatsPublic.basis): alerts *raised* in a place, a list or a camera,
filtered on the alert's own indexed columns and timed from the alert; and alerts *received*
by officers (a squad, one officer), filtered on `alert_recipient (user_id, created_at)` and
timed from each officer's push. Either way the window selects the alerts (raised, or pushed
to the officer, in [since, until)); what became of them is counted whenever it happened.

What became of them is read from facts kept on the alert and recipient rows as it happens
(first `responding`, pushes sent, the escalation level), not from the rows of every answer,
push and step: a year is a pass over its alerts (or its officers' recipient rows), one over
their durations, and a join of the recipient rows sent a push for the officers pushed.
"""

import dataclasses
import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from alerts.lifecycle import LADDER, Confirmation, Disposition, Result, Step
from app.models import (
    Alert,
    AlertRecipient,
    Beat,
)
from app.schemas import stats as shapes
from app.stats import durations

WHOLE = durations.WHOLE  # the one group of figures that are not grouped
NO_GROUP = ""  # alerts in no group (a beat in no area), counted in the whole only


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
    `by_area`: grouped by the police area their beat rolls up to, and with `whole` the
    figures of them all too (key WHOLE), from the same passes over the rows."""

    where: ColumnElement[bool] | None = None
    by_area: bool = False
    whole: bool = False


@dataclass(frozen=True, slots=True)
class Received:
    """Alerts pushed in the window to any of these officers; `by_officer`: per officer;
    `teams`: per team of them (an area's squads: key → its officers, each in one team)."""

    officer_ids: Sequence[int]
    by_officer: bool = False
    teams: Mapping[str, Sequence[int]] | None = None

    @classmethod
    def of_teams(cls, teams: Mapping[str, Sequence[int]]) -> "Received":
        return cls([officer for team in teams.values() for officer in team], teams=teams)


Basis = Raised | Received


def compute(session: Session, basis: Basis, window: Window) -> shapes.Figures:
    """The figures of the whole basis (it must not be grouped)."""
    return compute_groups(session, basis, window).get(WHOLE) or empty(window)


def empty(window: Window) -> shapes.Figures:
    """The figures of a scope without an alert in the window."""
    return _figures(window)


def compute_groups(session: Session, basis: Basis, window: Window) -> dict[str, shapes.Figures]:
    """The figures per group (area code, officer id as text), or of WHOLE when not grouped;
    a group with no alert is left out. Three statements (four for alerts received), reading
    the facts kept on the alert and recipient rows (app/models/alerts.py), not the rows of
    every push and answer."""
    dialect = session.get_bind().dialect.name
    counts = _alert_counts(session, basis, window)
    told = _told(session, basis, window)
    spreads = _spreads(session, dialect, basis, window)
    if isinstance(basis, Raised) and basis.whole and counts:
        counts[WHOLE] = functools.reduce(_Counts.plus, counts.values(), _Counts())
    counts.pop(NO_GROUP, None)
    found = {}
    for key, tally in counts.items():
        officers = told.get(key, _Told())
        if isinstance(basis, Received):  # only the pushes to these officers
            tally.pushes, tally.alerts_pushed = officers.pushes, officers.alerts_pushed
        found[key] = _figures(
            window,
            counts=tally,
            officers_pushed=officers.officers,
            seen=spreads["seen"].get(key),
            responding=spreads["responding"].get(key),
            answered=spreads["answered"].get(key),
        )
    return found


@dataclass
class _Counts:
    total: int = 0
    hits: int = 0
    pushes: int = 0
    alerts_pushed: int = 0
    escalated: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    requested: int = 0
    closed: int = 0
    confirmation: Counter[str] = field(default_factory=Counter)
    disposition: Counter[str] = field(default_factory=Counter)
    result: Counter[str] = field(default_factory=Counter)

    def plus(self, other: "_Counts") -> "_Counts":
        added = _Counts()
        for name in _Counts.__dataclass_fields__:
            setattr(added, name, getattr(self, name) + getattr(other, name))
        return added


@dataclass(frozen=True, slots=True)
class _Told:
    officers: int = 0  # sent at least one push
    pushes: int = 0  # of alerts received: sent to these officers
    alerts_pushed: int = 0  # of alerts received: with a push sent to one of them


def _figures(
    window: Window,
    *,
    counts: _Counts | None = None,
    officers_pushed: int = 0,
    seen: durations.Spread | None = None,
    responding: durations.Spread | None = None,
    answered: durations.Spread | None = None,
) -> shapes.Figures:
    counts = counts or _Counts()
    per_hour = None
    if officers_pushed and window.hours > 0:
        per_hour = round(counts.pushes / officers_pushed / window.hours, 3)
    return shapes.Figures(
        alerts=counts.total,
        hits=counts.hits,
        alerts_pushed=counts.alerts_pushed,
        pushes=counts.pushes,
        officers_pushed=officers_pushed,
        pushes_per_officer_hour=per_hour,
        time_to_seen=_public(seen),
        time_to_responding=_public(responding),
        escalations=shapes.Escalations(
            escalated=counts.escalated, **{step.value: counts.steps[step.value] for step in Step}
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
    closed = counts.closed

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
    outer: bool = False  # the joins keep rows without a match (their key: NO_GROUP)

    def apply(self, query: Select[Any], *, grouped: bool = True) -> Select[Any]:
        """`query` on these rows; `grouped`: one result row per key (else one per row)."""
        for target, on in self.joins:
            query = query.join(target, on, isouter=self.outer)
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
            if basis.whole:  # and the alerts outside every area, for the whole
                area = func.coalesce(col(Beat.area), NO_GROUP)
                return _Rows(((Beat, on_beat),), where, area, outer=True)
            return _Rows(((Beat, on_beat),), and_(where, col(Beat.area).is_not(None)),
                         col(Beat.area))  # fmt: skip
        return _Rows((), where, None)
    if basis.by_officer:
        mine = col(AlertRecipient.alert_id) == col(Alert.id)
        return _Rows(((AlertRecipient, mine),), _received(basis, window),
                     col(AlertRecipient.user_id))  # fmt: skip
    if basis.teams is not None:  # each alert once per team, however many of it were told
        pairs = select(col(AlertRecipient.alert_id), _team(basis.teams).label("team"))
        pairs_of = pairs.where(_received(basis, window)).distinct().subquery()
        mine = pairs_of.c.alert_id == col(Alert.id)
        return _Rows(((pairs_of, mine),), literal(True), pairs_of.c.team)
    received = select(col(AlertRecipient.alert_id)).where(_received(basis, window))
    return _Rows((), col(Alert.id).in_(received), None)


def _recipients(basis: Received, window: Window) -> _Rows:
    """The basis's recipient rows, to join to a query on AlertRecipient."""
    key: Any = None
    if basis.by_officer:
        key = col(AlertRecipient.user_id)
    elif basis.teams is not None:
        key = _team(basis.teams)
    return _Rows((), _received(basis, window), key)


def _team(teams: Mapping[str, Sequence[int]]) -> ColumnElement[str]:
    user = col(AlertRecipient.user_id)
    whens = [(user.in_(list(ids)), key) for key, ids in teams.items() if ids]
    return case(*whens) if whens else literal(NO_GROUP)  # no officer: no row anyway


def _received(basis: Received, window: Window) -> ColumnElement[bool]:
    told = col(AlertRecipient.created_at)
    return and_(
        col(AlertRecipient.user_id).in_(list(basis.officer_ids)),
        told >= window.since,
        told < window.until,
    )


# --- the statements ------------------------------------------------------------------------


def _alert_counts(session: Session, basis: Basis, window: Window) -> dict[str, _Counts]:
    """One pass over the alerts: a sum per figure, one row per group (no sort). The ladder's
    steps are taken in order (alerts.lifecycle.LADDER): an alert at level n took its first n."""
    rows = _alerts(basis, window)
    level, pushes = col(Alert.escalation_level), col(Alert.pushes)
    requested = col(Alert.confirmation_requested_at).is_not(None)
    disposition, result = col(Alert.disposition), col(Alert.result)
    sums: dict[str, ColumnElement[bool]] = {
        "hits": col(Alert.kind) == "hotlist_hit",
        "alerts_pushed": pushes > 0,
        "requested": requested,
        "closed": disposition.is_not(None),
    }
    sums |= {f"step:{step.value}": level > n for n, step in enumerate(LADDER)}
    sums |= {f"disposition:{d.value}": disposition == d.value for d in Disposition}
    sums |= {f"result:{r.value}": result == r.value for r in Result}
    sums |= {
        f"confirmation:{c.value}": and_(requested, col(Alert.confirmation) == c.value)
        for c in Confirmation
    }
    figures = [func.count(), func.sum(pushes), *(func.sum(_ones(when)) for when in sums.values())]
    query = rows.apply(select(rows.key_column(), *figures).select_from(Alert))
    found: dict[str, _Counts] = {}
    for key, n, sent, *values in session.execute(query):
        if not n:
            continue  # the one row of an ungrouped count of nothing
        tally = dict(zip(sums, (int(value or 0) for value in values), strict=True))
        counts = found[str(key)] = _Counts(
            total=n, hits=tally["hits"], pushes=int(sent or 0),
            alerts_pushed=tally["alerts_pushed"], requested=tally["requested"],
            closed=tally["closed"], escalated=tally[f"step:{LADDER[0].value}"],
        )  # fmt: skip
        for name, times in tally.items():
            kind, _, value = name.partition(":")
            if value and times:
                getattr(counts, {"step": "steps"}.get(kind, kind))[value] = times
    return found


def _told(session: Session, basis: Basis, window: Window) -> dict[str, _Told]:
    """The officers sent a push of the basis's alerts (their recipient rows with a push sent),
    and, of alerts received, those pushes and the alerts pushed. Grouped by officer rather
    than counted distinct: a hash of a few hundred officers, where a distinct count sorts."""
    pushes, user = col(AlertRecipient.pushes), col(AlertRecipient.user_id)
    rows: _Rows
    if isinstance(basis, Raised):
        rows = _alerts(basis, window)
        query = select(rows.key_column(), user, literal(0), literal(0)).select_from(AlertRecipient)
        query = query.join(Alert, col(Alert.id) == col(AlertRecipient.alert_id))
    else:
        rows = _recipients(basis, window)
        query = select(rows.key_column(), user, func.sum(pushes), func.count())
        query = query.select_from(AlertRecipient)
    query = rows.apply(query.where(pushes > 0), grouped=False)
    found: dict[str, _Told] = {}
    everyone: set[int] = set()
    by = (user,) if rows.key is None else (rows.key, user)
    for key, officer, total, alerts in session.execute(query.group_by(*by)):
        was = found.get(str(key), _Told())
        found[str(key)] = _Told(was.officers + 1, was.pushes + int(total),
                                was.alerts_pushed + int(alerts))  # fmt: skip
        everyone.add(officer)
    if isinstance(basis, Raised) and basis.whole:
        found[WHOLE] = _Told(len(everyone))
    if isinstance(basis, Received) and not basis.by_officer:
        # An alert pushed to two of them is one alert pushed.
        alerts = select(rows.key_column(), func.count(func.distinct(col(AlertRecipient.alert_id))))
        alerts = rows.apply(alerts.select_from(AlertRecipient).where(pushes > 0))
        for key, n in session.execute(alerts):
            if n:
                found[str(key)] = dataclasses.replace(found[str(key)], alerts_pushed=int(n))
    return found


def _spreads(
    session: Session, dialect: str, basis: Basis, window: Window
) -> dict[str, dict[str, durations.Spread]]:
    """The durations' spreads: to seen and to responding from the alert (raised) or from each
    officer's push (received), and the confirmation's answer time (of the alerts, either way)."""
    seconds = functools.partial(durations.seconds, dialect)
    asked = col(Alert.confirmation_requested_at)
    answered = seconds(asked, col(Alert.confirmation_answered_at)).label("answered")
    if isinstance(basis, Raised):
        rows, created = _alerts(basis, window), col(Alert.created_at)
        query = select(
            rows.key_column(),
            seconds(created, col(Alert.acknowledged_at)).label("seen"),
            seconds(created, col(Alert.responding_at)).label("responding"),
            answered,
        ).select_from(Alert)
        subquery = rows.apply(query, grouped=False).subquery()
        return durations.spreads(session, subquery, ("seen", "responding", "answered"),
                                 whole=basis.whole)  # fmt: skip
    told_rows, told = _recipients(basis, window), col(AlertRecipient.created_at)
    of_officers = select(
        told_rows.key_column(),
        seconds(told, col(AlertRecipient.acknowledged_at)).label("seen"),
        seconds(told, col(AlertRecipient.responding_at)).label("responding"),
    ).select_from(AlertRecipient)
    found = durations.spreads(
        session, told_rows.apply(of_officers, grouped=False).subquery(), ("seen", "responding")
    )
    rows = _alerts(basis, window)
    of_alerts = select(rows.key_column(), answered).select_from(Alert).where(asked.is_not(None))
    subquery = rows.apply(of_alerts, grouped=False).subquery()
    return found | durations.spreads(session, subquery, ("answered",))


def _ones(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _public(spread: durations.Spread | None) -> shapes.Spread:
    spread = spread or durations.NONE
    return shapes.Spread(count=spread.count, median_s=spread.median_s, p90_s=spread.p90_s)
