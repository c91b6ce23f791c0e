"""What the officer's phone shows: title, body and data payload of an alert (DOMAIN.md 5.5).

Local time appears only here; everything passed in is UTC.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from alerts import vehicles
from alerts.push import Platform, PushMessage, alert_path
from geo import compass
from geo.motion import ago

PRIORITY_WORDS = {1: "CRITICAL", 2: "URGENT", 3: "NOTICE", 4: "INFO"}
# Lists whose record is the plate, not the car: a description mismatch is expected (DOMAIN.md 1).
PLATE_ONLY_KINDS = frozenset({"stolen_plate"})


class Detail(StrEnum):
    FULL = "full"  # everything on the notification
    MINIMAL = "minimal"  # kind, priority and distance only; the app fetches the rest


@dataclass(frozen=True, slots=True)
class Vehicle:
    year: int | None = None
    make: str | None = None
    model: str | None = None
    color: str | None = None
    type: str | None = None

    def describe(self) -> str:
        parts = [self.color, str(self.year) if self.year else None, self.make, self.model]
        text = " ".join(p for p in parts if p)
        if self.type:
            text = f"{text} ({self.type})" if text else self.type
        return text


def description_warning(
    record: Vehicle,
    camera: Vehicle,
    *,
    list_kind: str | None = None,
    year_max: int | None = None,
    unsure: Collection[str] = (),
) -> str | None:
    """The warning an alert carries about the vehicle (DOMAIN.md 5.3), or None.

    `camera` holds only what the camera reported with enough confidence; `unsure` names the
    attributes it guessed below that (make, model, color, type), which are never compared: a
    make guessed at 1 % is no evidence of another car. A mismatch says which attributes were
    compared; a camera with nothing sure to compare says it was unsure.

    `record` is the description on the entry or bulletin (`year` is the first model year, and
    `year_max` the last for a bulletin's range), `camera` what the camera classified. Says
    "DESCRIPTION MISMATCH: record ..., camera saw ... — verify before any stop" when make, model,
    colour, year or a motorcycle/trailer type differ (close colours such as silver and grey do
    not count); "description not checked by camera" when the camera classified nothing; and,
    for a stolen-plate list, that the plate may be on another vehicle instead of comparing.
    None when the record describes no vehicle or nothing differs.
    """
    if list_kind in PLATE_ONLY_KINDS:
        return "Stolen plate: the plate may be on another vehicle; description not compared"
    if not record.describe():
        return None
    if not (camera.make or camera.model or camera.color or camera.year):
        if unsure:
            return f"Camera unsure of the {_attributes(unsure)} — verify visually"
        return "Description not checked by camera — verify visually"
    checks = vehicles.compare(
        record_make=record.make, record_model=record.model, record_color=record.color,
        record_year_min=record.year, record_year_max=year_max or record.year,
        camera_make=camera.make, camera_model=camera.model, camera_color=camera.color,
        camera_year=camera.year, record_type=record.type, camera_type=camera.type,
    )  # fmt: skip
    if not any(check.agreement is vehicles.Agreement.DIFFERENT for check in checks):
        named = [name for name in unsure if getattr(record, name)]  # the record says, unchecked
        return f"Camera unsure of the {_attributes(named)} — verify visually" if named else None
    said = _seen(record, year_max)
    compared = [
        check.field
        for check in checks
        if check.record is not None and check.agreement is not vehicles.Agreement.UNKNOWN
    ]
    unsure_text = f"; camera unsure of {_attributes(unsure)}" if unsure else ""
    return (
        f"DESCRIPTION MISMATCH: record {said}, camera saw {camera.describe()} "
        f"(compared {_attributes(compared)}{unsure_text}) — verify before any stop"
    )


def _attributes(names: Collection[str]) -> str:
    words = ["colour" if name == "color" else name for name in names]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _seen(vehicle: Vehicle, year_max: int | None) -> str:
    if year_max is None or vehicle.year is None or year_max == vehicle.year:
        return vehicle.describe()
    text = Vehicle(make=vehicle.make, model=vehicle.model, color=vehicle.color).describe()
    text = f"{text} ({vehicle.year}-{year_max})"
    return f"{text} ({vehicle.type})" if vehicle.type else text


@dataclass(frozen=True, slots=True)
class HitFacts:
    """Everything about one hot-list hit that an alert may say. `match` is the match quality."""

    alert_id: int
    plate_read: str
    plate_listed: str
    state: str | None
    list_name: str
    list_kind: str
    priority: int
    reason: str | None
    case_number: str | None
    match: str
    read_at: datetime
    lat: float | None
    lon: float | None
    heading_deg: float | None
    camera_name: str
    composed_at: datetime  # when the alert is worded: ages and dates are relative to it
    record_vehicle: Vehicle = field(default_factory=Vehicle)
    camera_vehicle: Vehicle = field(default_factory=Vehicle)
    warnings: tuple[str, ...] = ()
    beat: str | None = None
    motion: str | None = None  # e.g. "heading east, about 40 km/h, last seen 35 s ago"
    sightings: int = 1  # reads of this car merged into the alert so far
    explanation: str | None = None  # why a fuzzy hit matched: positions, characters, candidate
    historical: bool = False  # the read is older than the push window: for dispatch only


@dataclass(frozen=True, slots=True)
class Audience:
    """The recipient's side: distance and bearing from the officer to the read."""

    distance_m: float | None = None
    bearing_deg: float | None = None


EXACT_LABEL = "EXACT"
MISREAD_LABEL = "POSSIBLE MISREAD — verify plate"


def is_exact(match: str) -> bool:
    return match == "exact"


def match_label(match: str) -> str:
    """What the officer reads first: "EXACT" or "POSSIBLE MISREAD — verify plate" (DOMAIN 2.7).
    Exact means the text matched, not that this is the car."""
    return EXACT_LABEL if is_exact(match) else MISREAD_LABEL


def stamp(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`at` in the agency's time zone, dated when it is not the day of `now`: "14:05:03 PDT";
    "Tue 4 Mar 14:05 PST" earlier this year; "4 Mar 2025 14:05 PST" before that."""
    local, today = at.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M:%S %Z")
    if local.year == today.year:
        return local.strftime("%a %-d %b %H:%M %Z")
    return local.strftime("%-d %b %Y %H:%M %Z")


def seen_when(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """What an officer reads of a time: how old it is, and its time (dated when not today):
    "3 min ago, 14:05:03 PDT"."""
    return f"{ago((now - at).total_seconds())}, {stamp(at, now, tz)}"


def title(facts: HitFacts) -> str:
    plate = f"{facts.plate_read} ({facts.state})" if facts.state else facts.plate_read
    if facts.historical:
        age = ago((facts.composed_at - facts.read_at).total_seconds())
        return f"P{facts.priority} Historical hit, read {age}: {plate} — {match_label(facts.match)}"
    again = " — seen again" if facts.sightings > 1 else ""
    return f"P{facts.priority} Look for this car: {plate} — {match_label(facts.match)}{again}"


def summary(facts: HitFacts, tz: ZoneInfo, *, aged: bool = False) -> str:
    """The body without the recipient's distance: what dispatchers see in the alert list.
    Its times are dated when not on the day it was worded (`composed_at`); `aged` adds how long
    ago, for a push read at once (a stored summary would go stale)."""
    lines = [f"{facts.list_name} ({facts.list_kind.replace('_', ' ')})"]
    if facts.reason:
        lines[0] += f": {facts.reason}"
    if facts.explanation and not is_exact(facts.match):
        lines.append(f"Why: {facts.explanation}")
    elif facts.plate_listed != facts.plate_read:
        lines.append(f"Listed as {facts.plate_listed}, read as {facts.plate_read}")
    vehicle = facts.record_vehicle.describe()
    if vehicle:
        lines.append(f"Vehicle on record: {vehicle}")
    when = (seen_when if aged else stamp)(facts.read_at, facts.composed_at, tz)
    where = f"Seen {when} by {facts.camera_name}"
    if facts.lat is not None and facts.lon is not None:
        where += f" at {facts.lat:.5f}, {facts.lon:.5f}"
    if facts.motion:
        where += f"; {facts.motion}"
    elif facts.heading_deg is not None:
        where += f", heading {compass(facts.heading_deg)}"
    if facts.beat:
        where += f" (beat {facts.beat})"
    lines.append(where)
    if facts.sightings > 1:
        lines.append(f"Seen {facts.sightings} times; the trail is in the app")
    lines.extend(facts.warnings)
    return "\n".join(lines)


def body(facts: HitFacts, audience: Audience, tz: ZoneInfo) -> str:
    """The push's text: the summary, how long ago the car was read, and how far it is."""
    text = summary(facts, tz, aged=True)
    if audience.distance_m is not None:
        text += "\n" + _distance(audience)
    return text + "\nConfirm with dispatch before stopping."


def message(
    facts: HitFacts,
    audience: Audience,
    *,
    token: str,
    platform: Platform,
    detail: Detail,
    ttl_s: int,
    tz: ZoneInfo,
) -> PushMessage:
    """The push for one device. `alert_id` is always in the data, whatever the detail level."""
    common = {
        "alert_id": str(facts.alert_id),
        "url": alert_path(facts.alert_id),
        "kind": "hotlist_hit",
        "priority": str(facts.priority),
        "sightings": str(facts.sightings),
        "distance_m": "" if audience.distance_m is None else str(round(audience.distance_m)),
    }
    if detail is Detail.MINIMAL:
        word = PRIORITY_WORDS.get(facts.priority, "")
        note_title = f"P{facts.priority} {word} hot-list hit".strip()
        note_body = (
            f"{_distance(audience)}. " if audience.distance_m is not None else ""
        ) + "Open Lookout for details."
        data: Mapping[str, str] = common
    else:
        note_title = title(facts)
        note_body = body(facts, audience, tz)
        data = common | {
            "plate": facts.plate_read,
            "plate_listed": facts.plate_listed,
            "state": facts.state or "",
            "lat": "" if facts.lat is None else f"{facts.lat:.6f}",
            "lon": "" if facts.lon is None else f"{facts.lon:.6f}",
            "read_at": facts.read_at.isoformat(),
            "list": facts.list_name,
            "match": facts.match,
            "match_label": match_label(facts.match),
            "beat": facts.beat or "",
        }
    return PushMessage(
        token=token,
        platform=platform,
        title=note_title,
        body=note_body,
        data=data,
        collapse_key=f"alert-{facts.alert_id}",
        ttl_s=ttl_s,
        urgent=facts.priority <= 3,
    )


def _distance(audience: Audience) -> str:
    assert audience.distance_m is not None
    d = audience.distance_m
    text = f"{d:.0f} m" if d < 1000 else f"{d / 1000:.1f} km"
    if audience.bearing_deg is not None:
        text += f" {compass(audience.bearing_deg)} of you"
    else:
        text += " from you"
    return text
