"""Enforcement: remove what the policy says has been kept long enough, except what a hold keeps.

Every clock is swept in batches of at most `batch_rows` rows, each batch one short transaction
that reads the active holds, picks the next rows by an index range (keyset on time and id,
never OFFSET) and deletes them by id, dependants first. Ingest is never blocked: the rows
removed are old, nothing new waits on them, and on SQLite each batch holds the write lock for
milliseconds. Image files go after their batch has committed (a crash in between leaves a
file nobody points at, never a read whose image is gone).

Sweep order: alerts (and their recipients, responses, confirmations, escalation steps and
pushes), finished pushes, hit reads no remaining alert cites, non-hit reads, images of non-hit
reads, breadcrumbs, then the oldest audit rows. A run that removed anything is written to the
audit log (`retention.run`: policy, clocks, cut-offs, rows per table); a dry run counts the
same rows, removes nothing, and is audited as `retention.dry_run`. Audit rows are removed
only from the start of the chain, and each batch records its anchor (`audit.pruned`), so the
chain still verifies (app/audit.py).

On PostgreSQL, where plate_read is partitioned by day (app/reads/partitions.py), reads that
hit nothing go a whole day at a time: once a day's partition lies wholly before the non-hit
cut-off, one short transaction DETACHes it (a lock wait over DETACH_LOCK_TIMEOUT leaves the
day for the next run, so ingest never queues long behind it), moves the reads that must
outlive it (a hit or a bulletin match, or kept by an evidence hold) to the default partition,
counts its rows and DROPs it. A non-hit read is therefore kept up to a day past its period
there (a period set a day shorter stays within a statute to the hour); the row-by-row sweep
takes what the default partition holds (strays of a wrong clock, reads from before the
partitions, released holds) at the exact cut-off. Source keys and image files of a dropped
day go in batches before the drop.

On PostgreSQL a run holds an advisory lock: with several workers, one enforces at a time.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from app import audit
from app.audit import chain as audit_chain
from app.db import transaction
from app.intake import images as image_refs
from app.intake.images import ImageStore
from app.models import (
    Alert,
    AlertConfirmation,
    AlertEscalation,
    AlertNotice,
    AlertRecipient,
    AlertResponse,
    AuditLog,
    Bulletin,
    BulletinMatch,
    Delivery,
    DeliveryStatus,
    Hit,
    OfficerLocation,
    Read,
    ReadSourceKey,
)
from app.reads import partitions
from app.retention import holds
from app.retention.policy import Policy, describe

log = logging.getLogger(__name__)

_RUN_LOCK = 7_201_015  # any fixed number: the advisory lock one enforcing process holds
# How long a DETACH waits for plate_read's lock, queueing ingest behind it meanwhile; when a
# long query holds the table past that, the day is left for the next run.
DETACH_LOCK_TIMEOUT = "1s"

# What a report counts, in the order it is printed: tables, and image files.
TABLES = (
    "alert", "alert_notice", "alert_recipient", "alert_response", "alert_confirmation",
    "alert_escalation",
    "delivery", "hit", "bulletin_match", "read_source_key", "plate_read (hit)",
    "plate_read (no hit)", "image_file", "officer_location", "audit_log",
)  # fmt: skip


@dataclass(slots=True)
class Report:
    policy: Policy
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    skipped: str | None = None  # why nothing ran (another process holds the lock)
    partitions: list[str] = field(default_factory=list)  # day partitions dropped (or would be)
    kept_from_partitions: int = 0  # reads of those days kept, moved to the default partition
    detached_s: float = 0.0  # time plate_read was locked to detach days: ingest's only wait

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def add(self, table: str, count: int) -> None:
        self.removed[table] += count


class Enforcer:
    """Applies one policy. `pause` runs between batches (the worker's thread waits there a
    moment, and stops the run by returning False)."""

    def __init__(
        self,
        engine: Engine,
        *,
        policy: Policy,
        images: ImageStore,
        batch_rows: int = 2000,
        pause: Callable[[], bool] | None = None,
    ) -> None:
        self.engine, self.policy, self.images = engine, policy, images
        self.batch_rows, self.pause = batch_rows, pause
        self._now = datetime.min.replace(tzinfo=UTC)  # set by run()

    def run(self, now: datetime, *, dry_run: bool = False, by: str = "worker") -> Report:
        report = Report(self.policy, dry_run)
        self._now = now
        with self.engine.connect() as lock_connection:
            if not _try_lock(lock_connection):
                report.skipped = "another process is enforcing retention"
                return report
            try:
                self._sweep_all(report, now)
            finally:
                if report.total or report.partitions or dry_run:
                    self._audit(report, now, by=by)
                _unlock(lock_connection)
        log.info(
            "retention.dry_run" if dry_run else "retention.run",
            extra={"policy": self.policy.name, "removed": report.total,
                   **{k.replace(" ", "_"): v for k, v in report.removed.items() if v}},
        )  # fmt: skip
        return report

    def _sweep_all(self, report: Report, now: datetime) -> None:
        policy = self.policy

        def cutoff(clock: str, period: timedelta | None) -> datetime | None:
            if period is None:
                return None
            report.cutoffs[clock] = now - period
            return now - period

        sweeps: list[tuple[datetime | None, Callable[[datetime, Report], None]]] = [
            (cutoff("alerts", policy.alerts), self._alerts),
            (cutoff("deliveries", policy.deliveries), self._deliveries),
            (cutoff("hit_reads", policy.hit_reads), lambda c, r: self._reads(c, r, hits=True)),
            (cutoff("nonhit_reads", policy.nonhit_reads), self._nonhit_reads),
            (cutoff("images", policy.images), self._images),
            (cutoff("positions", policy.positions), self._positions),
            (cutoff("audit", policy.audit), self._audit_rows),
        ]  # fmt: skip
        for at, sweep in sweeps:
            if at is not None:
                sweep(at, report)

    # -- one clock each ---------------------------------------------------------------------

    def _alerts(self, cutoff: datetime, report: Report) -> None:
        last_seen = func.coalesce(col(Alert.last_seen_at), col(Alert.created_at))
        is_bulletins = exists().where(col(Bulletin.alert_id) == col(Alert.id))

        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            query = select(col(Alert.id)).where(last_seen < cutoff, ~is_bulletins)
            if held.alert_ids:
                query = query.where(col(Alert.id).notin_(sorted(held.alert_ids)))
            if after is not None:
                query = query.where(col(Alert.id) > after)
            return session.execute(query.order_by(col(Alert.id)).limit(self.batch_rows)).all()

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.id for r in rows]
            for table, column in (
                ("delivery", col(Delivery.alert_id)),
                ("alert_notice", col(AlertNotice.alert_id)),  # after its deliveries
                ("alert_recipient", col(AlertRecipient.alert_id)),
                ("alert_response", col(AlertResponse.alert_id)),
                ("alert_confirmation", col(AlertConfirmation.alert_id)),
                ("alert_escalation", col(AlertEscalation.alert_id)),
                ("alert", col(Alert.id)),
            ):
                report.add(table, self._remove(session, column, ids, report.dry_run))

        self._batches(pick, remove, cursor=lambda row: row.id, report=report)

    def _deliveries(self, cutoff: datetime, report: Report) -> None:
        finished = [DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value]

        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            query = select(col(Delivery.id)).where(
                col(Delivery.created_at) < cutoff, col(Delivery.status).in_(finished)
            )
            if held.alert_ids:
                query = query.where(col(Delivery.alert_id).notin_(sorted(held.alert_ids)))
            if after is not None:
                query = query.where(col(Delivery.id) > after)
            return session.execute(query.order_by(col(Delivery.id)).limit(self.batch_rows)).all()

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.id for r in rows]
            report.add("delivery", self._remove(session, col(Delivery.id), ids, report.dry_run))

        self._batches(pick, remove, cursor=lambda row: row.id, report=report)

    def _nonhit_reads(self, cutoff: datetime, report: Report) -> None:
        with self.engine.connect() as connection:
            partitioned = partitions.is_partitioned(connection)
        if not partitioned:
            self._reads(cutoff, report, hits=False)
            return
        with self.engine.connect() as connection:
            expired = [d for d in partitions.days(connection) if d.end <= cutoff]
            left = partitions.detached(connection)
        if not report.dry_run:
            for name in left:  # a run stopped between a day's detach and its drop
                self._drop_detached(name, report)
        for day in expired:
            self._drop_day(day, report)
        self._reads(cutoff, report, hits=False, table=partitions.table(partitions.DEFAULT))

    def _reads(self, cutoff: datetime, report: Report, *, hits: bool, table: Any = None) -> None:
        """Reads older than `cutoff`, of `table` (plate_read, or one of its partitions)."""
        read = Read.__table__.c if table is None else table.c  # type: ignore[attr-defined]
        has_hit = exists().where(col(Hit.read_id) == read.id)
        has_match = exists().where(col(BulletinMatch.read_id) == read.id)
        cited = exists(
            select(1)
            .select_from(Hit)
            .join(Alert, col(Alert.hit_id) == col(Hit.id))
            .where(col(Hit.read_id) == read.id)
        )
        kind: ColumnElement[bool] = (
            and_(or_(has_hit, has_match), ~cited) if hits else and_(~has_hit, ~has_match)
        )
        files: list[str] = []

        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            query = select(read.id, read.read_at, read.image_url).where(
                read.read_at < cutoff, kind, ~held.keeps_read(read)
            )
            return session.execute(
                _after_time(query, after, read).order_by(read.read_at, read.id)
                .limit(self.batch_rows)
            ).all()  # fmt: skip

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.id for r in rows]
            dry = report.dry_run
            report.add(
                "read_source_key", self._remove(session, col(ReadSourceKey.read_id), ids, dry)
            )
            if hits:  # non-hit reads were picked for having none (one made since: an error)
                matches = self._remove(session, col(BulletinMatch.read_id), ids, dry)
                report.add("bulletin_match", matches)
                report.add("hit", self._remove(session, col(Hit.read_id), ids, dry))
            counted = "plate_read (hit)" if hits else "plate_read (no hit)"
            report.add(counted, self._remove(session, read.id, ids, dry))
            stored = [r.image_url for r in rows if image_refs.is_stored(r.image_url)]
            report.add("image_file", len(stored))
            files.extend(stored)

        self._batches(
            pick, remove, cursor=lambda row: (row.read_at, row.id), report=report,
            after_commit=lambda: self._delete_files(files, dry_run=report.dry_run),
        )  # fmt: skip

    def _drop_day(self, day: partitions.Day, report: Report) -> None:
        """A day partition wholly before the non-hit cut-off: the source keys and image files
        of its reads that go, then one short transaction that DETACHes it, moves the reads that
        must outlive it to the default partition and sets the day aside under another name;
        then, with plate_read no longer locked, the day's rows are counted and it is DROPped.
        Everything in the locked transaction is found by index (the day's id range, hits,
        matches, holds); the count, the one full pass over the day, comes after it."""
        part = partitions.table(day.name)
        read = part.c
        dry = report.dry_run
        with self.engine.connect() as connection:
            lo, hi = connection.execute(select(func.min(read.id), func.max(read.id))).one()
            stored = connection.execute(
                select(read.id, read.image_url).where(read.image_url.startswith(image_refs.PREFIX))
            ).all()
        if lo is not None:
            self._day_source_keys(read, lo, hi, report)
        kept: list[int] = []
        aside = partitions.detached_name(day.name)
        try:
            locked = time.perf_counter()
            with transaction(self.engine) as session:
                if not dry:
                    session.execute(text(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'"))
                    session.execute(
                        text(f"ALTER TABLE {partitions.PARENT} DETACH PARTITION {day.name}")
                    )
                if lo is not None:
                    kept = self._kept_of_day(session, read, lo, hi)
                if dry:
                    total = int(session.scalar(select(func.count()).select_from(part)) or 0)
                    report.add("plate_read (no hit)", total - len(kept))
                else:
                    if kept:
                        ids = bindparam("ids", kept, type_=postgresql.ARRAY(BigInteger))
                        columns = ", ".join(c.name for c in part.columns)
                        session.execute(
                            text(
                                f"INSERT INTO {partitions.PARENT} ({columns}) SELECT {columns}"
                                f" FROM {day.name} WHERE id = ANY(:ids)"
                            ).bindparams(ids)
                        )
                        session.execute(
                            text(f"DELETE FROM {day.name} WHERE id = ANY(:ids)").bindparams(ids)
                        )
                    session.execute(text(f"ALTER TABLE {day.name} RENAME TO {aside}"))
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            log.warning("retention.partition_busy", extra={"partition": day.name})
            return
        report.detached_s += time.perf_counter() - locked
        report.partitions.append(day.name)
        report.kept_from_partitions += len(kept)
        if not dry:
            self._drop_detached(aside, report)
        keep = set(kept)
        files = [r.image_url for r in stored if r.id not in keep]
        report.add("image_file", len(files))
        self._delete_files(files, dry_run=dry)

    def _drop_detached(self, name: str, report: Report) -> None:
        """Count and drop a day set aside (by this run, or by one that stopped half-way)."""
        with transaction(self.engine) as session:
            removed = int(session.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
            session.execute(text(f"DROP TABLE {name}"))
        report.add("plate_read (no hit)", removed)

    def _day_source_keys(self, read: Any, lo: int, hi: int, report: Report) -> None:
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
            return session.execute(query.order_by(key).limit(self.batch_rows)).all()

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.read_id for r in rows]
            report.add("read_source_key", self._remove(session, key, ids, report.dry_run))

        self._batches(pick, remove, cursor=lambda row: row.read_id, report=report)

    @staticmethod
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
                session.scalars(
                    select(read.id).where(_among(read.id, sorted(candidates), "postgresql"))
                )
            )
        return sorted(kept)

    def _images(self, cutoff: datetime, report: Report) -> None:
        """Images of non-hit reads older than the images clock; the reads stay."""
        reads_cutoff = report.cutoffs.get("nonhit_reads")
        has_hit = exists().where(col(Hit.read_id) == col(Read.id))
        has_match = exists().where(col(BulletinMatch.read_id) == col(Read.id))
        files: list[str] = []

        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            query = select(col(Read.id), col(Read.read_at), col(Read.image_url)).where(
                col(Read.read_at) < cutoff,
                col(Read.image_url).startswith(image_refs.PREFIX),
                ~has_hit, ~has_match, ~held.keeps_read(Read),
            )  # fmt: skip
            if reads_cutoff is not None:  # older reads went whole, images included
                query = query.where(col(Read.read_at) >= reads_cutoff)
            return session.execute(
                _after_time(query, after).order_by(col(Read.read_at), col(Read.id))
                .limit(self.batch_rows)
            ).all()  # fmt: skip

        def remove(session: Session, rows: Sequence[Any]) -> None:
            if not report.dry_run:
                session.execute(
                    update(Read)
                    .where(col(Read.id).in_([r.id for r in rows]))
                    .values(image_url=None)
                )
            report.add("image_file", len(rows))
            files.extend(r.image_url for r in rows)

        self._batches(
            pick, remove, cursor=lambda row: (row.read_at, row.id), report=report,
            after_commit=lambda: self._delete_files(files, dry_run=report.dry_run),
        )  # fmt: skip

    def _positions(self, cutoff: datetime, report: Report) -> None:
        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            query = select(col(OfficerLocation.id)).where(col(OfficerLocation.recorded_at) < cutoff)
            if after is not None:
                query = query.where(col(OfficerLocation.id) > after)
            return session.execute(
                query.order_by(col(OfficerLocation.id)).limit(self.batch_rows)
            ).all()

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.id for r in rows]
            removed = self._remove(session, col(OfficerLocation.id), ids, report.dry_run)
            report.add("officer_location", removed)

        self._batches(pick, remove, cursor=lambda row: row.id, report=report)

    def _audit_rows(self, cutoff: datetime, report: Report) -> None:
        """The oldest audit rows, from the start of the chain only (a gap in the middle would
        break it); each batch records its anchor in the same transaction."""

        def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
            # The chain's head always stays: with it gone SQLite would hand its id out again,
            # and checkpoints name rows by id.
            head_id = session.scalar(select(func.max(col(AuditLog.id))))
            query = select(col(AuditLog.id), col(AuditLog.at), col(AuditLog.hash))
            query = query.where(col(AuditLog.id) < (head_id or 0))
            if after is not None:
                query = query.where(col(AuditLog.id) > after)
            rows = session.execute(query.order_by(col(AuditLog.id)).limit(self.batch_rows)).all()
            prefix = []
            for row in rows:
                if row.at >= cutoff:
                    break
                prefix.append(row)
            return prefix

        def remove(session: Session, rows: Sequence[Any]) -> None:
            ids = [r.id for r in rows]
            report.add("audit_log", self._remove(session, col(AuditLog.id), ids, report.dry_run))
            if not report.dry_run:
                before = audit_chain.pruning(session).rows
                audit.record(
                    session, actor=None, action=audit_chain.PRUNED, now=self._now,
                    object_type="audit_log", object_id=rows[-1].id,
                    detail={"removed": len(ids), "removed_total": before + len(ids),
                            "through_id": rows[-1].id, "anchor": rows[-1].hash,
                            "policy": self.policy.name},
                )  # fmt: skip

        self._batches(pick, remove, cursor=lambda row: row.id, report=report)

    # -- the machinery ----------------------------------------------------------------------

    def _batches(
        self,
        pick: Callable[[Session, holds.Held, Any], Sequence[Any]],
        remove: Callable[[Session, Sequence[Any]], None],
        *,
        cursor: Callable[[Any], Any],
        report: Report,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        after: Any = None
        while True:
            with transaction(self.engine) as session:
                rows = pick(session, holds.active(session), after)
                if rows:
                    remove(session, rows)
            if after_commit is not None:
                after_commit()
            if len(rows) < self.batch_rows:
                return
            after = cursor(rows[-1])
            if self.pause is not None and not self.pause():
                return

    @staticmethod
    def _remove(session: Session, column: Any, ids: list[int], dry_run: bool) -> int:
        if not ids:
            return 0
        among = _among(column, ids, session.get_bind().dialect.name)
        if dry_run:
            counted = select(func.count()).select_from(column.table).where(among)
            return int(session.scalar(counted) or 0)
        # A DML statement's result is a CursorResult, which Session.execute does not say.
        result = cast(CursorResult[Any], session.execute(delete(column.table).where(among)))
        return int(result.rowcount or 0)

    def _delete_files(self, refs: list[str], *, dry_run: bool) -> None:
        if not dry_run:
            for ref in refs:
                try:
                    self.images.delete(ref)
                except OSError as error:
                    log.warning("retention.image_left", extra={"error": type(error).__name__})
        refs.clear()

    def _audit(self, report: Report, now: datetime, *, by: str) -> None:
        with transaction(self.engine) as session:
            audit.record(
                session, actor=None,
                action="retention.dry_run" if report.dry_run else "retention.run", now=now,
                object_type="retention", object_id=self.policy.name,
                detail={"policy": self.policy.name, "law": self.policy.law, "by": by,
                        "periods_s": describe(self.policy),
                        "cutoffs": {k: v.isoformat() for k, v in report.cutoffs.items()},
                        "removed": {k: v for k, v in report.removed.items() if v},
                        "total": report.total,
                        **({"partitions_dropped": report.partitions,
                            "reads_kept_from_dropped": report.kept_from_partitions}
                           if report.partitions else {})},
            )  # fmt: skip


def _after_time(query: Any, after: tuple[datetime, int] | None, read: Any = None) -> Any:
    """Keyset paging on (read_at, id); the plain `read_at >=` lets the index start there."""
    if after is None:
        return query
    read = Read.__table__.c if read is None else read  # type: ignore[attr-defined]
    at, last_id = after
    return query.where(read.read_at >= at, or_(read.read_at > at, read.id > last_id))


def _among(column: Any, ids: list[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY`), not thousands of them,
    which would cost more to bind and plan than the delete itself."""
    if dialect == "postgresql":
        return cast(
            ColumnElement[bool],
            column == any_(bindparam("ids", ids, type_=postgresql.ARRAY(BigInteger))),
        )
    return cast(ColumnElement[bool], column.in_(ids))


def _try_lock(connection: Any) -> bool:
    if connection.dialect.name != "postgresql":
        return True
    acquired = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _RUN_LOCK})
    connection.commit()
    return bool(acquired.scalar())


def _unlock(connection: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _RUN_LOCK})
        connection.commit()


def counts_in_order(report: Report) -> Iterable[tuple[str, int]]:
    return ((table, report.removed[table]) for table in TABLES)
