"""Durations between two stored times, and their median and 90th percentile, in SQL, for
each group of a grouped figure (an area, an officer) or for one.

PostgreSQL computes the percentiles itself (`percentile_cont` over the durations, grouped).
SQLite has no percentile aggregate: it computes the durations and sends only those columns
(with the group), which are sorted here and the same linear interpolation as
`percentile_cont` picks the values.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Float, cast, extract, func, literal, select, tuple_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

MEDIAN, P90 = 0.5, 0.9
WHOLE = "*"  # the group of all the rows (app.stats.figures.WHOLE)


@dataclass(frozen=True, slots=True)
class Spread:
    """How many durations, and their median and 90th percentile in seconds (None if none)."""

    count: int
    median_s: float | None
    p90_s: float | None


NONE = Spread(0, None, None)


def seconds(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """`end - start` in seconds, as SQL for `dialect`."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start), Float)
    # SQLite stores UTC as text; julianday reads it (to the millisecond, in days).
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def spreads(
    session: Session, durations: Any, names: Sequence[str], *, whole: bool = False
) -> dict[str, dict[str, Spread]]:
    """The spread of each of the columns `names` of `durations` (seconds; nulls ignored), a
    subquery with them and the column `k` (the group), per group: {name: {group: spread}},
    all read in one pass; `whole`: also of all the rows, as the group WHOLE. Groups without a
    duration of a column are left out of its spreads."""
    key = durations.c.k
    columns = [durations.c[name] for name in names]
    found: dict[str, dict[str, Spread]] = {name: {} for name in names}
    if session.get_bind().dialect.name == "postgresql":
        figures: list[Any] = []
        for column in columns:
            figures += [
                func.count(column),
                func.percentile_cont(MEDIAN).within_group(column),
                func.percentile_cont(P90).within_group(column),
            ]
        # One scan for the groups and the whole (grouping sets): the whole's row has
        # grouping(k) = 1.
        sets = func.grouping_sets(tuple_(key), tuple_()) if whole else key
        query = select(key, func.grouping(key) if whole else literal(0), *figures)
        for k, is_whole, *values in session.execute(query.group_by(sets)):
            for i, name in enumerate(names):
                n, median, p90 = values[3 * i : 3 * i + 3]
                if n:
                    group = WHOLE if is_whole else str(k)
                    found[name][group] = Spread(int(n), _rounded(median), _rounded(p90))
        return found
    rows = session.execute(select(key, *columns).order_by(key)).all()
    groups: list[tuple[str, Sequence[Any]]] = [
        (str(k), list(lines)) for k, lines in groupby(rows, key=lambda row: row[0])
    ]
    if whole:
        groups.append((WHOLE, rows))
    for k, lines in groups:
        for i, name in enumerate(names, start=1):
            values = sorted(float(line[i]) for line in lines if line[i] is not None)
            if values:
                found[name][k] = Spread(len(values), _rounded(percentile(values, MEDIAN)),
                                        _rounded(percentile(values, P90)))  # fmt: skip
    return found


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """`percentile_cont(fraction)` of values sorted ascending: interpolated between the two
    nearest ranks; None for no values."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)
