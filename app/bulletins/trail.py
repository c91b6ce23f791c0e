"""A bulletin's LPR trail: the retro search of stored reads, and recording every read that fits.

The retro search (on posting, and on an update that changes what is looked for) reads the
plate_read rows taken from `occurred_at - retro margin` until now through the read_at index,
narrowed in SQL to the bounding box of the area grown to now, to reads whose plate could fit
the pattern (`LIKE`, or any read with OCR candidates) or that name a make and a model; the rest
of the rules (`app.bulletins.rules`) run in memory. At most `retro_max_reads` rows are looked
at, newest first; a search cut short says so in the audit log and the answer.

Matches are stored once per (bulletin, read), whoever finds them first (the retro search, the
live watch of any process); only the one that stores a match pushes it.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app import audit
from app.bulletins.alert import TrailPoint, alert_of, refresh_alert
from app.bulletins.push import BulletinContext, push_match
from app.bulletins.rules import Fit, Watched, fit, may_fit
from app.models import Bulletin, BulletinMatch, Camera, Read, User
from app.reads.rows import FUTURE_TOLERANCE
from app.reads.stored import COLUMNS, StoredRead, previous_sighting
from geo.areas import METRES_PER_DEGREE

log = logging.getLogger(__name__)

# What `rules.may_fit` looks at: a retro search reads these of every row it considers.
NARROW_COLUMNS = tuple(
    col(column)
    for column in (
        Read.id, Read.plate, Read.plate_key, Read.confidence, Read.candidates,
        Read.vehicle_make, Read.vehicle_model,
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Search:
    scanned: int
    found: list[tuple[StoredRead, Fit]]
    truncated: bool
    since: datetime
    until: datetime


def search(
    session: Session, watched: Watched, *, since: datetime, until: datetime, ctx: BulletinContext
) -> Search:
    """Stored reads taken in [since, until] that fit `watched`, oldest first.

    Two passes: the narrow columns of every candidate row, through the cheap test of
    `rules.may_fit` (plate pattern, or make and model), then the whole rows of the few left
    through the full rules. A whole row costs its JSON and a StoredRead; at a region's rate a
    description's search looked at 13,000 rows, and it ran in the API process, whose threads
    share one interpreter lock with the cameras' requests."""
    if not (watched.watches_plate or watched.watches_description):
        return Search(0, [], False, since, until)
    center, radius_m = watched.reach(until, ctx.rules.growth).bounding_circle()
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(0.01, math.cos(math.radians(center.lat)))
    window = [col(Read.read_at) >= since, col(Read.read_at) <= until]
    where = [
        *window,
        col(Read.lat).between(center.lat - dlat, center.lat + dlat),
        col(Read.lon).between(center.lon - dlon, center.lon + dlon),
    ]
    if watched.pattern is not None:
        like = watched.pattern.text.replace("?", "_").replace("*", "%")
        where.append(or_(col(Read.plate_key).like(like), col(Read.candidates).is_not(None)))
    else:
        where += [col(Read.vehicle_make).is_not(None), col(Read.vehicle_model).is_not(None)]
    query = (
        select(*NARROW_COLUMNS)
        .where(*where)
        .order_by(col(Read.read_at).desc())
        .limit(ctx.retro_max_reads + 1)
    )
    survivors: list[int] = []
    scanned = 0
    for row in session.execute(query.execution_options(yield_per=5000)):
        scanned += 1
        if scanned > ctx.retro_max_reads:
            break
        if may_fit(watched, row._mapping):
            survivors.append(row.id)
    found: list[tuple[StoredRead, Fit]] = []
    for start in range(0, len(survivors), 1000):
        ids = survivors[start : start + 1000]
        # read_at again: on PostgreSQL only the partitions of the window are looked in.
        whole = select(*COLUMNS).where(col(Read.id).in_(ids), *window)
        for row in session.execute(whole):
            read = StoredRead.of(row.id, row._mapping)
            matched = fit(watched, read, ctx.rules)
            if matched is not None:
                found.append((read, matched))
    found.sort(key=lambda pair: (pair[0].read_at, pair[0].id))
    return Search(min(scanned, ctx.retro_max_reads), found, scanned > ctx.retro_max_reads,
                  since, until)  # fmt: skip


