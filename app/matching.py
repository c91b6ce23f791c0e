"""The per-process hot-list index, kept in step with the database through the change feed.

Every entry change appends a `hotlist_change` row in the same transaction. Before matching a
batch, the ingest writer replays the rows it has not seen yet, so a change made by any process
is live here by the next batch, without a rebuild.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, or_, select
from sqlmodel import Session

from app.models import HotList, HotListChange, HotListEntry
from lpr.matcher import Entry, ExactMatcher, Matcher

log = logging.getLogger(__name__)

# PostgreSQL hands out sequence numbers before commit: id 8 can become visible after id 9.
# An id skipped over is re-asked for until it shows up or this many seconds pass.
GAP_PATIENCE_S = 120.0


def entry_value(row: HotListEntry) -> Entry:
    assert row.id is not None
    return Entry(
        id=row.id,
        hotlist_id=row.hotlist_id,
        key=row.plate_key,
        state=row.state,
        expires_at=row.expires_at,
    )


class HotListIndex:
    """The matcher plus the position in the change feed it has applied.

    Asking the database for changes is a round trip, so it happens when this process changed a
    list (`invalidate`, called after that commit) or when `poll_interval_s` has passed: a change
    made by another process is live here within that interval.
    """

    def __init__(
        self, matcher_factory: Callable[[], Matcher] = ExactMatcher, *, poll_interval_s: float = 1.0
    ) -> None:
        self._matcher_factory = matcher_factory
        self.matcher: Matcher = matcher_factory()
        self._applied_id = 0
        self._gaps: dict[int, datetime] = {}
        self._loaded = False
        self._poll_interval_s = poll_interval_s
        self._dirty = True
        self._next_poll = 0.0

    def invalidate(self) -> None:
        self._dirty = True

    def refresh(self, session: Session, now: datetime, *, force: bool = False) -> int:
        """Bring the matcher up to date if due; returns the number of changes applied."""
        if not self._loaded:
            self._load(session)
            return len(self.matcher)
        if not (force or self._dirty or time.monotonic() >= self._next_poll):
            return 0
        # Cleared before the query: an invalidate() that lands during it triggers another.
        self._dirty = False
        self._next_poll = time.monotonic() + self._poll_interval_s
        condition = HotListChange.id > self._applied_id  # type: ignore[operator]
        if self._gaps:
            condition = or_(condition, HotListChange.id.in_(list(self._gaps)))  # type: ignore[union-attr]
        changes = list(session.scalars(select(HotListChange).where(condition).order_by("id")))
        rows = self._live_entries(session, {change.entry_id for change in changes})
        for change in changes:
            assert change.id is not None
            self._gaps.pop(change.id, None)
            row = rows.get(change.entry_id)
            if row is None:
                self.matcher.remove(change.entry_id)
            else:
                self.matcher.upsert(entry_value(row))
            for missing in range(self._applied_id + 1, change.id):
                self._gaps.setdefault(missing, now)
            self._applied_id = max(self._applied_id, change.id)
        self._expire_gaps(now)
        return len(changes)

    def _load(self, session: Session) -> None:
        last = session.scalar(select(HotListChange.id).order_by(HotListChange.id.desc()).limit(1))  # type: ignore[union-attr]
        matcher = self._matcher_factory()
        query = (
            select(HotListEntry)
            .join(HotList, HotList.id == HotListEntry.hotlist_id)  # type: ignore[arg-type]
            .where(HotListEntry.deleted_at.is_(None), HotList.is_active)  # type: ignore[union-attr, arg-type]
        )
        for row in session.scalars(query).yield_per(10_000):
            matcher.upsert(entry_value(row))
        self.matcher = matcher
        self._applied_id = last or 0
        self._loaded = True
        log.info("hotlists.loaded", extra={"entries": len(matcher), "change_id": self._applied_id})

    def _live_entries(self, session: Session, ids: set[int]) -> dict[int, HotListEntry]:
        if not ids:
            return {}
        query = (
            select(HotListEntry)
            .join(HotList, HotList.id == HotListEntry.hotlist_id)  # type: ignore[arg-type]
            .where(
                HotListEntry.id.in_(ids),  # type: ignore[union-attr]
                HotListEntry.deleted_at.is_(None),  # type: ignore[union-attr]
                HotList.is_active,  # type: ignore[arg-type]
            )
        )
        return {row.id: row for row in session.scalars(query) if row.id is not None}

    def _expire_gaps(self, now: datetime) -> None:
        for change_id, seen_at in list(self._gaps.items()):
            if (now - seen_at).total_seconds() > GAP_PATIENCE_S:
                del self._gaps[change_id]


def invalidate_after_commit(session: Session, index: HotListIndex) -> None:
    """Have this process's index look for changes once `session` has committed them."""
    event.listen(session, "after_commit", lambda _session: index.invalidate(), once=True)


def record_change(session: Session, *, entry_id: int, op: str, now: datetime) -> None:
    session.add(HotListChange(entry_id=entry_id, op=op, at=now))
