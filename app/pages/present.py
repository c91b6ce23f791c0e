"""What the pages show of an alert, worked out once from its API shape (AlertPublic): the
plate with its misread characters marked, why it is wanted, warnings, who is responding, the
distance and ETA from the officer, and the map's layers."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alerts.lifecycle import ACTIVE
from app.models import AlertRecipient, OfficerStatus
from app.schemas.alerts import AlertPublic, BulletinDetails, HotListHitDetails
from app.schemas.lifecycle import ResponsePublic
from geo import Point
from geo.coords import compass, distance_m

# A car's average speed to a call in town, for an ETA when routing gave none.
TOWN_SPEED_MPS = 12.0


@dataclass(frozen=True, slots=True)
class PlateChar:
    char: str
    differs: bool
    listed: str | None  # what the entry has there, where the read differs


@dataclass(frozen=True, slots=True)
class AlertPage:
    heading: str  # what kind of alert, in a few words
    plate: list[PlateChar]
    exact: bool
    match_label: str
    why: str
    warnings: list[str]
    vehicle: str
    camera: str | None
    motion: str | None
    direction: str | None
    distance_m: float | None
    eta_s: float | None
    responders: list[ResponsePublic]
    my_answer: str | None
    has_image: bool
    details: list[tuple[str, str]] = field(default_factory=list)


def alert_page(
    alert: AlertPublic,
    *,
    me: OfficerStatus | None,
    recipient: AlertRecipient | None,
    my_id: int,
    now: datetime,
) -> AlertPage:
    details = alert.details
    target = _car(alert)
    here = Point(me.lat, me.lon) if me and me.lat is not None and me.lon is not None else None
    away = distance_m(here, target) if here and target else None
    eta = recipient.eta_s if recipient and recipient.eta_s is not None else None
    if eta is None and away is not None:
        eta = away / TOWN_SPEED_MPS
    latest: dict[int, ResponsePublic] = {}
    for response in details.responses:
        latest[response.user_id] = response
    responders = [r for r in latest.values() if r.status in ACTIVE]
    mine = latest.get(my_id)
    if isinstance(details, HotListHitDetails):
        return AlertPage(
            heading=f"{details.list} · {details.list_kind.replace('_', ' ')}",
            plate=_plate(details),
            exact=details.match == "exact",
            match_label=details.match_label,
            why=details.reason or details.list_kind.replace("_", " "),
            warnings=details.warnings,
            vehicle=_vehicle(details.record_vehicle.model_dump()),
            camera=details.camera,
            motion=details.motion,
            # The motion names the heading when it is known: once is enough on a phone.
            direction=(
                compass(details.heading_deg)
                if details.heading_deg is not None and not details.motion
                else None
            ),
            distance_m=away,
            eta_s=eta,
            responders=responders,
            my_answer=mine.status.value if mine else None,
            has_image=False,
            details=[
                ("List", f"{details.list} ({details.list_kind.replace('_', ' ')})"),
                ("Case", details.case_number or "—"),
                ("Listed plate", f"{details.plate_listed} {details.entry_state or ''}".strip()),
                ("Camera saw", _vehicle(details.camera_vehicle.model_dump()) or "—"),
                ("Note", details.note or "—"),
            ],
        )
    assert isinstance(details, BulletinDetails)
    return AlertPage(
        heading=f"Bulletin {details.bulletin_id} · {details.bulletin_kind.replace('_', ' ')}",
        plate=[PlateChar(c, False, None) for c in (details.plate_pattern or alert.plate or "")],
        exact=False,
        match_label=f"BULLETIN · {details.bulletin_kind.replace('_', ' ').upper()}",
        why=details.narrative or details.bulletin_kind.replace("_", " "),
        warnings=details.warnings,
        vehicle=details.vehicle,
        camera=None,
        motion=details.last_seen,
        direction=details.direction,
        distance_m=away,
        eta_s=eta,
        responders=responders,
        my_answer=mine.status.value if mine else None,
        has_image=False,
        details=[
            ("Area", details.area_text),
            ("Case", details.case_number or "—"),
            ("Bulletin", details.status),
            ("Reads that fit", str(details.matches)),
        ],
    )


def _plate(details: HotListHitDetails) -> list[PlateChar]:
    differs: dict[int, str] = {}
    if details.matching is not None:
        for difference in details.matching.differences:
            differs[difference.position] = difference.listed
    return [
        PlateChar(char, position in differs, differs.get(position))
        for position, char in enumerate(details.plate_read, start=1)
    ]


def _vehicle(parts: dict[str, Any]) -> str:
    words = [parts.get("color"), parts.get("year"), parts.get("make"), parts.get("model")]
    text = " ".join(str(w) for w in words if w)
    return f"{text} ({parts['type']})" if parts.get("type") and text else text


def _car(alert: AlertPublic) -> Point | None:
    details = alert.details
    if isinstance(details, HotListHitDetails) and details.car_at is not None:
        return Point(*details.car_at)
    if alert.lat is not None and alert.lon is not None:
        return Point(alert.lat, alert.lon)
    return None


def map_of_alert(alert: AlertPublic, *, me: OfficerStatus | None) -> dict[str, Any]:
    """The alert page's map: the trail (oldest first), the car now and its heading, the
    officer, and a bulletin's area as posted."""
    details = alert.details
    trail = [
        {"lat": p.lat, "lon": p.lon, "heading": p.heading_deg, "label": p.camera}
        for p in details.trail
        if p.lat is not None and p.lon is not None
    ]
    car = _car(alert)
    heading = details.heading_deg if isinstance(details, HotListHitDetails) else None
    if isinstance(details, BulletinDetails):
        heading = details.direction_deg
    return {
        "trail": trail,
        "car": [car.lat, car.lon] if car else None,
        "heading": heading,
        "me": [me.lat, me.lon] if me and me.lat is not None and me.lon is not None else None,
        "area": details.area if isinstance(details, BulletinDetails) else None,
        "priority": alert.priority,
    }
