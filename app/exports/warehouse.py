"""The warehouse export: reads, hits, alerts, deliveries, officers' responses and outcomes for
a half-open time range, one Parquet file per table, in a stable schema (`SCHEMA_VERSION`;
the README's "Warehouse export" table lists every column). Rows are read in batches by id
(keyset) in short transactions and written one row group per batch, so a month of reads
streams in constant memory. Covert lists' hits and alerts never leave (DOMAIN.md 3.6).
"""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import transaction
from app.intake import images
from app.models import Alert, AlertResponse, Delivery, Hit, HotList, Read

SCHEMA_VERSION = "1"
CHUNK_ROWS = 50_000
COVERT = "covert"  # the hot-list kind

_ID = pa.int64()
_AT = pa.timestamp("us", tz="UTC")
_TEXT = pa.string()
_REAL = pa.float64()
_SMALL = pa.int32()
_FLAG = pa.bool_()


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    key: Any  # the id column paged on
    at: Any  # the time column the range applies to
    columns: tuple[tuple[str, pa.DataType, Any], ...]  # name, Parquet type, SQL expression
    where: Callable[[], ColumnElement[bool]] | None = None  # what else a row must be

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(name, kind) for name, kind, _ in self.columns],
            metadata={"lookout.table": self.name, "lookout.schema_version": SCHEMA_VERSION},
        )

    def select(self, since: datetime, until: datetime) -> Select[Any]:
        query = select(*[expr.label(name) for name, _, expr in self.columns]).where(
            self.at >= since, self.at < until
        )
        return query.where(self.where()) if self.where is not None else query


def _open_alert() -> ColumnElement[bool]:
    return ~col(Alert.is_covert)


def _hit_not_covert() -> ColumnElement[bool]:
    return ~exists().where(col(HotList.id) == col(Hit.hotlist_id), col(HotList.kind) == COVERT)


def _of_open_alert(alert_id: Any) -> Callable[[], ColumnElement[bool]]:
    return lambda: exists().where(col(Alert.id) == alert_id, ~col(Alert.is_covert))


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table("reads", col(Read.id), col(Read.read_at), (
            ("id", _ID, col(Read.id)), ("camera_id", _ID, col(Read.camera_id)),
            ("plate", _TEXT, col(Read.plate)), ("plate_key", _TEXT, col(Read.plate_key)),
            ("state", _TEXT, col(Read.state)), ("read_at", _AT, col(Read.read_at)),
            ("received_at", _AT, col(Read.received_at)), ("lat", _REAL, col(Read.lat)),
            ("lon", _REAL, col(Read.lon)), ("heading_deg", _REAL, col(Read.heading_deg)),
            ("confidence", _REAL, col(Read.confidence)),
            ("vehicle_make", _TEXT, col(Read.vehicle_make)),
            ("vehicle_model", _TEXT, col(Read.vehicle_model)),
            ("vehicle_color", _TEXT, col(Read.vehicle_color)),
            ("vehicle_type", _TEXT, col(Read.vehicle_type)),
            ("vehicle_year", _SMALL, col(Read.vehicle_year)), ("beat", _TEXT, col(Read.beat)),
            ("has_image", _FLAG, col(Read.image_url).startswith(images.PREFIX)),
        )),
        Table("hits", col(Hit.id), col(Hit.created_at), (
            ("id", _ID, col(Hit.id)), ("read_id", _ID, col(Hit.read_id)),
            ("entry_id", _ID, col(Hit.entry_id)), ("hotlist_id", _ID, col(Hit.hotlist_id)),
            ("quality", _TEXT, col(Hit.quality)), ("read_plate", _TEXT, col(Hit.read_plate)),
            ("listed_plate", _TEXT, col(Hit.listed_plate)),
            ("historical", _FLAG, col(Hit.historical)), ("created_at", _AT, col(Hit.created_at)),
        ), _hit_not_covert),
        Table("alerts", col(Alert.id), col(Alert.created_at), (
            ("id", _ID, col(Alert.id)), ("hit_id", _ID, col(Alert.hit_id)),
            ("kind", _TEXT, col(Alert.kind)), ("hotlist_id", _ID, col(Alert.hotlist_id)),
            ("priority", _SMALL, col(Alert.priority)), ("plate", _TEXT, col(Alert.plate)),
            ("state", _TEXT, col(Alert.state)), ("beat", _TEXT, col(Alert.beat)),
            ("lat", _REAL, col(Alert.lat)), ("lon", _REAL, col(Alert.lon)),
            ("read_at", _AT, col(Alert.read_at)), ("created_at", _AT, col(Alert.created_at)),
            ("last_seen_at", _AT, col(Alert.last_seen_at)),
            ("sightings", _SMALL, col(Alert.sightings)), ("status", _TEXT, col(Alert.status)),
            ("confirmation", _TEXT, col(Alert.confirmation)),
            ("escalation_level", _SMALL, col(Alert.escalation_level)),
            ("acknowledged_at", _AT, col(Alert.acknowledged_at)),
        ), _open_alert),
        Table("deliveries", col(Delivery.id), col(Delivery.created_at), (
            ("id", _ID, col(Delivery.id)), ("alert_id", _ID, col(Delivery.alert_id)),
            ("recipient_id", _ID, col(Delivery.recipient_id)),
            ("device_id", _ID, col(Delivery.device_id)),
            ("priority", _SMALL, col(Delivery.priority)), ("status", _TEXT, col(Delivery.status)),
            ("attempts", _SMALL, col(Delivery.attempts)),
            ("created_at", _AT, col(Delivery.created_at)), ("sent_at", _AT, col(Delivery.sent_at)),
        ), _of_open_alert(col(Delivery.alert_id))),
        Table("responses", col(AlertResponse.id), col(AlertResponse.at), (
            ("id", _ID, col(AlertResponse.id)), ("alert_id", _ID, col(AlertResponse.alert_id)),
            ("user_id", _ID, col(AlertResponse.user_id)),
            ("status", _TEXT, col(AlertResponse.status)),
            ("eta_s", _REAL, col(AlertResponse.eta_s)),
            ("eta_source", _TEXT, col(AlertResponse.eta_source)),
            ("at", _AT, col(AlertResponse.at)),
        ), _of_open_alert(col(AlertResponse.alert_id))),
        Table("outcomes", col(Alert.id), col(Alert.closed_at), (
            ("alert_id", _ID, col(Alert.id)), ("disposition", _TEXT, col(Alert.disposition)),
            ("result", _TEXT, col(Alert.result)), ("closed_at", _AT, col(Alert.closed_at)),
            ("closed_by", _ID, col(Alert.closed_by)),
        ), lambda: and_(col(Alert.disposition).is_not(None), ~col(Alert.is_covert))),
    )
}  # fmt: skip


