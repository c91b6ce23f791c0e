"""The per-process hot-list index, kept in step with the database through the change feed.

Every entry change appends a `hotlist_change` row in the same transaction, and every list
change (policy, priority, on/off) bumps `hotlist.updated_at`. Before matching a batch, the
ingest writer replays what it has not seen yet, so a change made by any process is live here
by the next batch, incrementally: one entry changed is one entry re-indexed, never a rebuild.
On PostgreSQL the change also sends a NOTIFY, which cuts the wait for other processes short.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, or_, select
from sqlmodel import Session, col

from app.models import HotList, HotListChange, HotListEntry
from lpr.errors import LprError
from lpr.index import PlateIndex
from lpr.matcher import Entry
from lpr.policy import MatchPolicy

log = logging.getLogger(__name__)

HOTLIST_CHANNEL = "lookout_hotlists"  # NOTIFY: a list or entry changed

# PostgreSQL hands out sequence numbers before commit: id 8 can become visible after id 9.
# An id skipped over is re-asked for until it shows up or this many seconds pass.
GAP_PATIENCE_S = 120.0


ENTRY_COLUMNS = (
    col(HotListEntry.id),
    col(HotListEntry.hotlist_id),
    col(HotListEntry.plate_key),
    col(HotListEntry.state),
    col(HotListEntry.expires_at),
)
LIST_POLL_MARGIN = timedelta(seconds=10)  # lists committed late still get seen
# The writer applies changes between batches of reads: a 50,000-row import is applied a slice
# per batch, so cameras are answered meanwhile instead of waiting for all of it.
CHANGES_PER_REFRESH = 2000


def entry_value(row: Any) -> Entry:
    """An index entry from a hotlist_entry row (or a row of ENTRY_COLUMNS); a key holding
    `?` or `*` is a partial plate."""
    return Entry(
        id=row.id,
        hotlist_id=row.hotlist_id,
        key=row.plate_key,
        state=row.state,
        expires_at=row.expires_at,
    )


def policy_of(hotlist: HotList) -> MatchPolicy:
    return MatchPolicy(
        confusable_max=hotlist.confusable_max,
        edit_max=hotlist.edit_max,
        broad_confusables=hotlist.broad_confusables,
        ignore_state=hotlist.ignore_state,
    )


class HotListIndex:
    """The matcher plus the position in the change feed it has applied.

    Asking the database for changes is a round trip, so it happens when this process changed a
    list (`invalidate`, called after that commit) or when `poll_interval_s` has passed: a change
    made by another process is live here within that interval.
    """

    def __init__(self, *, poll_interval_s: float = 1.0) -> None:
        self.matcher = PlateIndex()
        self._lists: dict[int, tuple[bool, MatchPolicy]] = {}  # id -> (active, policy)
        self._lists_seen_at: datetime | None = None
        self._applied_id = 0
        self._gaps: dict[int, datetime] = {}
        self._loaded = False
        self._poll_interval_s = poll_interval_s
        self._dirty = True
        self._next_poll = 0.0
        self._wake: Callable[[], None] | None = None
        self._applied = threading.Condition()

    def invalidate(self) -> None:
        self._dirty = True
        if self._wake is not None:
            self._wake()

    def wake_on_change(self, wake: Callable[[], None]) -> None:
        """Have `wake` called when a change is announced: the ingest writer then applies it,
        a slice at a time between batches of reads, even while no camera posts."""
        self._wake = wake

    @property
    def behind(self) -> bool:
        """Whether changes are known to be waiting (announced, or a full slice was applied)."""
        return not self._loaded or self._dirty

    def wait_applied(self, change_id: int, *, timeout_s: float) -> bool:
        """Wait until the change feed is applied up to `change_id`; whether it was in time."""
        with self._applied:
            return self._applied.wait_for(lambda: self._applied_id >= change_id, timeout_s)

    def is_due(self) -> bool:
        """Whether the next `refresh` would ask the database anything."""
        return not self._loaded or self._dirty or time.monotonic() >= self._next_poll

    def refresh(self, session: Session, now: datetime, *, force: bool = False) -> int:
        """Bring the matcher up to date if due; returns the number of changes applied."""
        if not self._loaded:
            self._load(session)
            return len(self.matcher)
        if not (force or self.is_due()):
            return 0
        # Cleared before the query: an invalidate() that lands during it triggers another.
        self._dirty = False
        self._next_poll = time.monotonic() + self._poll_interval_s
        self._refresh_lists(session, now)
        condition = col(HotListChange.id) > self._applied_id
        if self._gaps:
            condition = or_(condition, col(HotListChange.id).in_(list(self._gaps)))
        query = select(HotListChange).where(condition).order_by("id").limit(CHANGES_PER_REFRESH)
        changes = list(session.scalars(query))
        if len(changes) == CHANGES_PER_REFRESH:
            self._dirty = True  # more are waiting: the next batch applies the next slice
        rows = self._live_entries(session, {change.entry_id for change in changes})
        for change in changes:
            assert change.id is not None
            self._gaps.pop(change.id, None)
            row = rows.get(change.entry_id)
            if row is None:
                self.matcher.remove(change.entry_id)
            else:
                try:
                    self.matcher.upsert(entry_value(row))
                except LprError:
                    log.warning("hotlists.entry_skipped", extra={"entry_id": row.id})
            for missing in range(self._applied_id + 1, change.id):
                self._gaps.setdefault(missing, now)
            self._applied_id = max(self._applied_id, change.id)
        self._expire_gaps(now)
        with self._applied:
            self._applied.notify_all()
        return len(changes)

    def _load(self, session: Session) -> None:
        last = session.scalar(
            select(col(HotListChange.id)).order_by(col(HotListChange.id).desc()).limit(1)
        )
        matcher = PlateIndex()
        lists = session.scalars(select(HotList)).all()
        for hotlist in lists:
            assert hotlist.id is not None
            self._lists[hotlist.id] = (hotlist.is_active, policy_of(hotlist))
            matcher.set_policy(hotlist.id, policy_of(hotlist))
        self._lists_seen_at = max((h.updated_at for h in lists if h.updated_at), default=None)
        query = (
            select(*ENTRY_COLUMNS)
            .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
            .where(col(HotListEntry.deleted_at).is_(None), col(HotList.is_active))
        )
        for row in session.execute(query).yield_per(20_000):
            try:
                matcher.upsert(entry_value(row))
            except LprError:
                log.warning("hotlists.entry_skipped", extra={"entry_id": row.id})
        self.matcher = matcher
        self._applied_id = last or 0
        self._loaded = True
        with self._applied:
            self._applied.notify_all()
        log.info("hotlists.loaded", extra={"entries": len(matcher), "change_id": self._applied_id})

    def _refresh_lists(self, session: Session, now: datetime) -> None:
        """Apply list-level changes: a new policy, a list switched off or on."""
        query = select(HotList)
        if self._lists_seen_at is not None:
            query = query.where(col(HotList.updated_at) >= self._lists_seen_at - LIST_POLL_MARGIN)
        else:
            query = query.where(col(HotList.updated_at).is_not(None))
        for hotlist in session.scalars(query):
            assert hotlist.id is not None
            state = (hotlist.is_active, policy_of(hotlist))
            if hotlist.updated_at and (
                self._lists_seen_at is None or hotlist.updated_at > self._lists_seen_at
            ):
                self._lists_seen_at = hotlist.updated_at
            if self._lists.get(hotlist.id) == state:
                continue
            was_active = self._lists.get(hotlist.id, (True, None))[0]
            self._lists[hotlist.id] = state
            try:
                self.matcher.set_policy(hotlist.id, state[1])
            except LprError as error:
                log.error(
                    "hotlists.policy_refused",
                    extra={"hotlist_id": hotlist.id, "detail": str(error)},
                )
            if was_active != hotlist.is_active:
                self._reload_list(session, hotlist.id, active=hotlist.is_active)

    def _reload_list(self, session: Session, hotlist_id: int, *, active: bool) -> None:
        rows = session.execute(
            select(*ENTRY_COLUMNS).where(
                col(HotListEntry.hotlist_id) == hotlist_id,
                col(HotListEntry.deleted_at).is_(None),
            )
        )
        for row in rows:
            if active:
                self.matcher.upsert(entry_value(row))
            else:
                self.matcher.remove(row.id)

    def _live_entries(self, session: Session, ids: set[int]) -> dict[int, Any]:
        if not ids:
            return {}
        query = (
            select(*ENTRY_COLUMNS)
            .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
            .where(
                col(HotListEntry.id).in_(ids),
                col(HotListEntry.deleted_at).is_(None),
                col(HotList.is_active),
            )
        )
        return {row.id: row for row in session.execute(query)}

    def _expire_gaps(self, now: datetime) -> None:
        for change_id, seen_at in list(self._gaps.items()):
            if (now - seen_at).total_seconds() > GAP_PATIENCE_S:
                del self._gaps[change_id]


def invalidate_after_commit(session: Session, index: HotListIndex) -> None:
    """Have this process's index look for changes once `session` has committed them."""
    event.listen(session, "after_commit", lambda _session: index.invalidate(), once=True)


def record_change(session: Session, *, entry_id: int, op: str, now: datetime) -> None:
    session.add(HotListChange(entry_id=entry_id, op=op, at=now))
