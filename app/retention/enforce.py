"""Enforcement: remove what the policy says has been kept long enough, except what a hold keeps.

Every clock is swept in batches of at most `batch_rows` rows, each batch one short transaction
that reads the active holds, picks the next rows by an index range (keyset on time and id,
never OFFSET) and deletes them by id, dependants first (app/retention/batches.py). Ingest is
never blocked: the rows removed are old, nothing new waits on them, and on SQLite each batch
holds the write lock for milliseconds. Image files go after their batch has committed (a
crash in between leaves a file nobody points at, never a read whose image is gone).

Sweep order (app/retention/sweeps.py): alerts (and their recipients, responses,
confirmations, escalation steps and pushes), finished pushes, hit reads no remaining alert
cites, non-hit reads (a whole day partition at a time on PostgreSQL: app/retention/days.py),
images of non-hit reads, breadcrumbs, then the oldest audit rows. A run that removed anything
is written to the audit log (`retention.run`: policy, clocks, cut-offs, rows per table); a
dry run counts the same rows, removes nothing, and is audited as `retention.dry_run`
(app/retention/report.py holds what it counts). Audit rows are removed only from the start of
the chain, and each batch records its anchor (`audit.pruned`), so the chain still verifies
(app/audit).

On PostgreSQL a run holds an advisory lock: with several workers, one enforces at a time.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app import audit
from app.db import transaction
from app.intake.images import ImageStore
from app.retention import days, sweeps
from app.retention.batches import Batches
from app.retention.policy import Policy, describe
from app.retention.report import Report

log = logging.getLogger(__name__)

_RUN_LOCK = 7_201_015  # any fixed number: the advisory lock one enforcing process holds


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

    def run(self, now: datetime, *, dry_run: bool = False, by: str = "worker") -> Report:
        report = Report(self.policy, dry_run)
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
        batches = Batches(
            self.engine, images=self.images, batch_rows=self.batch_rows, pause=self.pause
        )
        steps: list[tuple[str, timedelta | None, Callable[[datetime], None]]] = [
            ("alerts", policy.alerts, lambda at: sweeps.alerts(batches, at, report)),
            ("deliveries", policy.deliveries, lambda at: sweeps.deliveries(batches, at, report)),
            ("hit_reads", policy.hit_reads,
             lambda at: sweeps.reads(batches, at, report, hits=True)),
            ("nonhit_reads", policy.nonhit_reads,
             lambda at: days.nonhit_reads(batches, at, report)),
            ("images", policy.images, lambda at: sweeps.images(batches, at, report)),
            ("positions", policy.positions, lambda at: days.positions(batches, at, report)),
            ("audit", policy.audit, lambda at: sweeps.audit_rows(batches, at, report, now=now)),
        ]  # fmt: skip
        # Every cut-off is known before the first sweep: the images sweep reads the reads' one.
        due = [(clock, now - period, step) for clock, period, step in steps if period is not None]
        report.cutoffs.update({clock: at for clock, at, _ in due})
        for _, at, step in due:
            step(at)

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
