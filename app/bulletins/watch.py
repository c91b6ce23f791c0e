"""The live watch: every stored read checked against every active bulletin, in the writer's
transaction, so a match's alert and pushes commit with the read (the outbox).

Per process, an in-memory index of the active bulletins: plate patterns in an
`lpr.patterns.PatternIndex` (a read costs a few dict probes per OCR candidate, whatever the
number of bulletins), and bulletins without a plate by make and the first characters of the
model (a camera's "Civic LX" is a "Civic"). Only the
few bulletins a read's plate or classification points at go through the full rules
(`app.bulletins.rules.fit`: time window, grown area, description). With no active bulletin a
batch costs one attribute test.

The index follows the database: `SELECT id, version FROM bulletin WHERE status = 'active'`
when this process changed a bulletin (`invalidate_after_commit`) or once a second, and rows
whose version moved are compiled again. So a bulletin posted through any process is watched
everywhere within a second.

Between a bulletin's retro search (in the request that posts or updates it) and the moment a
writer's index picks it up, reads may be committed that neither saw. When the index first sees
a version, it therefore looks once more at the reads this process committed since shortly
before that version was written (`CLOCK_SKEW`): kept in memory for that (`RecentReads`), and put
through the same per-read filter as live reads. Only when those rows are no longer all kept
(the process started after the change, or fell far behind) does it search plate_read for the
reads taken since `CATCH_UP` before the change. Matches are stored once whoever finds them.
"""

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, text
from sqlmodel import Session, col

from alerts import vehicles
from app.bulletins import trail as bulletin_trail
from app.bulletins.push import BulletinContext
from app.bulletins.recent import RecentReads
from app.bulletins.rules import Fit, Watched, compile_row, fit, may_fit
from app.models import Bulletin, BulletinStatus
from app.reads.rows import FUTURE_TOLERANCE
from app.reads.stored import StoredRead, ranked_keys
from geo.errors import GeoError
from lpr.candidates import Candidates
from lpr.errors import LprError
from lpr.patterns import PatternIndex

log = logging.getLogger(__name__)

CATCH_UP = timedelta(minutes=2)
# How far the clocks of the process that changed a bulletin and of this one may disagree.
CLOCK_SKEW = timedelta(seconds=5)


