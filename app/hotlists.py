"""Hot lists and their entries: adding, deleting and CSV import, each feeding the change feed."""

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert
from sqlmodel import Session

from app import audit
from app.errors import describe_validation_errors
from app.matching import record_change
from app.models import HotList, HotListChange, HotListEntry, User
from app.schemas import EntryIn, ImportReport, ImportRowError
from lpr import plates

# CSV header names we understand, by the field they fill (NCIC codes included).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_number", "license", "license_plate", "lic", "tag"),
    "state": ("state", "plate_state", "lis", "region"),
    "reason": ("reason", "description", "mis", "offense"),
    "case_number": ("case_number", "case", "oca", "case_no"),
    "expires_at": ("expires_at", "expires", "expiry", "expiration"),
    "year": ("year", "vehicle_year", "vyr"),
    "make": ("make", "vehicle_make", "vma"),
    "model": ("model", "vehicle_model", "vmo"),
    "color": ("color", "colour", "vehicle_color", "vco"),
    "type": ("type", "vehicle_type", "body", "vst"),
    "note": ("note", "notes", "remarks"),
}
VEHICLE_FIELDS = ("year", "make", "model", "color", "type")


class EntryProblem(ValueError):
    pass


def check_entry(entry: EntryIn, now: datetime) -> None:
    if entry.expires_at is not None and entry.expires_at <= now:
        raise EntryProblem(f"expires_at {entry.expires_at.isoformat()} is already past")


def add_entries(
    session: Session, *, hotlist: HotList, entries: Sequence[EntryIn], user: User, now: datetime
) -> list[int]:
    """Insert entries and their change-feed rows; the caller's transaction commits them."""
    if not entries:
        return []
    rows = [_entry_row(entry, hotlist_id=hotlist.id, user_id=user.id, now=now) for entry in entries]  # type: ignore[arg-type]
    ids = list(
        session.scalars(
            insert(HotListEntry).returning(HotListEntry.id, sort_by_parameter_order=True),  # type: ignore[arg-type]
            rows,
        )
    )
    session.execute(
        insert(HotListChange), [{"entry_id": i, "op": "upsert", "at": now} for i in ids]
    )
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


def delete_entry(
    session: Session, *, entry: HotListEntry, user: User, now: datetime, reason: str | None
) -> None:
    entry.deleted_at = now
    entry.deleted_by = user.id
    session.add(entry)
    assert entry.id is not None
    record_change(session, entry_id=entry.id, op="delete", now=now)
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


def _entry_row(entry: EntryIn, *, hotlist_id: int, user_id: int, now: datetime) -> dict[str, Any]:
    vehicle = entry.vehicle
    return {
        "hotlist_id": hotlist_id,
        "plate": entry.plate,
        "plate_key": plates.normalize(entry.plate),
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


def parse_csv(
    data: bytes, *, now: datetime, tz: tzinfo
) -> tuple[list[EntryIn], list[ImportRowError], int]:
    """Entries from a CSV file with a header row; rows that fail are reported by line number.

    An `expires_at` given as a bare date means the end of that day in the agency's time zone.
    Returns (valid entries, errors, number of data rows).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise EntryProblem("the file is empty; expected a header row naming a 'plate' column")
    columns = _map_header(header)
    if "plate" not in columns:
        raise EntryProblem(
            f"no plate column in header {header!r}; name one of: {', '.join(CSV_COLUMNS['plate'])}"
        )
    entries, errors, count = [], [], 0
    for line_no, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        raw = {field: cells[i].strip() for field, i in columns.items() if i < len(cells)}
        try:
            entry = _entry_from_cells(raw, tz)
            check_entry(entry, now)
        except ValidationError as error:
            errors.append(
                ImportRowError(
                    line=line_no, message=describe_validation_errors(list(error.errors()))
                )
            )
            continue
        except EntryProblem as error:
            errors.append(ImportRowError(line=line_no, message=str(error)))
            continue
        entries.append(entry)
    return entries, errors, count


def _map_header(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        label = name.strip().lower().replace(" ", "_").replace("-", "_")
        for field, aliases in CSV_COLUMNS.items():
            if label in aliases and field not in found:
                found[field] = i
    return found


def _entry_from_cells(raw: dict[str, str], tz: tzinfo) -> EntryIn:
    body: dict[str, Any] = {k: v for k, v in raw.items() if v and k not in VEHICLE_FIELDS}
    expires = body.get("expires_at", "")
    if len(expires) == 10:
        try:
            day = date.fromisoformat(expires)
        except ValueError:
            pass
        else:
            body["expires_at"] = datetime.combine(day, time(23, 59, 59), tzinfo=tz)
    vehicle = {k: raw[k] for k in VEHICLE_FIELDS if raw.get(k)}
    if vehicle:
        body["vehicle"] = vehicle
    return EntryIn.model_validate(body)


def report(rows: int, ids: list[int], errors: list[ImportRowError]) -> ImportReport:
    return ImportReport(rows=rows, added=len(ids), entry_ids=ids, errors=errors)
