"""Re-checking recent reads when entries are added (DOMAIN.md 3.5): historical hits.

The database narrows the window first: a plain entry can only hit reads whose folded key
(look-alike classes merged) equals its own, so `plate_read.plate_fold` finds exact and
look-alike misreads with an index; a partial plate becomes a LIKE on the read's key. The new
entries' own one-list index then decides each hit exactly as live matching would. Misreads
that add or drop a character (edit-distance policies) and hits only on a read's lower-ranked
OCR candidates are left to live matching.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import transaction
from app.delivery.recipients import AlertSettings
from app.hotlists.hits import by_entry, raise_alert
from app.hotlists.index import ENTRY_COLUMNS, entry_value, policy_of
from app.hotlists.staging import Applied, new_entry_ids
from app.models import Camera, HotList, HotListEntry, Read
from app.officers.tracker import OfficerTracker
from app.reads.stored import COLUMNS, StoredRead
from lpr import plates
from lpr.index import PlateIndex
from lpr.matcher import Hit

log = logging.getLogger(__name__)

CHUNK = 500  # keys per IN (...) query
MAX_READS = 20_000  # per check: a pattern that loose is a search, not a watch


def check(
    session: Session,
    *,
    hotlist: HotList,
    entry_ids: Sequence[int],
    window: timedelta,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
) -> int:
    """Raise historical hits of new entries against reads since `now - window`; their count."""
    if not entry_ids or not hotlist.is_active:
        return 0
    found: list[tuple[StoredRead, Hit, str]] = []
    ids = list(entry_ids)
    for start in range(0, len(ids), PAGE):
        found += _scan(session, hotlist, ids[start : start + PAGE], since=now - window, now=now)
    return _raise(session, hotlist, found, config=config, officers=officers, now=now)


def check_import(
    engine: Engine,
    *,
    hotlist: HotList,
    applied: Applied,
    window: timedelta,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
) -> int:
    """`check` for the entries a file import added, however many: a page of them at a time,
    each page searched in a short transaction of its own (on SQLite every transaction holds
    the write lock, and cameras' reads are waiting for it), the hits raised in one at the end."""
    if not applied.added or not hotlist.is_active:
        return 0
    found: list[tuple[StoredRead, Hit, str]] = []
    after = 0
    while len(found) < MAX_READS:
        with transaction(engine) as session:
            ids = new_entry_ids(session, applied, after_id=after, limit=PAGE)
            if not ids:
                break
            found += _scan(session, hotlist, ids, since=now - window, now=now)
        after = ids[-1]
    with transaction(engine) as session:
        return _raise(session, hotlist, found, config=config, officers=officers, now=now)


PAGE = 5000  # new entries searched at a time


def _scan(
    session: Session, hotlist: HotList, ids: Sequence[int], *, since: datetime, now: datetime
) -> list[tuple[StoredRead, Hit, str]]:
    """The reads since `since` that entries `ids` (at most PAGE) hit, with their camera."""
    assert hotlist.id is not None
    index = PlateIndex(policies={hotlist.id: policy_of(hotlist)})
    keys: list[str] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(*ENTRY_COLUMNS)
        for entry in session.execute(query.where(col(HotListEntry.id).in_(chunk))):
            index.upsert(entry_value(entry))
            keys.append(entry.plate_key)
    folds = sorted({plates.fold_key(key) for key in keys if not _is_pattern(key)})
    patterns = sorted({key for key in keys if _is_pattern(key)})
    conditions = [
        col(Read.plate_fold).in_(folds[i : i + CHUNK]) for i in range(0, len(folds), CHUNK)
    ]
    conditions += [col(Read.plate_key).like(_like(p)) for p in patterns]
    found: list[tuple[StoredRead, Hit, str]] = []
    for start in range(0, len(conditions), 20):
        query = (
            select(*COLUMNS, col(Camera.name).label("camera_name"))
            .join(Camera, col(Camera.id) == Read.camera_id)
            .where(col(Read.read_at) >= since, or_(*conditions[start : start + 20]))
            .order_by(col(Read.read_at))
            .limit(MAX_READS)
        )
        for row in session.execute(query):
            read = StoredRead.of(row.id, row._mapping)
            matched = index.match_read(read.keys, state=read.state, now=now)
            found.extend((read, hit, row.camera_name) for hit in matched)
    return found


def _raise(
    session: Session,
    hotlist: HotList,
    found: list[tuple[StoredRead, Hit, str]],
    *,
    config: AlertSettings,
    officers: OfficerTracker,
    now: datetime,
) -> int:
    cameras = {read.id: camera for read, _, camera in found}  # read id -> camera name
    hits = 0
    for read, hit in by_entry([(read, hit) for read, hit, _ in found]):  # the lock order
        alert = raise_alert(
            session, hit=hit, read=read, camera_name=cameras[read.id], config=config,
            officers=officers, now=now, historical=True,
        )  # fmt: skip
        hits += alert is not None
    if hits:
        log.info("retro.hits", extra={"hotlist_id": hotlist.id, "hits": hits})
    return hits


def _is_pattern(key: str) -> bool:
    return "?" in key or "*" in key


def _like(pattern: str) -> str:
    # Keys hold only A-Z and 0-9, so LIKE's own wildcards cannot occur in them.
    return pattern.replace("*", "%").replace("?", "_")
