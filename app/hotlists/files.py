"""Hot-list files: reading a state or NCIC extract or a CSV, applying it to a list (adds, or an
atomic replace as a diff), and refreshing a list from its file on a schedule (`lookout
import-hotlist --every`)."""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from app import audit
from app.delivery.recipients import AlertSettings
from app.hotlists.service import (
    default_policy,
    insert_entries,
    live_entries,
    notify_changed,
    touch,
)
from app.lifecycle import outcomes
from app.models import HotList, HotListChange, HotListEntry, User
from app.schemas.hotlists import ImportProblem, ImportReport
from lpr import hotlist_files
from lpr.errors import HotListFormatError
from lpr.hotlist_files import HotListRow, ParsedFile, ProblemKind
from lpr.hotlist_hygiene import diff, hygiene

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


def layouts() -> list[str]:
    return ["csv", *hotlist_files.layout_names()]


def parse_file(data: bytes, layout: str) -> ParsedFile:
    """Rows and line-numbered problems of a hot-list file in a named layout ("csv": any CSV
    with a header naming its columns). Raises HotListFormatError when it cannot be read."""
    if layout == "csv":
        hotlist_files.decode(data)  # a NUL (a UTF-16 file) is named before the header is read
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
    alerting: AlertSettings,
) -> tuple[ImportReport, list[int]]:
    """Apply a parsed file to a list: add its rows, or with `replace` make the list equal to
    the file (adds and removes in this one transaction). Expired rows are not imported. The
    open alerts of removed entries close ("record cleared"), telling their officers."""
    assert hotlist.id is not None
    today = now.astimezone(tz).date()
    report = hygiene(parsed, today=today)
    live = [r for r in parsed.rows if r.expires_on is None or r.expires_on >= today]
    current = live_entries(session, hotlist.id)
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
    ids = insert_entries(session, rows, now=now)
    if removes:
        # Their open alerts close first (alert, then audit, then entry: the order an officer
        # closing one of them takes, so the two never deadlock).
        outcomes.close_cleared(
            session, removes, list_name=hotlist.name, reason=f"no longer in {source}",
            user=user, now=now, config=alerting,
        )  # fmt: skip
        session.execute(
            update(HotListEntry)
            .where(col(HotListEntry.id).in_(removes))
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
        [f"{k} {v}" for k, v in (("NIC", row.nic), ("ORI", row.ori), ("VIN", row.vin)) if v]
        + ([row.remarks] if row.remarks else [])  # the agency's advice: "VERIFY ... IMPOUND"
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


def list_named(session: Session, *, name: str, kind: str, priority: int, now: datetime) -> HotList:
    """The hot list called `name`, created with the kind's default policy if there is none."""
    hotlist = session.scalars(select(HotList).where(col(HotList.name) == name)).first()
    if hotlist is None:
        policy = default_policy(kind)
        hotlist = HotList(
            name=name, kind=kind, priority=priority, created_at=now,
            confusable_max=policy.confusable_max, edit_max=policy.edit_max,
            broad_confusables=policy.broad_confusables, ignore_state=policy.ignore_state,
        )  # fmt: skip
        touch(session, hotlist, now)
        session.flush()
    return hotlist
