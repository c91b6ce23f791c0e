"""Vendor times to UTC-aware datetimes, or None ("use the time received") with a note.

Epochs come in seconds (open-source alprd, Verkada `created`, Frigate), milliseconds (the
OpenALPR agent, Verkada `detected`) and, from some cameras, micro- or nanoseconds; the unit is
told from the magnitude. ISO strings may end in `Z`, `+01:00` or `+0100`; one without an
offset is taken as UTC, with a note. A time more than MAX_PAST before or MAX_FUTURE after the
time received (a camera with a reset clock sends 1970 or 2000) is replaced by None, with a note.

Some cameras send only their local wall-clock time (Hikvision `absTime`, AXIS `datetime`, a
Genetec Sharp whose "UTC" fields repeat its local time): `from_local` takes the offset to be
the whole quarter-hours between that time and the time received, since cameras post within
seconds of the read, and says so in a note.
"""

from datetime import UTC, datetime, timedelta

from lpr.vendors import fields

MAX_PAST = timedelta(days=20 * 365)
MAX_FUTURE = timedelta(days=1)
MAX_UTC_OFFSET = timedelta(hours=14)  # UTC+14 (Kiribati) to UTC-12
_QUARTER_HOUR = timedelta(minutes=15)


def utc(received_at: datetime) -> datetime:
    """`received_at` in UTC; a naive one is a programming error."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    return received_at.astimezone(UTC)


def first(
    candidates: list[tuple[str, object]], *, received_at: datetime, notes: list[str]
) -> datetime | None:
    """The first present time among `(field name, value)` pairs, read as epoch or ISO."""
    for field, value in candidates:
        if value is None or value == "":
            continue
        return parse(value, field=field, received_at=received_at, notes=notes)
    notes.append("no time in the message: used received time")
    return None


def parse(value: object, *, field: str, received_at: datetime, notes: list[str]) -> datetime | None:
    """An epoch (number or numeric string) or an ISO 8601 string, checked against received_at."""
    seconds = fields.number(value)
    if seconds is not None:
        return _from_epoch(seconds, value, field=field, received_at=received_at, notes=notes)
    if isinstance(value, str):
        return _from_iso(value, field=field, received_at=received_at, notes=notes)
    notes.append(f"time {field} {fields.preview(value)} is unreadable: used received time")
    return None


def _from_epoch(
    value: float, raw: object, *, field: str, received_at: datetime, notes: list[str]
) -> datetime | None:
    if value <= 0:
        notes.append(f"time {field} {fields.preview(raw)} is unreadable: used received time")
        return None
    if value >= 1e17:
        value /= 1e9
    elif value >= 1e14:
        value /= 1e6
    elif value >= 1e11:
        value /= 1e3
    offset = value - received_at.timestamp()
    if not -MAX_PAST.total_seconds() <= offset <= MAX_FUTURE.total_seconds():
        notes.append(
            f"time {field} {fields.preview(raw)} is {_span(offset)} off: used received time"
        )
        return None
    return datetime.fromtimestamp(value, UTC)


def _from_iso(
    value: str, *, field: str, received_at: datetime, notes: list[str]
) -> datetime | None:
    stripped = value.strip()
    try:
        parsed = datetime.fromisoformat(stripped) if len(stripped) > 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        notes.append(f"time {field} {fields.preview(value)} is unreadable: used received time")
        return None
    if parsed.tzinfo is None:
        notes.append(f"time {field} {fields.preview(value)} has no UTC offset: taken as UTC")
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        notes.append(f"time {field} {fields.preview(value)} is unreadable: used received time")
        return None
    offset = (parsed - received_at).total_seconds()
    if not -MAX_PAST.total_seconds() <= offset <= MAX_FUTURE.total_seconds():
        notes.append(
            f"time {field} {fields.preview(value)} is {_span(offset)} off: used received time"
        )
        return None
    return parsed


def _span(seconds: float) -> str:
    size = abs(seconds)
    for unit, length in (("year", 365 * 86400), ("day", 86400), ("hour", 3600)):
        if size >= length:
            count = round(size / length)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{round(size / 60)} minutes"


def from_local(
    wall: datetime, *, field: str, received_at: datetime, notes: list[str]
) -> datetime | None:
    """A local wall-clock time with no offset, in UTC: the offset is the whole quarter-hours
    between `wall` and `received_at`. None, with a note, when that is over 14 hours."""
    naive = wall.replace(tzinfo=None)
    gap = naive.replace(tzinfo=UTC) - received_at
    offset = _QUARTER_HOUR * round(gap / _QUARTER_HOUR)
    if abs(offset) > MAX_UTC_OFFSET:
        notes.append(
            f"time {field} {naive.isoformat()} is {_span(gap.total_seconds())} off: "
            "used received time"
        )
        return None
    if offset:
        notes.append(
            f"time {field} has no UTC offset: read as local time at UTC{_offset(offset)}"
            " (its distance from the time received)"
        )
    return (naive - offset).replace(tzinfo=UTC)


def _offset(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
