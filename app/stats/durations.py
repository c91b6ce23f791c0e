"""Durations between two stored times, and their median and 90th percentile, in SQL.

PostgreSQL computes the percentiles itself (`percentile_cont` over the durations). SQLite has
no percentile aggregate: it computes the durations, sorts them, and sends only that one
column, from which the same linear interpolation as `percentile_cont` picks the values.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, cast, extract, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

MEDIAN, P90 = 0.5, 0.9


@dataclass(frozen=True, slots=True)
class Spread:
    """How many durations, and their median and 90th percentile in seconds (None if none)."""

    count: int
    median_s: float | None
    p90_s: float | None


def seconds(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """`end - start` in seconds, as SQL for `dialect`."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start), Float)
    # SQLite stores UTC as text; julianday reads it (to the millisecond, in days).
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def spread(session: Session, durations: Any) -> Spread:
    """The spread of `durations`, a subquery with one column `s` (nulls ignored)."""
    column = durations.c.s
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            select(
                func.count(column),
                func.percentile_cont(MEDIAN).within_group(column),
                func.percentile_cont(P90).within_group(column),
            ).select_from(durations)
        ).one()
        count, median, p90 = row
        return Spread(int(count), _rounded(median), _rounded(p90))
    values = session.scalars(
        select(column).select_from(durations).where(column.is_not(None)).order_by(column)
    ).all()
    return Spread(len(values), _rounded(percentile(values, MEDIAN)),
                  _rounded(percentile(values, P90)))  # fmt: skip


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