def count(session: Session, table: Table, *, since: datetime, until: datetime) -> int:
    query = table.select(since, until).subquery()
    return int(session.scalar(select(func.count()).select_from(query)) or 0)


def batches(
    engine: Engine, table: Table, *, since: datetime, until: datetime, chunk_rows: int
) -> Iterator[pa.Table]:
    """The rows in id order, `chunk_rows` at a time, each batch its own short transaction."""
    after: int | None = None
    while True:
        query = table.select(since, until)
        if after is not None:
            query = query.where(table.key > after)
        with transaction(engine) as session:
            rows = session.execute(query.order_by(table.key).limit(chunk_rows)).all()
        if not rows:
            return
        columns = {name: [row._mapping[name] for row in rows] for name, _, _ in table.columns}
        yield pa.table(columns, schema=table.schema)
        if len(rows) < chunk_rows:
            return
        after = rows[-1]._mapping[table.columns[0][0]]


class _Sink(io.RawIOBase):
    """Where the Parquet writer puts bytes, drained after each row group (streaming)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def stream(
    engine: Engine, table: Table, *, since: datetime, until: datetime,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[bytes]:  # fmt: skip
    """The Parquet file, a row group at a time (an empty table is a valid file too)."""
    sink = _Sink()
    writer = pq.ParquetWriter(sink, table.schema, compression="zstd")
    try:
        for batch in batches(engine, table, since=since, until=until, chunk_rows=chunk_rows):
            writer.write_table(batch)
            yield sink.drain()
    finally:
        writer.close()
    yield sink.drain()


def write(engine: Engine, table: Table, path: Path, *, since: datetime, until: datetime) -> int:
    """Write one table's file to `path`; how many rows it holds."""
    rows = 0
    with path.open("wb") as out:
        for chunk in stream(engine, table, since=since, until=until):
            out.write(chunk)
    rows = pq.ParquetFile(path).metadata.num_rows
    return int(rows)
