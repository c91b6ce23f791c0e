"""A hot-list file of any size applied to its list in bounded memory, atomically.

The file's rows are staged in `hotlist_import_row` a chunk at a time (COPY on PostgreSQL, one
executemany on SQLite), each chunk its own short transaction, so cameras' reads keep getting
the SQLite write lock between chunks. Duplicates and look-alike twins are then window queries,
and the list changes in one transaction (`apply`): the entries the file no longer has are
deleted (their open alerts closed), the new ones inserted with `INSERT ... SELECT`, and both
written to the change feed, which every process's index replays. Until that commit the list
is exactly as it was; the staged rows go whatever the outcome (`discard`).
"""

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import TextClause
from sqlmodel import Session

from app.db import UtcDateTime, transaction
from app.models import AlertStatus, HotListImportRow
from lpr.hotlist_files import Problem
from lpr.hotlist_hygiene import duplicate, twins

# What `__table__` holds, which SQLModel does not declare to type checkers.
TABLE = HotListImportRow.metadata.tables["hotlist_import_row"]
COLUMNS = tuple(column.name for column in TABLE.columns)
CHUNK_ROWS = 5000  # rows staged per transaction
LINES_PER_PROBLEM = 100  # line numbers a duplicate or twins problem keeps
ABANDONED_AFTER = timedelta(days=1)  # staged rows of an import that died are swept after this
DISCARD_LINES = 50_000  # staged lines deleted per transaction
# The entry columns filled from a staged row, in INSERT order.
ENTRY_COLUMNS = (
    "plate", "plate_key", "state", "reason", "case_number", "expires_at", "vehicle_year",
    "vehicle_make", "vehicle_model", "vehicle_color", "vehicle_type", "note",
)  # fmt: skip


def new_import_id() -> str:
    return uuid.uuid4().hex


