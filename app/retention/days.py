"""Non-hit reads, a whole day at a time where plate_read is partitioned by day (PostgreSQL,
app/partitions.py).

Once a day's partition lies wholly before the non-hit cut-off, one short transaction DETACHes
it (a lock wait over DETACH_LOCK_TIMEOUT leaves the day for the next run, so ingest never
queues long behind it), moves the reads that must outlive it (a hit or a bulletin match, or
kept by an evidence hold) to the default partition, counts its rows and DROPs it. A non-hit
read is therefore kept up to a day past its period there (a period set a day shorter stays
within a statute to the hour); the row-by-row sweep takes what the default partition holds
(strays of a wrong clock, reads from before the partitions, released holds) at the exact
cut-off. Source keys and image files of a dropped day go in batches before the drop. Without
partitions (SQLite, or before migration 0016) non-hit reads go row by row.

Breadcrumbs (officer_location, partitioned by revision 0017) go the same way by the positions
clock, with nothing to keep (no hold or alert cites a past position): every day wholly before
the cut-off is detached and dropped, then the row-by-row sweep takes the rest to the exact
cut-off, which is at most a day of fixes.
"""

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, exists, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from app.db import transaction
from app.intake import images as image_refs
from app.models import BulletinMatch, Hit, ReadSourceKey
from app.officers.breadcrumbs import BREADCRUMBS
from app.partitions import Day
from app.reads.partitions import READS
from app.retention import holds, sweeps
from app.retention.batches import Batches, among
from app.retention.report import Report

log = logging.getLogger(__name__)

# How long a DETACH waits for plate_read's lock, queueing ingest behind it meanwhile; when a
# long query holds the table past that, the day is left for the next run.
DETACH_LOCK_TIMEOUT = "1s"


def nonhit_reads(batches: Batches, cutoff: datetime, report: Report) -> None:
    engine = batches.engine
    with engine.connect() as connection:
        partitioned = READS.is_partitioned(connection)
    if not partitioned:
        sweeps.reads(batches, cutoff, report, hits=False)
        return
    with engine.connect() as connection:
        expired = [d for d in READS.days(connection) if d.end <= cutoff]
        left = READS.detached(connection)
    if not report.dry_run:
        for name in left:  # a run stopped between a day's detach and its drop
            _drop_detached(batches, name, report)
    for day in expired:
        _drop_day(batches, day, report)
    sweeps.reads(batches, cutoff, report, hits=False, table=READS.table(READS.default))


def positions(batches: Batches, cutoff: datetime, report: Report) -> None:
    with batches.engine.connect() as connection:
        if BREADCRUMBS.is_partitioned(connection):
            expired = [d for d in BREADCRUMBS.days(connection) if d.end <= cutoff]
            left = BREADCRUMBS.detached(connection)
        else:
            expired, left = [], []
    if not report.dry_run:
        for name in left:
            _drop_detached(batches, name, report, counted_as="officer_location")
    for day in expired:
        _drop_breadcrumb_day(batches, day, report)
    sweeps.positions(batches, cutoff, report)


def _drop_breadcrumb_day(batches: Batches, day: Day, report: Report) -> None:
    if report.dry_run:
        with batches.engine.connect() as connection:
            count = connection.execute(text(f"SELECT count(*) FROM {day.name}")).scalar()
        report.add("officer_location", int(count or 0))
        if count:
            report.partitions.append(day.name)
        return
    aside = BREADCRUMBS.detached_name(day.name)
    try:
        locked = time.perf_counter()
        with transaction(batches.engine) as session:
            _detach(session, BREADCRUMBS.parent, day.name)
            session.execute(text(f"ALTER TABLE {day.name} RENAME TO {aside}"))
    except OperationalError as error:
        if not _left_busy(error, day.name):
            raise
        return
    report.detached_s += time.perf_counter() - locked
    if _drop_detached(batches, aside, report, counted_as="officer_location"):
        report.partitions.append(day.name)  # an empty day (made ahead, never used) is no news


