"""API shapes of alerts, who they reached and acknowledgements, and of `alert.details`: what
the phone and the console show of a hit or a bulletin, one model per kind.

The details are stored as JSON (`stored_json`) and read back with these models, so a key
added later has a default: alerts raised before it still load. Every key is written, so the
response schema marks them all required. The alert's life after the push (`confirmation`,
`responses`, `escalation`, `outcome`) lives in its own tables; those keys are never stored, and
are filled in when the alert is served (app/lifecycle/view.py).
"""

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
)

from app.schemas.lifecycle import (
    ConfirmationPublic,
    EscalationPublic,
    OutcomePublic,
    ResponsePublic,
)
from lpr.explain import DiffKind, Quality


def _isoformat(value: datetime) -> str:
    return value.isoformat()


# Written as isoformat() wrote it before these models ("+00:00"; pydantic would write "Z"):
# phones parse these strings.
IsoDatetime = Annotated[
    AwareDatetime,
    PlainSerializer(_isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class _Stored(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class HitVehicle(_Stored):
    """A vehicle as the hot-list entry records it or the camera saw it; any part may be unknown."""

    year: int | None = None
    make: str | None = None
    model: str | None = None
    color: str | None = None
    type: str | None = Field(default=None, description="Body type: sedan, SUV, pickup ...")


class MatchDifference(_Stored):
    kind: DiffKind
    position: int = Field(description="1-based, in the read (in the entry for `missing`)")
    read: str = Field(description="what the camera read there")
    listed: str = Field(description="what the entry has there")


class MatchDetails(_Stored):
    """How the read matched the entry: every field of the matcher's hit, for the audit of a
    stop."""

    quality: Quality
    read_key: str = Field(description="the OCR candidate that matched, normalised")
    listed_key: str = Field(description="the entry's plate (or pattern), normalised")
    substitutions: int = Field(description="OCR look-alikes swapped (O/0, B/8 ...)")
    edits: int = Field(description="characters missing, extra or different")
    candidate_rank: int = Field(description="1: the camera's best guess matched")
    candidate_count: int
    candidate_confidence: float | None
    pattern: str | None = Field(description="the partial plate matched, when the entry is one")
    differences: list[MatchDifference]


class HitTrailPoint(_Stored):
    """One read of the car while the alert was open."""

    read_id: int
    hit_id: int
    read_at: IsoDatetime
    camera: str
    lat: float | None
    lon: float | None
    heading_deg: float | None
    beat: str | None
    plate: str = Field(description="as read")


class SparedOfficer(_Stored):
    """An officer in range the policy did not tell of the hit, and why."""

    user_id: int
    why: str = Field(description='e.g. "responding to another alert"')


class DispatchPublic(_Stored):
    """The hit in the dispatcher queue (GET /v1/dispatch/queue)."""

    queued_at: IsoDatetime
    reason: str = Field(description="why it waits for a dispatcher")
    hold: bool = Field(description="true: no officer is pushed until a dispatcher promotes it")
    cleared_at: IsoDatetime | None = Field(
        default=None, description="when it left the queue: promoted, or officers told"
    )
    cleared_by: int | None = Field(default=None, description="the dispatcher who promoted it")


class HotListHitDetails(_Stored):
    """A read that matched a hot-list entry (alert kinds `hotlist_hit` and `historical_hit`).
    The field `list` hides the builtin in this class body, hence `builtins.list`."""

    kind: Literal["hotlist_hit"]
    read_id: int = Field(description="the newest read of the car")
    hit_id: int
    entry_id: int
    hotlist_id: int
    list: str = Field(description="the hot list's name")
    list_kind: str = Field(description="stolen_vehicle, stolen_plate, wanted_person, covert ...")
    reason: str | None = Field(description="why the plate is listed")
    case_number: str | None
    plate_read: str
    plate_listed: str
    entry_state: str | None
    read_state: str | None
    match: Quality
    match_label: str = Field(description='"EXACT" or "POSSIBLE MISREAD — verify plate"')
    explanation: str | None = Field(
        default=None, description='e.g. "read 7A8C123, entry 7ABC123: position 3 read 8, ..."'
    )
    matching: MatchDetails | None = None
    warnings: builtins.list[str] = Field(
        description="what to check before a stop, most important first (e.g. the camera saw "
        "another make than the record's)"
    )
    record_vehicle: HitVehicle = Field(description="the vehicle on the hot-list entry")
    camera_vehicle: HitVehicle = Field(description="the vehicle the camera saw")
    camera: str
    heading_deg: float | None = Field(description="the read's heading, degrees from north")
    note: str | None = Field(description="the entry's note")
    beat: str | None = None
    motion: str | None = Field(
        default=None, description='e.g. "heading east, about 40 km/h, last seen 35 s ago"'
    )
    covert: bool | None = Field(
        default=None,
        description="a covert list's hit: only the list's owner, supervisors and admins see it",
    )
    notify_dispatch: bool | None = None
    search_radius_m: float | None = Field(
        default=None, description="the radius officers were last searched in; null: none"
    )
    widened: int | None = Field(
        default=None, description="how many steps past the first radius the search went"
    )
    car_at: tuple[float, float] | None = Field(
        default=None, description="[lat, lon] where the car is estimated to be now"
    )
    trail: builtins.list[HitTrailPoint] = Field(
        default_factory=builtins.list,
        description="the reads of the car, oldest first (the newest 50)",
    )
    confirmation: ConfirmationPublic | None = Field(
        default=None, description="the record's confirmation with its originating agency"
    )
    responses: builtins.list[ResponsePublic] = Field(
        default_factory=builtins.list, description="every officer's answers, oldest first"
    )
    escalation: EscalationPublic | None = Field(
        default=None, description="the escalation ladder: steps taken, the next one and when"
    )
    outcome: OutcomePublic | None = Field(default=None, description="null while open")
    spared: builtins.list[SparedOfficer] = Field(
        default_factory=builtins.list,
        description="officers the policy did not tell at the latest sighting, and why",
    )
    dispatch: DispatchPublic | None = Field(
        default=None, description="the dispatcher queue: null if the hit never waited there"
    )


class BulletinTrailPoint(_Stored):
    """A stored read that fits the bulletin."""

    read_id: int
    read_at: IsoDatetime
    plate: str = Field(description="as read")
    plate_key: str
    state: str | None
    camera_id: int
    camera: str
    lat: float | None
    lon: float | None
    heading_deg: float | None
    heading: str | None = Field(description='the heading in words ("north", "southeast" ...)')
    source: str = Field(description="retro (stored before) or live")
    score: float = Field(description="0..1: pattern strength, description, direction")
    reasons: list[str]
    unknown: list[str] = Field(description="what could not be checked")
    warnings: list[str]
    seen: str = Field(description='e.g. "6 min ago by International Blvd & 14th, heading east"')


class BulletinDetails(_Stored):
    """A dispatcher's bulletin (BOLO) and the reads that fit it (alert kind `bulletin`)."""

    kind: Literal["bulletin"]
    bulletin_id: int
    version: int = Field(description="raised by every change to the bulletin")
    status: str = Field(description="active, cancelled or expired")
    bulletin_kind: str = Field(
        description="robbery, carjacking, stolen_vehicle, amber, missing_person or other"
    )
    case_number: str | None
    narrative: str | None
    vehicle: str = Field(
        description='in words, e.g. "silver 2014-2016 Honda Civic (sedan), plate 7AB* (CA)"'
    )
    plate_pattern: str | None = Field(description="as written: ? one character, * any run")
    plate_key: str | None = Field(description="the pattern normalised: A-Z, 0-9, ? and *")
    direction_deg: float | None = Field(description="direction of travel, degrees from north")
    direction: str | None = Field(description='the direction in words ("east" ...)')
    area: dict[str, Any] = Field(
        description='as posted: {"center": {"lat", "lon"}, "radius_m"}, {"polygon": <GeoJSON>} '
        'or {"beats": [...]}'
    )
    area_text: str = Field(description='in words, e.g. "within 1.5 km of ..."')
    occurred_at: IsoDatetime
    expires_at: IsoDatetime | None = Field(description="null: until cancelled")
    cancel_reason: str | None
    match: Literal["bulletin"]
    matches: int = Field(description="reads that fit the bulletin so far")
    last_seen: str | None = Field(description="the newest of them in words")
    warnings: list[str]
    trail: list[BulletinTrailPoint] = Field(description="the newest 50, oldest first")
    responses: list[ResponsePublic] = Field(
        default_factory=list, description="every officer's answers, oldest first"
    )


AlertDetails = Annotated[HotListHitDetails | BulletinDetails, Field(discriminator="kind")]

_details = TypeAdapter[HotListHitDetails | BulletinDetails](AlertDetails)


LIFE_KEYS = frozenset({"confirmation", "responses", "escalation", "outcome"})


def stored_json(details: HotListHitDetails | BulletinDetails) -> dict[str, Any]:
    """The details as stored in `alert.details`: without the life after the push, which its
    own tables hold."""
    return details.model_dump(mode="json", exclude=set(LIFE_KEYS))


def details_of(stored: Mapping[str, Any]) -> HotListHitDetails | BulletinDetails:
    """An alert's stored `details` JSON as its model."""
    return _details.validate_python(stored)


class _Match(BaseModel):
    match: str = ""


def match_of(stored: Mapping[str, Any]) -> str:
    """The `match` of an alert's stored details, alone: what alert lists show. (Validating
    whole details, trails and all, costs about 0.3 ms an alert.)"""
    return _Match.model_validate(stored).match


class NoticePublic(BaseModel):
    """One push to one officer and why: the policy's account, for a supervisor's audit."""

    id: int
    at: datetime
    action: str = Field(
        description="hit, sighting, promoted, match (a bulletin's), new, update, cancel, "
        "escalation, confirmation, response, close"
    )
    loud: bool = Field(description="it rang; false: a quiet data-only update (no sound)")
    why_officer: str = Field(description='why this officer, e.g. "best placed (1st): 400 m away"')
    why_now: str = Field(description="why at this moment")
    why_sound: str = Field(description="why it rang, or came quietly")
    deliveries: int = Field(description="the officer's working devices it was queued to")


class DeliveryPublic(BaseModel):
    """One push to one of the officer's devices, as the outbox holds it."""

    device_id: int
    status: str = Field(
        description="queued, sending, sent (accepted by FCM: not proof the phone showed it) or "
        "failed (given up: token gone, rejected, or out of attempts)"
    )
    attempts: int
    sent_at: datetime | None
    last_error: str | None
    action: str | None = Field(description="what the push was (the action of its notice)")
    quiet: bool = Field(description="a data-only update, without sound")
    notice_id: int | None = Field(description="the push (`pushes[].id`) it delivered")


class RecipientPublic(BaseModel):
    user_id: int
    name: str
    rank: int
    reason: str
    distance_m: float | None
    eta_s: float | None
    last_pushed_at: datetime | None
    acknowledged_at: datetime | None
    deliveries: list[DeliveryPublic]
    pushes: list[NoticePublic] = Field(
        default_factory=list, description="every push to this officer, oldest first, with why"
    )


class AlertSummary(BaseModel):
    id: int
    kind: str
    priority: int
    title: str
    plate: str
    state: str | None
    match: str
    read_at: datetime
    created_at: datetime
    status: str
    recipients: int
    sightings: int
    beat: str | None
    last_seen_at: datetime | None
    confirmation: str | None = Field(
        description="unconfirmed, requested, confirmed, not_confirmed or expired; null for a "
        "bulletin"
    )
    escalation_level: int = Field(description="escalation steps taken (next ring, desk, ...)")
    escalated_at: datetime | None = Field(description="when it reached the dispatcher desk")
    disposition: str | None = Field(description="how it ended; null while open")
    closed_at: datetime | None


class AlertsPublic(BaseModel):
    data: list[AlertSummary]
    count: int


class AlertPublic(AlertSummary):
    body: str
    lat: float | None
    lon: float | None
    details: AlertDetails = Field(
        description="what the phone and the console show of the hit or bulletin; `kind` says "
        "which (a historical hit's details are of kind hotlist_hit)"
    )
    notified: list[RecipientPublic]


class AckOut(BaseModel):
    alert_id: int
    acknowledged_at: datetime
