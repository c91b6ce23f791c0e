"""Hot lists and their entries: adding, deleting and policies, each feeding the change feed
(and on PostgreSQL a NOTIFY) so every process's index follows. Files: app/hotlists/files.py."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlmodel import Session, col

from app import audit
from app.hotlists.index import HOTLIST_CHANNEL, record_change
from app.models import HotList, HotListChange, HotListEntry, User
from app.schemas.hotlists import EntryIn
from lpr import plates
from lpr.policy import MatchPolicy

FUZZY_LIST_MAX = 100_000  # edit distance or broad look-alikes only for lists up to this size


class EntryProblem(ValueError):
    pass


def default_policy(kind: str) -> MatchPolicy:
    """Large shared lists match exactly or with one look-alike; small local ones are fuzzier."""
    if kind in ("local", "covert", "other"):
        return MatchPolicy.small_list()
    return MatchPolicy.large_list()


def entry_key(plate: str) -> str:
    """The index key of an entry: its normalised plate, or its pattern for a partial plate."""
    if "?" in plate or "*" in plate:
        return plates.normalize_pattern(plate)
    return plates.normalize(plate)


def check_entry(entry: EntryIn, now: datetime) -> None:
    if entry.expires_at is not None and entry.expires_at <= now:
        raise EntryProblem(f"expires_at {entry.expires_at.isoformat()} is already past")


def notify_changed(session: Session) -> None:
    """Wake the other processes' indexes (PostgreSQL; sent when the transaction commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": HOTLIST_CHANNEL})


def touch(session: Session, hotlist: HotList, now: datetime) -> None:
    """Mark a list changed (policy, priority, on/off) for every process's index."""
    hotlist.updated_at = now
    session.add(hotlist)
    notify_changed(session)


def add_entries(
    session: Session, *, hotlist: HotList, entries: Sequence[EntryIn], user: User, now: datetime
) -> list[int]:
    """Insert entries and their change-feed rows; the caller's transaction commits them.

    A plate already on the list with the same state is not added again (two copies would raise
    two alerts for one car); see `already_listed`.
    """
    assert hotlist.id is not None
    listed = already_listed(session, hotlist.id, entries)
    seen: set[tuple[str, str | None]] = set()
    fresh = []
    for entry in entries:
        key = (entry_key(entry.plate), entry.state)
        if key not in listed and key not in seen:
            seen.add(key)
            fresh.append(entry)
    rows = [_entry_row(entry, hotlist_id=hotlist.id, user_id=user.id, now=now) for entry in fresh]
    ids = insert_entries(session, rows, now=now)
    if ids:
        audit.record(
            session,
            actor=user,
            action="hotlist.entries.add",
            now=now,
            object_type="hotlist",
            object_id=hotlist.id,
            plate=entries[0].plate if len(entries) == 1 else None,
            detail={"entry_ids": ids[:5000], "count": len(ids)},
        )
    return ids


def already_listed(
    session: Session, hotlist_id: int, entries: Sequence[EntryIn]
) -> dict[tuple[str, str | None], int]:
    """(key, state) -> id of the live entries of a list among `entries`."""
    return live_entries(session, hotlist_id, keys={entry_key(entry.plate) for entry in entries})


def live_entries(
    session: Session, hotlist_id: int, *, keys: Iterable[str] | None = None
) -> dict[tuple[str, str | None], int]:
    """(key, state) -> id of a list's live entries: all of them, or those with one of `keys`."""
    query = select(
        col(HotListEntry.plate_key), col(HotListEntry.state), col(HotListEntry.id)
    ).where(
        col(HotListEntry.hotlist_id) == hotlist_id,
        col(HotListEntry.deleted_at).is_(None),
    )
    if keys is None:
        return {(key, state): entry_id for key, state, entry_id in session.execute(query)}
    wanted = sorted(set(keys))
    found: dict[tuple[str, str | None], int] = {}
    for start in range(0, len(wanted), 500):
        chunk = query.where(col(HotListEntry.plate_key).in_(wanted[start : start + 500]))
        found.update({(key, state): entry_id for key, state, entry_id in session.execute(chunk)})
    return found


def insert_entries(session: Session, rows: list[dict[str, Any]], *, now: datetime) -> list[int]:
    """Insert entry rows and their change-feed rows; their ids, in order."""
    if not rows:
        return []
    ids: list[int] = list(
        session.scalars(
            insert(HotListEntry).returning(col(HotListEntry.id), sort_by_parameter_order=True),
            rows,
        )
    )
    session.execute(
        insert(HotListChange), [{"entry_id": i, "op": "upsert", "at": now} for i in ids]
    )
    notify_changed(session)
    return ids


def delete_entry(
    session: Session, *, entry: HotListEntry, user: User, now: datetime, reason: str | None
) -> None:
    entry.deleted_at = now
    entry.deleted_by = user.id
    session.add(entry)
    assert entry.id is not None
    record_change(session, entry_id=entry.id, op="delete", now=now)
    notify_changed(session)
    audit.record(
        session,
        actor=user,
        action="hotlist.entry.delete",
        now=now,
        object_type="hotlist_entry",
        object_id=entry.id,
        plate=entry.plate,
        purpose=reason,
    )


def _entry_row(
    entry: EntryIn, *, hotlist_id: int, user_id: int | None, now: datetime
) -> dict[str, Any]:
    vehicle = entry.vehicle
    return {
        "hotlist_id": hotlist_id,
        "plate": entry.plate,
        "plate_key": entry_key(entry.plate),
        "state": entry.state,
        "reason": entry.reason,
        "case_number": entry.case_number,
        "expires_at": entry.expires_at,
        "vehicle_year": vehicle.year if vehicle else None,
        "vehicle_make": vehicle.make if vehicle else None,
        "vehicle_model": vehicle.model if vehicle else None,
        "vehicle_color": vehicle.color if vehicle else None,
        "vehicle_type": vehicle.type if vehicle else None,
        "note": entry.note,
        "created_at": now,
        "created_by": user_id,
    }