def _drop_day(batches: Batches, day: Day, report: Report) -> None:
    """A day partition wholly before the non-hit cut-off: the source keys and image files
    of its reads that go, then one short transaction that DETACHes it, moves the reads that
    must outlive it to the default partition and sets the day aside under another name;
    then, with plate_read no longer locked, the day's rows are counted and it is DROPped.
    Everything in the locked transaction is found by index (the day's id range, hits,
    matches, holds); the count, the one full pass over the day, comes after it."""
    part = READS.table(day.name)
    read = part.c
    dry = report.dry_run
    with batches.engine.connect() as connection:
        lo, hi = connection.execute(select(func.min(read.id), func.max(read.id))).one()
        stored = connection.execute(
            select(read.id, read.image_url).where(read.image_url.startswith(image_refs.PREFIX))
        ).all()
    if lo is not None:
        _day_source_keys(batches, read, lo, hi, report)
    kept: list[int] = []
    aside = READS.detached_name(day.name)
    try:
        locked = time.perf_counter()
        with transaction(batches.engine) as session:
            if not dry:
                _detach(session, READS.parent, day.name)
            if lo is not None:
                kept = _kept_of_day(session, read, lo, hi)
            if dry:
                total = int(session.scalar(select(func.count()).select_from(part)) or 0)
                report.add("plate_read (no hit)", total - len(kept))
            else:
                if kept:
                    ids = bindparam("ids", kept, type_=postgresql.ARRAY(BigInteger))
                    columns = ", ".join(c.name for c in part.columns)
                    session.execute(
                        text(
                            f"INSERT INTO {READS.parent} ({columns}) SELECT {columns}"
                            f" FROM {day.name} WHERE id = ANY(:ids)"
                        ).bindparams(ids)
                    )
                    session.execute(
                        text(f"DELETE FROM {day.name} WHERE id = ANY(:ids)").bindparams(ids)
                    )
                session.execute(text(f"ALTER TABLE {day.name} RENAME TO {aside}"))
    except OperationalError as error:
        if not _left_busy(error, day.name):
            raise
        return
    report.detached_s += time.perf_counter() - locked
    report.partitions.append(day.name)
    report.kept_from_partitions += len(kept)
    if not dry:
        _drop_detached(batches, aside, report)
    keep = set(kept)
    files = [r.image_url for r in stored if r.id not in keep]
    report.add("image_file", len(files))
    batches.delete_files(files, dry_run=dry)


def _detach(session: Session, parent: str, name: str) -> None:
    """DETACH a day, waiting for the parent's lock no longer than DETACH_LOCK_TIMEOUT."""
    session.execute(text(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'"))
    session.execute(text(f"ALTER TABLE {parent} DETACH PARTITION {name}"))


def _left_busy(error: OperationalError, name: str) -> bool:
    """Whether `error` is the DETACH's lock wait running out: the day is left for the next
    run (logged); any other error is not."""
    if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
        return False
    log.warning("retention.partition_busy", extra={"partition": name})
    return True


def _drop_detached(
    batches: Batches, name: str, report: Report, *, counted_as: str = "plate_read (no hit)"
) -> int:
    """Count and drop a day set aside (by this run, or by one that stopped half-way); the
    rows it held."""
    with transaction(batches.engine) as session:
        removed = int(session.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
        session.execute(text(f"DROP TABLE {name}"))
    report.add(counted_as, removed)
    return removed


def _day_source_keys(batches: Batches, read: Any, lo: int, hi: int, report: Report) -> None:
    """The vendor ids of a day's reads that go, in batches, before the day is dropped."""
    key = col(ReadSourceKey.read_id)
    kind = and_(
        ~exists().where(col(Hit.read_id) == read.id),
        ~exists().where(col(BulletinMatch.read_id) == read.id),
    )

    def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
        query: Any = (
            select(key.label("read_id"))
            .join(read.id.table, read.id == key)
            .where(key.between(lo, hi), kind, ~held.keeps_read(read))
        )
        if after is not None:
            query = query.where(key > after)
        return session.execute(query.order_by(key).limit(batches.batch_rows)).all()

    def remove(session: Session, rows: Sequence[Any]) -> None:
        ids = [r.read_id for r in rows]
        report.add("read_source_key", batches.remove(session, key, ids, report.dry_run))

    batches.run(pick, remove, cursor=lambda row: row.read_id)


def _kept_of_day(session: Session, read: Any, lo: int, hi: int) -> list[int]:
    """The ids of a day's reads that outlive it: with a hit or a bulletin match (the hit
    clock, or an alert, decides when they go), or kept by an active hold."""
    held = holds.active(session)
    candidates: set[int] = set()
    for column in (col(Hit.read_id), col(BulletinMatch.read_id)):
        candidates.update(session.scalars(select(column).where(column.between(lo, hi))))
    kept = set(session.scalars(select(read.id).where(held.keeps_read(read))))
    if candidates:
        kept.update(
            session.scalars(select(read.id).where(among(read.id, sorted(candidates), "postgresql")))
        )
    return sorted(kept)
