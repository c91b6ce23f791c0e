"""Hot-list files: reading a state or NCIC extract or a CSV a line at a time, applying it to a
list (adds, or an atomic replace as a diff) through the staging table (app/hotlists/staging.py),
and the list a file is imported into (`lookout import-hotlist`, with `--every` on a schedule)."""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, tzinfo
from functools import partial
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app import audit
from app.db import transaction
from app.delivery.recipients import AlertSettings
from app.hotlists import staging
from app.hotlists.service import default_policy, notify_changed, touch
from app.lifecycle import outcomes
from app.models import HotList, User
from app.schemas.hotlists import ImportProblem, ImportReport
from lpr import hotlist_files, plates
from lpr.errors import HotListFormatError
from lpr.hotlist_files import HotListRow, Problem, ProblemKind, Skipped
from lpr.hotlist_hygiene import ProblemLog, row_problems

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


def read_file(data: BinaryIO, layout: str) -> Iterator[HotListRow | Problem | Skipped]:
    """The rows and line-numbered problems of a hot-list file in a named layout ("csv": any
    CSV with a header naming its columns), read one line at a time from a seekable binary
    file. Raises HotListFormatError, before any row, when the file cannot be read (an
    unknown layout, a NUL byte anywhere, a CSV header without a plate column)."""
    if layout != "csv" and layout not in hotlist_files.layout_names():
        raise HotListFormatError(f"unknown layout {layout!r}; use one of: {', '.join(layouts())}")
    encoding = hotlist_files.sniff_encoding(iter(partial(data.read, READ_BYTES), b""))
    data.seek(0)
    head = data.read(CSV_SAMPLE_BYTES).decode(encoding, errors="replace")
    data.seek(0)
    text_ = io.TextIOWrapper(data, encoding=encoding, errors="replace", newline="")
    if layout == "csv":
        delimiter = _delimiter(head)
        return hotlist_files.iter_csv(text_, _csv_columns(head, delimiter), delimiter=delimiter)
    return hotlist_files.iter_parse(text_, layout)


READ_BYTES = 1 << 20
CSV_SAMPLE_BYTES = 64 * 1024  # the header line and enough rows to tell the delimiter


def _delimiter(sample: str) -> str:
    try:
        return str(csv.Sniffer().sniff(sample[:4096], delimiters=",;\t|").delimiter)
    except csv.Error:
        return ","


def _csv_columns(head: str, delimiter: str) -> dict[str, str]:
    header = next(csv.reader(io.StringIO(head), delimiter=delimiter), [])
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


UNREADABLE = frozenset({ProblemKind.UNPARSEABLE_PLATE, ProblemKind.SHORT_LINE})
ENTRY_IDS_REPORTED = 5000


