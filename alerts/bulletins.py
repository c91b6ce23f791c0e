"""What the phone shows for a bulletin (BOLO): the broadcast, its updates, a possible match and
the cancellation, all on one thread (DOMAIN.md 4.2, 5.5).

Every push of bulletin N carries the collapse key `bulletin-N` (Android collapse key and tag,
APNs collapse id), so an update, a match or a cancellation replaces what the phone shows
instead of adding to it; `data.action` tells the app which it is (`cancel`: clear it).
Local time appears only here; everything passed in is UTC.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from alerts.compose import PRIORITY_WORDS, Detail, Vehicle, seen_when, stamp
from alerts.push import Platform, PushMessage, alert_path
from geo import compass


class Action(StrEnum):
    NEW = "new"  # the first push of the bulletin to this officer
    UPDATE = "update"  # the bulletin changed
    MATCH = "match"  # a camera read a car that fits it
    CANCEL = "cancel"  # the app clears the notification


KIND_WORDS = {
    "robbery": "ROBBERY", "carjacking": "CARJACKING", "stolen_vehicle": "STOLEN VEHICLE",
    "amber": "AMBER ALERT", "missing_person": "MISSING PERSON", "other": "BOLO",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BulletinFacts:
    """A bulletin as the phone and the alert list describe it."""

    bulletin_id: int
    alert_id: int
    version: int
    kind: str
    priority: int
    occurred_at: datetime
    expires_at: datetime | None
    area: str  # in words: "within 1.5 km of ...", "beats 04X, 05X"
    composed_at: datetime  # when the push is worded: ages and dates are relative to it
    narrative: str | None = None
    plate_pattern: str | None = None
    state: str | None = None
    vehicle: Vehicle = field(default_factory=Vehicle)  # `year` is the first model year
    year_max: int | None = None
    marks: str | None = None
    direction_deg: float | None = None
    case_number: str | None = None
    status: str = "active"
    cancel_reason: str | None = None
    last_seen: str | None = None  # the newest sighting in words, from the trail
    matches: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sighting:
    """A stored read that fits the bulletin, and why (`reasons`) and what was not checked
    (`unknown`)."""

    read_id: int
    plate: str
    state: str | None
    read_at: datetime
    camera_name: str
    lat: float | None
    lon: float | None
    heading_deg: float | None
    reasons: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    motion: str | None = None  # "heading east, last seen 35 s ago"


@dataclass(frozen=True, slots=True)
class Audience:
    """The recipient's side: metres to the search area (0 inside) or to the sighting, and the
    bearing from the officer towards it."""

    distance_m: float | None = None
    bearing_deg: float | None = None
    inside_area: bool = False


def vehicle_text(facts: BulletinFacts) -> str:
    """E.g. "silver 2014-2016 Honda Civic (sedan), plate 7AB* (CA), dent in the rear bumper"."""
    vehicle = facts.vehicle
    if facts.year_max is not None and vehicle.year is not None and facts.year_max != vehicle.year:
        years = f"{vehicle.year}-{facts.year_max}"
        vehicle = Vehicle(make=vehicle.make, model=vehicle.model, color=vehicle.color,
                          type=vehicle.type)  # fmt: skip
        text = " ".join(p for p in (vehicle.color, years, vehicle.make, vehicle.model) if p)
        if vehicle.type:
            text += f" ({vehicle.type})"
    else:
        text = vehicle.describe()
    parts = [text] if text else []
    if facts.plate_pattern:
        parts.append(f"plate {facts.plate_pattern}" + (f" ({facts.state})" if facts.state else ""))
    elif facts.state:
        parts.append(f"{facts.state} plate")
    if facts.marks:
        parts.append(facts.marks)
    return ", ".join(parts)


def title(facts: BulletinFacts, action: Action, sighting: Sighting | None = None) -> str:
    kind = KIND_WORDS.get(facts.kind, facts.kind.replace("_", " ").upper())
    if action is Action.CANCEL or facts.status == "cancelled":
        why = f": {facts.cancel_reason}" if facts.cancel_reason else ""
        return f"CANCELLED — BOLO #{facts.bulletin_id} {kind.lower()}{why}"
    if action is Action.MATCH and sighting is not None:
        plate = f"{sighting.plate} ({sighting.state})" if sighting.state else sighting.plate
        return f"P{facts.priority} Possible match for bulletin #{facts.bulletin_id}: {plate}"
    updated = " (updated)" if action is Action.UPDATE else ""
    vehicle = vehicle_text(facts)
    return f"P{facts.priority} BOLO {kind}{updated}" + (f": {vehicle}" if vehicle else "")


def summary(
    facts: BulletinFacts,
    action: Action,
    tz: ZoneInfo,
    sighting: Sighting | None = None,
    *,
    aged: bool = False,
) -> str:
    """The body without the recipient's distance, as dispatchers see it in the alert list;
    times dated when not on the day it was worded, and with how long ago when `aged` (a push)."""
    when_of = seen_when if aged else stamp
    kind = facts.kind.replace("_", " ").capitalize()
    if action is Action.CANCEL or facts.status == "cancelled":
        why = f": {facts.cancel_reason}" if facts.cancel_reason else ""
        return (
            f"Bulletin #{facts.bulletin_id} ({kind.lower()}) is cancelled{why}. "
            "Disregard it; do not stop on it."
        )
    lines = []
    if action is Action.MATCH and sighting is not None:
        seen = when_of(sighting.read_at, facts.composed_at, tz)
        where = f"Read {sighting.plate} {seen} by {sighting.camera_name}"
        if sighting.motion:
            where += f"; {sighting.motion}"
        elif sighting.heading_deg is not None:
            where += f", heading {compass(sighting.heading_deg)}"
        lines.append(where)
        if sighting.reasons:
            lines.append("Fits: " + "; ".join(sighting.reasons))
        if sighting.unknown:
            lines.append("Not checked: " + "; ".join(sighting.unknown))
        lines.extend(sighting.warnings)
    header = f"{kind}" + (f", case {facts.case_number}" if facts.case_number else "")
    when = when_of(facts.occurred_at, facts.composed_at, tz)
    lines.append(f"{header}, {when}")
    vehicle = vehicle_text(facts)
    if vehicle:
        lines.append(f"Vehicle: {vehicle}")
    if facts.direction_deg is not None:
        lines.append(f"Heading {compass(facts.direction_deg)}")
    lines.append(f"Area: {facts.area}")
    if facts.last_seen and action is not Action.MATCH:
        lines.append(f"Last seen {facts.last_seen}")
    if facts.narrative:
        lines.append(facts.narrative)
    if action is not Action.MATCH:
        lines.extend(facts.warnings)
    return "\n".join(lines)


def body(
    facts: BulletinFacts,
    action: Action,
    audience: Audience,
    tz: ZoneInfo,
    sighting: Sighting | None = None,
) -> str:
    text = summary(facts, action, tz, sighting, aged=True)
    if action is Action.CANCEL or facts.status == "cancelled":
        return text
    where = _where(audience, sighting is not None)
    if where:
        text += "\n" + where
    return text + "\nConfirm with dispatch before stopping."


def message(
    facts: BulletinFacts,
    action: Action,
    audience: Audience,
    *,
    token: str,
    platform: Platform,
    detail: Detail,
    ttl_s: int,
    tz: ZoneInfo,
    sighting: Sighting | None = None,
) -> PushMessage:
    """The push for one device, collapse key `bulletin-<id>`. `alert_id`, `bulletin_id`,
    `action` and `version` are always in the data, whatever the detail level."""
    common = {
        "alert_id": str(facts.alert_id),
        "url": alert_path(facts.alert_id),
        "kind": "bulletin",
        "bulletin_id": str(facts.bulletin_id),
        "action": action.value,
        "version": str(facts.version),
        "priority": str(facts.priority),
        "status": facts.status,
    }
    if detail is Detail.MINIMAL:
        word = PRIORITY_WORDS.get(facts.priority, "")
        note_title = (
            f"Bulletin #{facts.bulletin_id} cancelled"
            if action is Action.CANCEL
            else f"P{facts.priority} {word} bulletin #{facts.bulletin_id}".replace("  ", " ")
        )
        note_body = "Open Lookout for details."
        data: Mapping[str, str] = common
    else:
        note_title = title(facts, action, sighting)
        note_body = body(facts, action, audience, tz, sighting)
        data = common | {
            "bulletin_kind": facts.kind,
            "plate_pattern": facts.plate_pattern or "",
            "expires_at": facts.expires_at.isoformat() if facts.expires_at else "",
            "heading_deg": "" if facts.direction_deg is None else f"{facts.direction_deg:g}",
        }
        if sighting is not None:
            data = data | {
                "read_id": str(sighting.read_id),
                "plate": sighting.plate,
                "read_at": sighting.read_at.isoformat(),
                "lat": "" if sighting.lat is None else f"{sighting.lat:.6f}",
                "lon": "" if sighting.lon is None else f"{sighting.lon:.6f}",
            }
    return PushMessage(
        token=token,
        platform=platform,
        title=note_title,
        body=note_body,
        data=data,
        collapse_key=collapse_key(facts.bulletin_id),
        ttl_s=ttl_s,
        urgent=facts.priority <= 3,
    )


def collapse_key(bulletin_id: int) -> str:
    return f"bulletin-{bulletin_id}"


def sighting_words(sighting: Sighting, now: datetime, tz: ZoneInfo) -> str:
    """E.g. "6 min ago, 14:05:03 PDT by International Blvd & 14th, heading east (7ABX123)";
    the time is dated when not today."""
    text = f"{seen_when(sighting.read_at, now, tz)} by {sighting.camera_name}"
    if sighting.heading_deg is not None:
        text += f", heading {compass(sighting.heading_deg)}"
    return f"{text} ({sighting.plate})"


def _where(audience: Audience, to_sighting: bool) -> str:
    if audience.distance_m is None:
        return ""
    if not to_sighting and audience.inside_area:
        return "You are in the search area."
    d = audience.distance_m
    text = f"{d:.0f} m" if d < 1000 else f"{d / 1000:.1f} km"
    target = "" if to_sighting else " from the search area"
    if audience.bearing_deg is not None:
        return f"{text}{target}, {compass(audience.bearing_deg)} of you"
    return f"{text}{target}"
