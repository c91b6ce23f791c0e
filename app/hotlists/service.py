"""Hot lists and their entries: adding, deleting, policies and file imports, each feeding the
change feed (and on PostgreSQL a NOTIFY) so every process's index follows."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlmodel import Session

from app import audit
from app.hotlists.index import record_change
from app.models import HotList, HotListChange, HotListEntry, User
from app.schemas.hotlists import EntryIn, ImportProblem, ImportReport
from lpr import hotlist_files, plates
from lpr.errors import HotListFormatError
from lpr.hotlist_files import HotListRow, ParsedFile, ProblemKind
from lpr.hotlist_hygiene import diff, hygiene
from lpr.policy import MatchPolicy

NOTIFY_CHANNEL = "lookout_hotlists"
FUZZY_LIST_MAX = 100_000  # edit distance or broad look-alikes only for lists up to this size

# CSV header names we understand, by the lpr field they fill (NCIC codes included).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_number", "license", "license_plate", "lic", "tag"),
    "state": ("state", "plate_state", "lis", "region"),
    "list_code": ("list", "list_code", "list_type", "mke", "type_code"),
    "reason": ("reason", "description", "mis", "offense", "notes", "note", "remarks"),
    "case_number": ("case_number", "case", "oca", "case_no"),
    "expires_on": ("expires_at", "expires", "expiry", "expiration", "expires_on"),
    "vehicle_year": ("year", "vehicle_year", "vyr"),
    "make": ("make", "vehicle_make", "vma"),
    "model": ("model", "vehicle_model", "vmo"),
    "color": ("color", "colour", "vehicle_color", "vco"),
    "style": ("type", "vehicle_type", "body", "style", "vst"),
    "vin": ("vin",),
    "nic": ("nic",),
    "ori": ("ori",),
}


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
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


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
    rows = [_entry_row(entry, hotlist_id=hotlist.id, user_id=user.id, now=now) for entry in fresh]  # type: ignore[arg-type]
    ids = _insert(session, rows, now=now)
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
    keys = sorted({entry_key(entry.plate) for entry in entries})
    found: dict[tuple[str, str | None], int] = {}
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(HotListEntry.plate_key, HotListEntry.state, HotListEntry.id).where(
                HotListEntry.hotlist_id == hotlist_id,
                HotListEntry.plate_key.in_(keys[start : start + 500]),  # type: ignore[attr-defined]
                HotListEntry.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        )
        found.update({(key, state): entry_id for key, state, entry_id in rows})
    return found


def _insert(session: Session, rows: list[dict[str, Any]], *, now: datetime) -> list[int]:
    if not rows:
        return []
    ids = list(
        session.scalars(
            insert(HotListEntry).returning(HotListEntry.id, sort_by_parameter_order=True),  # type: ignore[arg-type]
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


# --- files ---------------------------------------------------------------------------------


def layouts() -> list[str]:
    return ["csv", *hotlist_files.layout_names()]


def parse_file(data: bytes, layout: str) -> ParsedFile:
    """Rows and line-numbered problems of a hot-list file in a named layout ("csv": any CSV
    with a header naming its columns). Raises HotListFormatError when it cannot be read."""
    if layout == "csv":
        return hotlist_files.parse_csv(data, _csv_columns(data), delimiter=_delimiter(data))
    if layout not in hotlist_files.layout_names():
        raise HotListFormatError(f"unknown layout {layout!r}; use one of: {', '.join(layouts())}")
    return hotlist_files.parse(data, layout)


def _delimiter(data: bytes) -> str:
    sample = data[:4096].decode("utf-8", errors="replace")
    try:
        return str(csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter)
    except csv.Error:
        return ","


def _csv_columns(data: bytes) -> dict[str, str]:
    text_ = data.decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(text_), delimiter=_delimiter(data)), [])
    found: dict[str, str] = {}
    for name in header:
        label = name.strip().lower().replace(" ", "_").replace("-", "_")
        for field, aliases in CSV_COLUMNS.items():
            if label in aliases and field not in found:
                found[field] = name
    if "plate" not in found:
        raise HotListFormatError(
            f"no plate column in header {header!r}; name one of: {', '.join(CSV_COLUMNS['plate'])}",
            line=1,
        )
    return found


def import_rows(
    session: Session,
    *,
    hotlist: HotList,
    parsed: ParsedFile,
    replace: bool,
    user: User | None,
    now: datetime,
    tz: tzinfo,
    source: str,
) -> tuple[ImportReport, list[int]]:
    """Apply a parsed file to a list: add its rows, or with `replace` make the list equal to
    the file (adds and removes in this one transaction). Expired rows are not imported."""
    assert hotlist.id is not None
    today = now.astimezone(tz).date()
    report = hygiene(parsed, today=today)
    live = [r for r in parsed.rows if r.expires_on is None or r.expires_on >= today]
    current = _current_entries(session, hotlist.id)
    if replace:
        changes = diff(current, live)
        to_add, removes, unchanged = (
            list(changes.adds),
            list(changes.removes),
            len(changes.unchanged),
        )
    else:
        to_add = _first_of_each(live, skip=current)
        removes, unchanged = [], len(live) - len(to_add)
    rows = [_row_from_file(r, hotlist_id=hotlist.id, user=user, now=now, tz=tz) for r in to_add]
    ids = _insert(session, rows, now=now)
    if removes:
        session.execute(
            update(HotListEntry)
            .where(HotListEntry.id.in_(removes))  # type: ignore[union-attr]
            .values(deleted_at=now, deleted_by=user.id if user else None)
        )
        session.execute(
            insert(HotListChange), [{"entry_id": i, "op": "delete", "at": now} for i in removes]
        )
        notify_changed(session)
    hotlist.source, hotlist.refreshed_at = source, now
    session.add(hotlist)
    audit.record(
        session, actor=user, action="hotlist.import", now=now, object_type="hotlist",
        object_id=hotlist.id,
        detail={"source": source, "replace": replace, "rows": len(parsed.rows),
                "added": len(ids), "removed": len(removes), "problems": len(report.problems)},
    )  # fmt: skip
    problems = [
        ImportProblem(kind=p.kind.value, lines=list(p.lines), message=p.message)
        for p in report.problems
    ]
    return (
        ImportReport(
            rows=len(parsed.rows) + _unreadable(parsed),
            added=len(ids),
            removed=len(removes),
            unchanged=unchanged,
            expired=len(parsed.rows) - len(live),
            entry_ids=ids[:5000],
            problems=problems,
        ),
        ids,
    )


def _unreadable(parsed: ParsedFile) -> int:
    kinds = {ProblemKind.UNPARSEABLE_PLATE, ProblemKind.SHORT_LINE}
    return len({line for p in parsed.problems if p.kind in kinds for line in p.lines})


def _current_entries(session: Session, hotlist_id: int) -> dict[tuple[str, str | None], int]:
    rows = session.execute(
        select(HotListEntry.plate_key, HotListEntry.state, HotListEntry.id).where(
            HotListEntry.hotlist_id == hotlist_id,
            HotListEntry.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    )
    return {(key, state): entry_id for key, state, entry_id in rows}


def _first_of_each(
    rows: Iterable[HotListRow], *, skip: dict[tuple[str, str | None], int]
) -> list[HotListRow]:
    seen = set(skip)
    kept = []
    for row in rows:
        if (row.key, row.state) not in seen:
            seen.add((row.key, row.state))
            kept.append(row)
    return kept


def _row_from_file(
    row: HotListRow, *, hotlist_id: int, user: User | None, now: datetime, tz: tzinfo
) -> dict[str, Any]:
    reason = row.reason or (row.kind.value.replace("_", " ") if row.kind else None)
    note = "; ".join(
        f"{k} {v}" for k, v in (("NIC", row.nic), ("ORI", row.ori), ("VIN", row.vin)) if v
    )
    return {
        "hotlist_id": hotlist_id,
        "plate": row.plate.strip(),
        "plate_key": row.key,
        "state": row.state,
        "reason": reason,
        "case_number": row.case_number,
        "expires_at": end_of_day(row.expires_on, tz),
        "vehicle_year": row.vehicle_year,
        "vehicle_make": row.vehicle_make,
        "vehicle_model": row.vehicle_model,
        "vehicle_color": row.vehicle_color,
        "vehicle_type": row.vehicle_style,
        "note": note or None,
        "created_at": now,
        "created_by": user.id if user else None,
    }


def end_of_day(day: date | None, tz: tzinfo) -> datetime | None:
    """A bare date in a list means the whole of that day, in the agency's time zone."""
    return None if day is None else datetime.combine(day, time(23, 59, 59), tzinfo=tz)
