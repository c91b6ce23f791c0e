"""Periodic chores, run by the push worker (embedded in `lookout serve`, or `lookout worker`):
on PostgreSQL the day partitions of plate_read and officer_location for today and the days
ahead (app/partitions.py), at start and then with retention enforcement
(app/retention/enforce.py) and the sweep of hot-list import rows staged by an import whose
process died (app/hotlists/staging.py), every LOOKOUT_HOUSEKEEPING_EVERY_S.

Each chore works in short transactions; several processes may run it at once (on PostgreSQL
an advisory lock lets one process do each chore at a time, the others skip that round).
"""

import logging
import threading

from app.clock import Clock
from app.hotlists import staging
from app.logs import error_facts
from app.officers.breadcrumbs import BREADCRUMBS
from app.reads.partitions import READS
from app.retention.enforce import Enforcer

log = logging.getLogger(__name__)

BATCH_PAUSE_S = 0.01  # between retention batches: the ingest writer's turn at the database


class Housekeeper:
    def __init__(self, enforcer: Enforcer, *, clock: Clock, every_s: float) -> None:
        self._enforcer, self._clock, self._every_s = enforcer, clock, every_s
        self._stop = threading.Event()
        # A stop cuts a long run short between two batches.
        enforcer.pause = lambda: not self._stop.wait(BATCH_PAUSE_S)
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)

    def start(self) -> "Housekeeper":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> None:
        self.make_partitions()
        now = self._clock()
        self._enforcer.run(now)
        swept = staging.sweep_abandoned(self._enforcer.engine, now=now)
        if swept:
            log.info("hotlist_import.abandoned_rows_swept", extra={"rows": swept})

    def make_partitions(self) -> None:
        today = self._clock().date()
        created = [
            name
            for table in (READS, BREADCRUMBS)
            for name in table.ensure_ahead(self._enforcer.engine, today)
        ]
        if created:
            log.info("partitions.created", extra={"partitions": created})

    def _loop(self) -> None:
        chore = self.make_partitions  # at once: a worker started after midnight finds its day
        while True:
            try:
                chore()
            except Exception as error:
                # A database hiccup must not end the chores for the life of the process.
                log.exception("housekeeping.failed", extra=error_facts(error))
            chore = self.run_once
            if self._stop.wait(self._every_s):
                return