def import_file(
    engine: Engine,
    *,
    hotlist_id: int,
    data: BinaryIO,
    layout: str,
    replace: bool,
    user: User | None,
    now: datetime,
    tz: tzinfo,
    source: str,
    alerting: AlertSettings,
) -> tuple[ImportReport, staging.Applied]:
    """Apply a file to a list: add its rows, or with `replace` make the list equal to the file
    (adds and removes in one transaction). Expired rows are not imported. The open alerts of
    removed entries close ("record cleared"), telling their officers.

    The file is read a line at a time and staged in chunks (app/hotlists/staging.py), so memory
    stays flat whatever its size; the list changes in one transaction at the end, and a failure
    anywhere before that commit leaves it as it was. Raises HotListFormatError when the file
    cannot be read at all."""
    rows = read_file(data, layout)
    today = now.astimezone(tz).date()
    parse_problems, checks = ProblemLog(), ProblemLog()
    stager = staging.Stager(engine, import_id=staging.new_import_id(), now=now)
    unreadable = expired = 0
    try:
        for item in rows:
            if isinstance(item, HotListRow):
                for problem in row_problems(item, today=today):
                    checks.add(problem)
                is_expired = item.expires_on is not None and item.expires_on < today
                expired += is_expired
                stager.add(_staged_row(item, expired=is_expired, tz=tz))
            elif isinstance(item, Problem):
                parse_problems.add(item)
                unreadable += item.kind in UNREADABLE
        stager.flush()
        for problem in staging.duplicates(engine, stager.import_id):
            checks.add(problem)
        for problem in staging.look_alikes(engine, stager.import_id):
            checks.add(problem)
        with transaction(engine) as session:
            applied, entry_ids = _apply(
                session, stager=stager, hotlist_id=hotlist_id, replace=replace, user=user,
                now=now, source=source, alerting=alerting,
                problems=parse_problems.total() + checks.total(),
            )  # fmt: skip
    finally:
        staging.discard(engine, stager.import_id)
    listed = sorted(checks.problems, key=lambda p: (list(ProblemKind).index(p.kind), p.lines))
    counts = parse_problems.counts + checks.counts
    report = ImportReport(
        rows=stager.staged + unreadable,
        added=applied.added,
        removed=applied.removed,
        unchanged=applied.unchanged,
        expired=expired,
        entry_ids=entry_ids,
        problems=[
            ImportProblem(kind=p.kind.value, lines=list(p.lines), message=p.message)
            for p in [*parse_problems.problems, *listed]
        ],
        problem_counts={kind.value: counts[kind] for kind in ProblemKind if counts[kind]},
    )
    return report, applied


def _apply(
    session: Session,
    *,
    stager: staging.Stager,
    hotlist_id: int,
    replace: bool,
    user: User | None,
    now: datetime,
    source: str,
    alerting: AlertSettings,
    problems: int,
) -> tuple[staging.Applied, list[int]]:
    # Locked: two imports of one list take turns (the second diffs against the first's result).
    hotlist = session.get(HotList, hotlist_id, with_for_update=True)
    if hotlist is None:
        raise HotListFormatError(f"hot list {hotlist_id} is gone")

    def close_cleared(entry_ids: list[int]) -> None:
        outcomes.close_cleared(
            session, entry_ids, list_name=hotlist.name, reason=f"no longer in {source}",
            user=user, now=now, config=alerting,
        )  # fmt: skip

    applied = staging.apply(
        session, import_id=stager.import_id, hotlist_id=hotlist_id, replace=replace,
        user_id=user.id if user else None, now=now, close_cleared=close_cleared,
    )  # fmt: skip
    if applied.added or applied.removed:
        notify_changed(session)
    hotlist.source, hotlist.refreshed_at = source, now
    session.add(hotlist)
    audit.record(
        session, actor=user, action="hotlist.import", now=now, object_type="hotlist",
        object_id=hotlist_id,
        detail={"source": source, "replace": replace, "rows": stager.staged,
                "added": applied.added, "removed": applied.removed, "problems": problems},
    )  # fmt: skip
    return applied, staging.new_entry_ids(session, applied, after_id=0, limit=ENTRY_IDS_REPORTED)


def _staged_row(row: HotListRow, *, expired: bool, tz: tzinfo) -> dict[str, Any]:
    reason = row.reason or (row.kind.value.replace("_", " ") if row.kind else None)
    note = "; ".join(
        [f"{k} {v}" for k, v in (("NIC", row.nic), ("ORI", row.ori), ("VIN", row.vin)) if v]
        + ([row.remarks] if row.remarks else [])  # the agency's advice: "VERIFY ... IMPOUND"
    )
    return {
        "line": row.line,
        "plate": row.plate.strip(),
        "plate_key": row.key,
        "plate_fold": plates.fold_key(row.key),
        "state": row.state,
        "expired": expired,
        "reason": reason,
        "case_number": row.case_number,
        "expires_at": end_of_day(row.expires_on, tz),
        "vehicle_year": row.vehicle_year,
        "vehicle_make": row.vehicle_make,
        "vehicle_model": row.vehicle_model,
        "vehicle_color": row.vehicle_color,
        "vehicle_type": row.vehicle_style,
        "note": note or None,
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
