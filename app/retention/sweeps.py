"""One sweep a retention clock, each run in batches (app/retention/batches.py): alerts with
their dependants, finished pushes, reads (hit or not) with their source keys, hits, matches
and image files, images of non-hit reads, breadcrumbs, and the oldest audit rows. Each takes
the rows older than its cut-off that no active hold keeps."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlmodel import Session, col

from app import audit
from app.audit import chain as audit_chain
from app.intake import images as image_refs
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
from app.retention import holds
from app.retention.batches import Batches, after_time
from app.retention.report import Report


def alerts(batches: Batches, cutoff: datetime, report: Report) -> None:
    last_seen = func.coalesce(col(Alert.last_seen_at), col(Alert.created_at))
    is_bulletins = exists().where(col(Bulletin.alert_id) == col(Alert.id))

    def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
        query = select(col(Alert.id)).where(last_seen < cutoff, ~is_bulletins)
        if held.alert_ids:
            query = query.where(col(Alert.id).notin_(sorted(held.alert_ids)))
        if after is not None:
            query = query.where(col(Alert.id) > after)
        return session.execute(query.order_by(col(Alert.id)).limit(batches.batch_rows)).all()

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
            report.add(table, batches.remove(session, column, ids, report.dry_run))

    batches.run(pick, remove, cursor=lambda row: row.id)


def deliveries(batches: Batches, cutoff: datetime, report: Report) -> None:
    finished = [DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value]

    def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
        query = select(col(Delivery.id)).where(
            col(Delivery.created_at) < cutoff, col(Delivery.status).in_(finished)
        )
        if held.alert_ids:
            query = query.where(col(Delivery.alert_id).notin_(sorted(held.alert_ids)))
        if after is not None:
            query = query.where(col(Delivery.id) > after)
        return session.execute(query.order_by(col(Delivery.id)).limit(batches.batch_rows)).all()

    def remove(session: Session, rows: Sequence[Any]) -> None:
        ids = [r.id for r in rows]
        report.add("delivery", batches.remove(session, col(Delivery.id), ids, report.dry_run))

    batches.run(pick, remove, cursor=lambda row: row.id)


def reads(
    batches: Batches, cutoff: datetime, report: Report, *, hits: bool, table: Any = None
) -> None:
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
            after_time(query, after, read).order_by(read.read_at, read.id)
            .limit(batches.batch_rows)
        ).all()  # fmt: skip

    def remove(session: Session, rows: Sequence[Any]) -> None:
        ids = [r.id for r in rows]
        dry = report.dry_run
        report.add("read_source_key", batches.remove(session, col(ReadSourceKey.read_id), ids, dry))
        if hits:  # non-hit reads were picked for having none (one made since: an error)
            matches = batches.remove(session, col(BulletinMatch.read_id), ids, dry)
            report.add("bulletin_match", matches)
            report.add("hit", batches.remove(session, col(Hit.read_id), ids, dry))
        counted = "plate_read (hit)" if hits else "plate_read (no hit)"
        report.add(counted, batches.remove(session, read.id, ids, dry))
        stored = [r.image_url for r in rows if image_refs.is_stored(r.image_url)]
        report.add("image_file", len(stored))
        files.extend(stored)

    batches.run(
        pick, remove, cursor=lambda row: (row.read_at, row.id),
        after_commit=lambda: batches.delete_files(files, dry_run=report.dry_run),
    )  # fmt: skip


def images(batches: Batches, cutoff: datetime, report: Report) -> None:
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
            after_time(query, after).order_by(col(Read.read_at), col(Read.id))
            .limit(batches.batch_rows)
        ).all()  # fmt: skip

    def remove(session: Session, rows: Sequence[Any]) -> None:
        if not report.dry_run:
            session.execute(
                update(Read).where(col(Read.id).in_([r.id for r in rows])).values(image_url=None)
            )
        report.add("image_file", len(rows))
        files.extend(r.image_url for r in rows)

    batches.run(
        pick, remove, cursor=lambda row: (row.read_at, row.id),
        after_commit=lambda: batches.delete_files(files, dry_run=report.dry_run),
    )  # fmt: skip


def positions(batches: Batches, cutoff: datetime, report: Report) -> None:
    def pick(session: Session, held: holds.Held, after: Any) -> Sequence[Any]:
        query = select(col(OfficerLocation.id)).where(col(OfficerLocation.recorded_at) < cutoff)
        if after is not None:
            query = query.where(col(OfficerLocation.id) > after)
        return session.execute(
            query.order_by(col(OfficerLocation.id)).limit(batches.batch_rows)
        ).all()

    def remove(session: Session, rows: Sequence[Any]) -> None:
        ids = [r.id for r in rows]
        removed = batches.remove(session, col(OfficerLocation.id), ids, report.dry_run)
        report.add("officer_location", removed)

    batches.run(pick, remove, cursor=lambda row: row.id)


def audit_rows(batches: Batches, cutoff: datetime, report: Report, *, now: datetime) -> None:
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
        rows = session.execute(query.order_by(col(AuditLog.id)).limit(batches.batch_rows)).all()
        prefix = []
        for row in rows:
            if row.at >= cutoff:
                break
            prefix.append(row)
        return prefix

    def remove(session: Session, rows: Sequence[Any]) -> None:
        ids = [r.id for r in rows]
        report.add("audit_log", batches.remove(session, col(AuditLog.id), ids, report.dry_run))
        if not report.dry_run:
            before = audit_chain.pruning(session).rows
            audit.record(
                session, actor=None, action=audit_chain.PRUNED, now=now,
                object_type="audit_log", object_id=rows[-1].id,
                detail={"removed": len(ids), "removed_total": before + len(ids),
                        "through_id": rows[-1].id, "anchor": rows[-1].hash,
                        "policy": report.policy.name},
            )  # fmt: skip

    batches.run(pick, remove, cursor=lambda row: row.id)
