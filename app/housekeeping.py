"""Periodic chores that keep tables within their retention, run by every `lookout serve`.

Each chore is one short transaction; running it in several processes at once is harmless.
"""

import logging
import threading
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col

from app.clock import Clock
from app.db import transaction
from app.logs import error_facts
from app.models import OfficerLocation

log = logging.getLogger(__name__)


def prune_breadcrumbs(engine: Engine, *, now: datetime, keep: timedelta) -> int:
    """Delete officer positions older than `keep`; returns how many went."""
    with transaction(engine) as session:
        # A DML statement's result is a CursorResult, which Session.execute does not say.
        result = cast(
            CursorResult[Any],
            session.execute(
                delete(OfficerLocation).where(col(OfficerLocation.recorded_at) < now - keep)
            ),
        )
        removed = int(result.rowcount or 0)
    if removed:
        log.info(
            "retention.breadcrumbs", extra={"deleted": removed, "keep_s": keep.total_seconds()}
        )
    return removed


class Housekeeper:
    def __init__(
        self, engine: Engine, *, clock: Clock, every_s: float, breadcrumbs_keep: timedelta
    ) -> None:
        self._engine, self._clock = engine, clock
        self._every_s, self._breadcrumbs_keep = every_s, breadcrumbs_keep
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)

    def start(self) -> "Housekeeper":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> None:
        prune_breadcrumbs(self._engine, now=self._clock(), keep=self._breadcrumbs_keep)

    def _loop(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self.run_once()
            except Exception as error:
                # A database hiccup must not end the chores for the life of the process.
                log.exception("housekeeping.failed", extra=error_facts(error))