class Stager:
    """Rows of one import, written to the staging table CHUNK_ROWS at a time."""

    def __init__(self, engine: Engine, *, import_id: str, now: datetime) -> None:
        self._engine, self.import_id, self._now = engine, import_id, now
        self._pending: list[dict[str, Any]] = []
        self.staged = 0

    def add(self, row: Mapping[str, Any]) -> None:
        self._pending.append({**row, "import_id": self.import_id, "staged_at": self._now})
        if len(self._pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                driver = connection.connection.driver_connection
                assert driver is not None
                statement = f"COPY hotlist_import_row ({', '.join(COLUMNS)}) FROM STDIN"
                with driver.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row([row.get(column) for column in COLUMNS])
            else:
                connection.execute(insert(TABLE), [_complete(row) for row in rows])
        self.staged += len(rows)


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    # executemany needs every row to carry every column.
    return {column: row.get(column) for column in COLUMNS}


def discard(engine: Engine, import_id: str) -> int:
    """Delete an import's staged rows, DISCARD_LINES lines a transaction (a failed import may
    have staged millions, and on SQLite the write lock is the cameras' too); how many went."""
    with transaction(engine) as session:
        last = session.scalar(select(func.max(TABLE.c.line)).where(TABLE.c.import_id == import_id))
    removed = 0
    for start in range(0, (last or -1) + 1, DISCARD_LINES):
        with transaction(engine) as session:
            result = session.execute(
                delete(TABLE).where(
                    TABLE.c.import_id == import_id,
                    TABLE.c.line >= start,
                    TABLE.c.line < start + DISCARD_LINES,
                )
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def sweep_abandoned(engine: Engine, *, now: datetime) -> int:
    """Delete the staged rows of imports that died with their process (nothing staged for
    ABANDONED_AFTER); how many went. The worker's housekeeping calls it."""
    with transaction(engine) as session:
        abandoned = session.scalars(
            select(TABLE.c.import_id)
            .group_by(TABLE.c.import_id)
            .having(func.max(TABLE.c.staged_at) < now - ABANDONED_AFTER)
        ).all()
    return sum(discard(engine, import_id) for import_id in abandoned)


def duplicates(engine: Engine, import_id: str) -> Iterator[Problem]:
    """One DUPLICATE problem per plate and state on more than one line of the file."""
    query = text(
        "SELECT plate_key, state, line, n FROM ("
        " SELECT plate_key, state, line,"
        "  count(*) OVER (PARTITION BY plate_key, state) AS n,"
        "  row_number() OVER (PARTITION BY plate_key, state ORDER BY line) AS rn"
        " FROM hotlist_import_row WHERE import_id = :import_id) AS t"
        " WHERE n > 1 AND rn <= :most ORDER BY plate_key, state, line"
    )
    groups = _groups(engine, query, import_id)
    for (key, state), lines, total, _ in groups:
        yield duplicate(key, state, lines, total)


def look_alikes(engine: Engine, import_id: str) -> Iterator[Problem]:
    """One TWINS problem per plate keyed in look-alike variants (O/0, I/1 ...) of one state."""
    query = text(
        "SELECT plate_fold, state, line, n, plate_key FROM ("
        " SELECT plate_fold, state, line, plate_key,"
        "  count(*) OVER w AS n, min(plate_key) OVER w AS lo, max(plate_key) OVER w AS hi,"
        "  row_number() OVER (PARTITION BY plate_fold, state ORDER BY line) AS rn"
        " FROM hotlist_import_row WHERE import_id = :import_id"
        " WINDOW w AS (PARTITION BY plate_fold, state)) AS t"
        " WHERE lo <> hi AND rn <= :most ORDER BY plate_fold, state, line"
    )
    for (_, state), lines, total, keys in _groups(engine, query, import_id):
        yield twins(sorted(keys), state, lines, total)


def _groups(
    engine: Engine, query: TextClause, import_id: str
) -> Iterator[tuple[tuple[str, str | None], list[int], int, set[str]]]:
    """Consecutive rows of (group key, state, line, count[, plate key]) as one group each."""
    current: tuple[str, str | None] | None = None
    lines: list[int] = []
    keys: set[str] = set()
    total = 0
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(
            query, {"import_id": import_id, "most": LINES_PER_PROBLEM}
        )
        for row in result:
            group = (row[0], row[1])
            if group != current:
                if current is not None:
                    yield current, lines, total, keys
                current, lines, keys, total = group, [], set(), int(row[3])
            lines.append(int(row[2]))
            if len(row) > 4:
                keys.add(row[4])
        if current is not None:
            yield current, lines, total, keys


@dataclass(frozen=True, slots=True)
class Applied:
    """What `apply` changed. The new entries are those of `hotlist_id` created at `created_at`
    with ids from `first_id` to `last_id` (another list's entries may lie between)."""

    hotlist_id: int
    added: int
    removed: int
    unchanged: int
    first_id: int
    last_id: int
    created_at: datetime


def apply(
    session: Session,
    *,
    import_id: str,
    hotlist_id: int,
    replace: bool,
    user_id: int | None,
    now: datetime,
    close_cleared: Any,
) -> Applied:
    """Make the list take the staged file, in the caller's transaction: with `replace`, delete
    the live entries whose plate and state the file no longer has (`close_cleared(entry_ids)`
    closes their open alerts first); then insert the file's first row of each plate and state
    not listed yet, in file order. Expired rows are neither added nor keep an entry."""
    postgres = session.get_bind().dialect.name == "postgresql"
    same = "IS NOT DISTINCT FROM" if postgres else "IS"
    in_file = (
        "EXISTS (SELECT 1 FROM hotlist_import_row s WHERE s.import_id = :import_id"
        f" AND NOT s.expired AND s.plate_key = e.plate_key AND s.state {same} e.state)"
    )
    gone = f"e.hotlist_id = :hotlist_id AND e.deleted_at IS NULL AND NOT {in_file}"
    params: dict[str, Any] = {"import_id": import_id, "hotlist_id": hotlist_id}
    removed = 0
    if replace:
        # Their open alerts close first (alert, then audit, then entry: the order an officer
        # closing one of them takes, so the two never deadlock).
        with_alerts = session.execute(
            text(
                "SELECT DISTINCT h.entry_id FROM alert a JOIN hit h ON h.id = a.hit_id"
                " JOIN hotlist_entry e ON e.id = h.entry_id"
                f" WHERE a.hotlist_id = :hotlist_id AND a.status <> :closed AND {gone}"
            ),
            params | {"closed": AlertStatus.CLOSED.value},
        )
        entry_ids = sorted(int(row[0]) for row in with_alerts)
        if entry_ids:
            close_cleared(entry_ids)
        removed = _delete_gone(session, gone, params, user_id=user_id, now=now, postgres=postgres)
    # The first line of each plate and state (a GROUP BY, once: a correlated "no earlier
    # line" test lets SQLite walk the primary key, quadratic in the file), not listed yet
    # (`+` keeps SQLite off the hotlist_id index, which would scan the whole list per row).
    fresh = (
        "s.import_id = :import_id AND NOT s.expired"
        " AND s.line IN (SELECT min(line) FROM hotlist_import_row WHERE import_id = :import_id"
        "  AND NOT expired GROUP BY plate_key, state)"
        " AND NOT EXISTS (SELECT 1 FROM hotlist_entry e WHERE +e.hotlist_id = :hotlist_id"
        f"  AND e.deleted_at IS NULL AND e.plate_key = s.plate_key AND e.state {same} s.state)"
    )
    columns = ", ".join(ENTRY_COLUMNS)
    values = ", ".join(f"s.{column}" for column in ENTRY_COLUMNS)
    insert_entries = (
        f"INSERT INTO hotlist_entry (hotlist_id, {columns}, created_at, created_by, false_hits)"
        f" SELECT :hotlist_id, {values}, :now, :user_id, 0 FROM hotlist_import_row s"
        f" WHERE {fresh} ORDER BY s.line"
    )
    params |= {"user_id": user_id}
    if postgres:
        added, first_id, last_id = session.execute(
            _timed(
                f"WITH added AS ({insert_entries} RETURNING id),"
                " feed AS (INSERT INTO hotlist_change (entry_id, op, at)"
                "  SELECT id, 'upsert', :now FROM added ORDER BY id RETURNING entry_id)"
                " SELECT count(*), min(entry_id), max(entry_id) FROM feed"
            ),
            params | {"now": now},
        ).one()
    else:
        # The transaction holds SQLite's write lock: every id past `before` is ours.
        before = session.scalar(text("SELECT coalesce(max(id), 0) FROM hotlist_entry")) or 0
        added = _rowcount(session.execute(_timed(insert_entries), params | {"now": now}))
        session.execute(
            _timed(
                "INSERT INTO hotlist_change (entry_id, op, at)"
                " SELECT id, 'upsert', :now FROM hotlist_entry WHERE id > :before ORDER BY id"
            ),
            {"now": now, "before": before},
        )
        first_id, last_id = before + 1, before + added
    kept = "SELECT plate_key, state FROM hotlist_import_row WHERE import_id = :import_id"
    if replace:
        distinct = f"SELECT count(*) FROM (SELECT DISTINCT plate_key, state FROM ({kept}" \
            " AND NOT expired) AS k) AS d"  # fmt: skip
        listed = session.scalar(text(distinct), {"import_id": import_id}) or 0
    else:
        listed = session.scalar(
            text(f"SELECT count(*) FROM ({kept} AND NOT expired) AS k"), {"import_id": import_id}
        ) or 0  # fmt: skip
    return Applied(
        hotlist_id=hotlist_id, added=int(added or 0), removed=removed,
        unchanged=int(listed) - int(added or 0), first_id=int(first_id or 0),
        last_id=int(last_id or 0), created_at=now,
    )  # fmt: skip


def _delete_gone(
    session: Session,
    gone: str,
    params: dict[str, Any],
    *,
    user_id: int | None,
    now: datetime,
    postgres: bool,
) -> int:
    values = params | {"now": now, "user_id": user_id}
    update = f"UPDATE hotlist_entry AS e SET deleted_at = :now, deleted_by = :user_id WHERE {gone}"
    if postgres:
        # One statement: an entry added to the list meanwhile is either deleted and in the
        # feed, or neither.
        return int(
            session.scalar(
                _timed(
                    f"WITH gone AS ({update} RETURNING e.id),"
                    " feed AS (INSERT INTO hotlist_change (entry_id, op, at)"
                    "  SELECT id, 'delete', :now FROM gone ORDER BY id RETURNING 1)"
                    " SELECT count(*) FROM feed"
                ),
                values,
            )
            or 0
        )
    session.execute(
        _timed(
            "INSERT INTO hotlist_change (entry_id, op, at)"
            f" SELECT e.id, 'delete', :now FROM hotlist_entry e WHERE {gone} ORDER BY e.id"
        ),
        values,
    )
    return _rowcount(session.execute(_timed(update), values))


def new_entry_ids(session: Session, applied: Applied, *, after_id: int, limit: int) -> list[int]:
    """Ids of the entries `apply` added, in order, after `after_id`: a page of them."""
    rows = session.execute(
        _timed(
            "SELECT id FROM hotlist_entry WHERE hotlist_id = :hotlist_id AND id > :after"
            " AND id <= :last AND created_at = :now AND deleted_at IS NULL ORDER BY id LIMIT :n"
        ),
        {
            "hotlist_id": applied.hotlist_id, "after": max(after_id, applied.first_id - 1),
            "last": applied.last_id, "now": applied.created_at, "n": limit,
        },
    )  # fmt: skip
    return [int(row[0]) for row in rows]


def _timed(sql: str) -> TextClause:
    """A statement whose `:now` is stored as every UTC column is (SQLite keeps text)."""
    return text(sql).bindparams(bindparam("now", type_=UtcDateTime()))


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
