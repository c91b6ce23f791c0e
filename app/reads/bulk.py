"""Inserting reads in bulk at driver speed: the one place Lookout leaves the ORM.

Ingest is the hot path, and a generic multi-row INSERT ... RETURNING costs more in SQL text
building and parsing (a new statement for every batch size) than the database spends storing
the rows. PostgreSQL gets the rows as arrays in one prepared INSERT ... SELECT FROM unnest, one
round trip; SQLite, where the writer holds the write lock, gets one executemany and contiguous
rowids.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import insert
from sqlmodel import Session, col

from app.models import Read

COLUMNS = (
    "camera_id", "plate", "plate_key", "plate_removed", "state", "read_at", "received_at", "lat",
    "lon", "heading_deg", "confidence", "candidates", "vehicle_make", "vehicle_model",
    "vehicle_color", "vehicle_type", "vehicle_year", "image_url", "details", "beat",
    "plate_fold",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"candidates", "details"})
_TIME_COLUMNS = frozenset({"read_at", "received_at"})
_PG_TYPES = {
    "camera_id": "bigint", "read_at": "timestamptz", "received_at": "timestamptz",
    "lat": "float8", "lon": "float8", "heading_deg": "float8", "confidence": "float8",
    "candidates": "jsonb", "details": "jsonb", "vehicle_year": "int",
}  # fmt: skip
_TIME_INDEXES = tuple(i for i, column in enumerate(COLUMNS) if column in _TIME_COLUMNS)
# Rows travel as a JSON array of arrays, unpacked positionally by the server.
_JSON_INSERT = (
    f"INSERT INTO plate_read ({', '.join(COLUMNS)}) SELECT "
    + ", ".join(
        f"(r->>{i})::{_PG_TYPES.get(c, 'text')}"
        if _PG_TYPES.get(c) != "jsonb"
        else f"(r->{i})::json"
        for i, c in enumerate(COLUMNS)
    )
    + " FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n RETURNING id"
)


def insert_reads(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` (dicts keyed by COLUMNS) in the session's transaction; their ids, in order."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _insert_postgresql(session, rows)
    if dialect == "sqlite":
        return _executemany_sqlite(session, rows)
    returning = insert(Read).returning(col(Read.id), sort_by_parameter_order=True)
    return list(session.scalars(returning, list(rows)))


def _insert_postgresql(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    connection = session.connection().connection.driver_connection
    assert connection is not None
    return insert_postgresql(connection, rows)


def insert_postgresql(
    connection: psycopg.Connection[Any], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert through a psycopg connection as one JSON document: one small parameter, one
    prepared statement, one round trip; the JSON is built by the C encoder."""
    payload = json.dumps([_pg_row(row) for row in rows], separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute(_JSON_INSERT, (payload,))
        # nextval runs row by row in input order, so the ids sorted are the rows' ids in order.
        return sorted(row[0] for row in cursor.fetchall())


def _pg_row(row: dict[str, Any]) -> list[Any]:
    values: list[Any] = [row.get(column) for column in COLUMNS]
    for i in _TIME_INDEXES:
        _require_aware(values[i])
        values[i] = values[i].isoformat()
    return values


def _executemany_sqlite(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    placeholders = ", ".join("?" for _ in COLUMNS)
    statement = f"INSERT INTO plate_read ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    params = [tuple(_sqlite_value(column, row.get(column)) for column in COLUMNS) for row in rows]
    connection = session.connection()
    connection.exec_driver_sql(statement, params)
    # The writer holds SQLite's write lock (BEGIN IMMEDIATE), so the rowids are contiguous.
    last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    return list(range(last - len(rows) + 1, last + 1))


def _sqlite_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in _JSON_COLUMNS:
        return json.dumps(value)
    if column in _TIME_COLUMNS:
        _require_aware(value)
        # The text form SQLAlchemy's SQLite DateTime reads back (naive UTC, microseconds).
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused; pass a UTC-aware one")