def retro_search(
    session: Session, row: Bulletin, watched: Watched, *, now: datetime, ctx: BulletinContext
) -> Search:
    """The stored reads since shortly before the incident that fit the bulletin (its trail).
    Takes no lock: `retro` keeps what it found."""
    return search(
        session,
        watched,
        since=row.occurred_at - ctx.rules.retro_margin,
        until=now + FUTURE_TOLERANCE,
        ctx=ctx,
    )


def retro(
    session: Session,
    row: Bulletin,
    watched: Watched,
    result: Search,
    *,
    actor: User | None,
    now: datetime,
) -> int:
    """Keep what the retro search found, and audit the search with the case number as its
    purpose (DOMAIN.md 4.3, 6.3). Returns the matches it stored (a read the live watch matched
    meanwhile is stored once, by whoever came first)."""
    stored = sum(1 for _ in record(session, watched, result.found, source="retro", now=now))
    audit.record(
        session, actor=actor, action="bulletin.retro_search", now=now, object_type="bulletin",
        object_id=row.id, plate=row.plate_key,
        purpose=f"case {row.case_number}" if row.case_number else f"bulletin {row.id}",
        detail={"since": result.since, "until": result.until, "scanned": result.scanned,
                "matched": len(result.found), "new": stored, "truncated": result.truncated,
                "read_ids": [read.id for read, _ in result.found][-100:]},
    )  # fmt: skip
    log.info(
        "bulletin.retro_search",
        extra={"bulletin_id": row.id, "scanned": result.scanned, "matched": len(result.found),
               "truncated": result.truncated},
    )  # fmt: skip
    return stored


def record(
    session: Session,
    watched: Watched,
    found: Sequence[tuple[StoredRead, Fit]],
    *,
    source: str,
    now: datetime,
) -> list[tuple[StoredRead, BulletinMatch]]:
    """Store the matches not stored yet (in read order, so concurrent writers take row locks
    in the same order); returns those this call stored."""
    stored = []
    for read, matched in sorted(found, key=lambda pair: pair[0].id):
        match_id = _insert_once(
            session,
            {
                "bulletin_id": watched.id, "read_id": read.id, "read_at": read.read_at,
                "plate": read.plate_key, "plate_key": matched.key, "source": source,
                "score": matched.score, "reasons": list(matched.reasons),
                "warnings": list(matched.warnings), "matched_at": now,
            },
        )  # fmt: skip
        if match_id is not None:
            row = session.get(BulletinMatch, match_id)
            assert row is not None
            stored.append((read, row))
    return stored


def record_live(
    session: Session,
    found: Sequence[tuple[Watched, StoredRead, Fit]],
    *,
    ctx: BulletinContext,
    now: datetime,
) -> int:
    """Store live matches, bring each bulletin's alert up to date and push every new match to
    the officers best placed around its read. Returns the matches stored."""
    total = 0
    ordered = sorted(found, key=lambda item: (item[0].id, item[1].id))
    for _, group in groupby(ordered, key=lambda item: item[0].id):
        items = list(group)
        watched = items[0][0]
        row = session.get(Bulletin, watched.id)
        if row is None or row.alert_id is None:
            continue
        alert = alert_of(session, row, lock=True)
        stored = record(session, watched, [(r, f) for _, r, f in items], source="live", now=now)
        if not stored:
            continue
        total += len(stored)
        described, newest = refresh_alert(session, row, watched, alert, now, ctx.alerts.tz)
        points = {p.match.read_id: p for p in newest}
        for read, match in stored:
            point = points.get(read.id) or _point(session, read, match)
            pushed = push_match(
                session, watched=watched, alert=alert, described=described, read=read,
                point=point, previous=previous_sighting(session, read), ctx=ctx, now=now,
            )  # fmt: skip
            log.info(
                "bulletin.match",
                extra={"bulletin_id": watched.id, "read_id": read.id, "alert_id": alert.id,
                       "score": match.score, "deliveries": pushed},
            )  # fmt: skip
    return total


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: None when the match was stored already
    (by the retro search or another process's watch)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(BulletinMatch)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["bulletin_id", "read_id"])
        .returning(col(BulletinMatch.id))
    )
    found: int | None = session.scalar(statement)
    return found


def _point(session: Session, read: StoredRead, match: BulletinMatch) -> TrailPoint:
    camera = session.get(Camera, read.camera_id)
    return TrailPoint(
        match, read.camera_id, camera.name if camera else f"camera {read.camera_id}",
        read.lat, read.lon, read.heading_deg, read.state,
    )  # fmt: skip