class BulletinWatch:
    """Active bulletins of this process. `match` and `refresh` run on the ingest writer's
    thread; `invalidate` may be called from any thread."""

    def __init__(self, context: BulletinContext, *, poll_interval_s: float = 1.0) -> None:
        self.context = context
        self._poll_interval_s = poll_interval_s
        self._watched: dict[int, Watched] = {}
        self._patterns = PatternIndex()
        self._by_vehicle: dict[tuple[str, str], set[int]] = {}  # (make, model[:2]) -> ids
        self._by_first: dict[tuple[str, str], set[int]] = {}  # (make, model[:1]) -> ids
        self._owed: dict[int, tuple[int, datetime]] = {}  # catch-ups: id -> version, updated_at
        self.recent = RecentReads()
        self._dirty = True
        self._next_poll = 0.0

    def __len__(self) -> int:
        return len(self._watched)

    def invalidate(self) -> None:
        self._dirty = True

    def is_due(self) -> bool:
        """Whether the next `refresh` would ask the database anything."""
        return self._dirty or time.monotonic() >= self._next_poll

    def has_pending(self) -> bool:
        """Whether a new bulletin version still owes its catch-up of recent reads."""
        return bool(self._owed)

    def refresh(self, session: Session, now: datetime, *, force: bool = False) -> int:
        """Follow the database if due; returns how many bulletins were compiled again."""
        if not (force or self._dirty or time.monotonic() >= self._next_poll):
            return 0
        # Cleared before the query: an invalidate() that lands during it triggers another.
        self._dirty = False
        self._next_poll = time.monotonic() + self._poll_interval_s
        self.recent.start(now)
        active = session.execute(
            select(col(Bulletin.id), col(Bulletin.version), col(Bulletin.expires_at)).where(
                col(Bulletin.status) == BulletinStatus.ACTIVE
            )
        ).all()
        live = {
            row.id: row.version for row in active if row.expires_at is None or row.expires_at > now
        }
        for bulletin_id in set(self._watched) - set(live):
            self._remove(bulletin_id)
        changed = [
            i
            for i, version in live.items()
            if getattr(self._watched.get(i), "version", 0) != version
        ]
        if changed:
            rows = session.scalars(select(Bulletin).where(col(Bulletin.id).in_(changed)))
            for row in rows:
                self._add(row, now)
        return len(changed)

    def match(
        self,
        session: Session,
        rows: Sequence[Mapping[str, Any]],
        read_ids: Sequence[int | None],
        now: datetime,
    ) -> int:
        """Check a batch of stored reads (`rows` as the writer stores them, `read_ids` in the
        same order, None for a row not stored) against the active bulletins; store, alert and
        push what fits. Returns the matches stored."""
        self.refresh(session, now)
        if not self._watched:
            return 0
        found = self._catch_up(session, now) if self._owed else []
        found += self.fits(rows, read_ids, now)
        if not found:
            return 0
        return bulletin_trail.record_live(session, found, ctx=self.context, now=now)

    def owed(self) -> frozenset[tuple[int, int]]:
        """The bulletin versions (id, version) whose catch-up has not run yet."""
        return frozenset((bulletin_id, version) for bulletin_id, (version, _) in self._owed.items())

    def catch_up(
        self, session: Session, now: datetime, *, only: frozenset[tuple[int, int]] | None = None
    ) -> int:
        """Look for the bulletin versions learned lately (or those of them in `only`) in the
        reads committed before this watch knew them; store, alert and push what fits. Writer
        thread; returns the matches stored."""
        found = self._catch_up(session, now, only) if self._owed else []
        if not found:
            return 0
        return bulletin_trail.record_live(session, found, ctx=self.context, now=now)

    def record(
        self, session: Session, found: Sequence[tuple[Watched, StoredRead, Fit]], now: datetime
    ) -> int:
        """Store, alert and push what `fits` found, once the reads are stored (their ids set).
        Touches none of the watch's state: the ingest writer's hits thread calls it."""
        return bulletin_trail.record_live(session, found, ctx=self.context, now=now)

    def stored(
        self, rows: Sequence[Mapping[str, Any]], read_ids: Sequence[int | None], now: datetime
    ) -> None:
        """Rows the ingest writer has just committed, for a later catch-up (any writer thread)."""
        self.recent.add(rows, read_ids, now)

    def fits(
        self,
        rows: Sequence[Mapping[str, Any]],
        read_ids: Sequence[int | None],
        now: datetime,
        *,
        only: int | None = None,
    ) -> list[tuple[Watched, StoredRead, Fit]]:
        """What fits which bulletin (or only bulletin `only`), without touching the database
        (the per-read cost)."""
        found: list[tuple[Watched, StoredRead, Fit]] = []
        rules = self.context.rules
        for row, read_id in zip(rows, read_ids, strict=True):
            if read_id is None:
                continue
            keys = row.get("keys")
            if keys is None:  # a row not built by app/reads/rows.py
                keys = ranked_keys(row["plate"], row.get("confidence"), row.get("candidates"))
            ids = self._candidates(keys, row)
            if only is not None:
                ids &= {only}
            if not ids:
                continue
            read = StoredRead.of(read_id, {**row, "keys": keys})
            for bulletin_id in sorted(ids):
                watched = self._watched[bulletin_id]
                if not watched.is_live(now):
                    continue
                matched = fit(watched, read, rules)
                if matched is not None:
                    found.append((watched, read, matched))
        return found

    def _candidates(self, keys: Candidates, row: Mapping[str, Any]) -> set[int]:
        """The bulletins whose pattern one of the read's OCR candidates fits, or whose make and
        model the camera's classification names."""
        ids: set[int] = set()
        if len(self._patterns):
            for key, _ in keys:
                ids.update(slot for slot, _ in self._patterns.matches(key))
        if self._by_vehicle and row.get("vehicle_make") and row.get("vehicle_model"):
            make = vehicles.make_key(row["vehicle_make"]) or ""
            model = vehicles.model_key(row["vehicle_model"]) or ""
            for prefix in {model[:1], model[:2]}:
                ids |= self._by_vehicle.get((make, prefix), set())
            if len(model) == 1:  # a one-letter model is a prefix of longer ones
                ids |= self._by_first.get((make, model), set())
        return ids

    def _add(self, row: Bulletin, now: datetime) -> None:
        assert row.id is not None
        self._remove(row.id)
        try:
            watched = compile_row(row, self.context.beats)
        except (GeoError, LprError) as error:
            # Beats re-imported without a restart, say: the bulletin stays, unwatched here.
            # The error class only: an lpr message may quote the plate pattern.
            log.warning(
                "bulletin.unwatchable",
                extra={"bulletin_id": row.id, "error": type(error).__name__},
            )
            return
        self._watched[row.id] = watched
        if watched.pattern is not None:
            self._patterns.add(row.id, watched.pattern)
        elif watched.watches_description:
            assert watched.make_key is not None and watched.model_key is not None
            make, model = watched.make_key, watched.model_key
            self._by_vehicle.setdefault((make, model[:2]), set()).add(row.id)
            self._by_first.setdefault((make, model[:1]), set()).add(row.id)
        if row.updated_at >= now - CATCH_UP:
            self._owed[row.id] = (row.version, row.updated_at)

    def _remove(self, bulletin_id: int) -> None:
        watched = self._watched.pop(bulletin_id, None)
        if watched is None:
            return
        self._patterns.remove(bulletin_id)
        for table in (self._by_vehicle, self._by_first):
            for ids in table.values():
                ids.discard(bulletin_id)
        self._owed.pop(bulletin_id, None)

    def _catch_up(
        self, session: Session, now: datetime, only: frozenset[tuple[int, int]] | None = None
    ) -> list[tuple[Watched, StoredRead, Fit]]:
        owed = {
            bulletin_id: owing
            for bulletin_id, owing in self._owed.items()
            if only is None or (bulletin_id, owing[0]) in only
        }
        found: list[tuple[Watched, StoredRead, Fit]] = []
        for bulletin_id, (version, updated_at) in owed.items():
            watched = self._watched.get(bulletin_id)
            if watched is None or watched.version != version:
                continue
            recent = self.recent.since(updated_at - CLOCK_SKEW)
            if recent is not None:
                kept = [(read_id, row) for read_id, row in recent if may_fit(watched, row)]
                ids, rows = [read_id for read_id, _ in kept], [row for _, row in kept]
                found += self.fits(rows, ids, now, only=bulletin_id)
                continue
            result = bulletin_trail.search(
                session,
                watched,
                since=max(
                    updated_at - CATCH_UP, watched.occurred_at - self.context.rules.retro_margin
                ),
                until=now + FUTURE_TOLERANCE,
                ctx=self.context,
            )
            found += [(watched, read, matched) for read, matched in result.found]

        def settle(_session: Session) -> None:
            for bulletin_id, (version, _) in owed.items():
                if self._owed.get(bulletin_id, (None,))[0] == version:
                    del self._owed[bulletin_id]

        # Owed until that transaction commits: a rolled-back batch searches again next time.
        event.listen(session, "after_commit", settle, once=True)
        return found


BULLETIN_CHANNEL = "lookout_bulletins"


def invalidate_after_commit(session: Session, watch: BulletinWatch) -> None:
    """Have this process's watch look for changes once `session` has committed them, and on
    PostgreSQL every other process's too (NOTIFY, delivered at commit)."""
    event.listen(session, "after_commit", lambda _session: watch.invalidate(), once=True)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": BULLETIN_CHANNEL})
