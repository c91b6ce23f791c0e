"""API shapes: what clients send and what they get back. Tables live in app/models.py."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from lpr import plates
from lpr.errors import LprError
from lpr.patterns import Pattern

MAX_READS_PER_REQUEST = 1000
MAX_ENTRIES_PER_REQUEST = 5000


def _plate(raw: str) -> str:
    try:
        plates.parse(raw)
    except LprError as error:
        raise ValueError(str(error)) from None
    return raw


def _state(raw: str | None) -> str | None:
    try:
        return plates.normalize_state(raw)
    except LprError as error:
        raise ValueError(str(error)) from None


def _http_url(raw: str | None) -> str | None:
    if raw is not None and not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw


def _entry_plate(raw: str) -> str:
    if "?" not in raw and "*" not in raw:
        return _plate(raw)
    try:
        Pattern(plates.normalize_pattern(raw))
    except LprError as error:
        raise ValueError(str(error)) from None
    return raw


PlateText = Annotated[
    str, Field(min_length=1, max_length=plates.MAX_RAW_LENGTH), AfterValidator(_plate)
]
EntryPlate = Annotated[
    str,
    Field(
        min_length=1,
        max_length=plates.MAX_RAW_LENGTH,
        description="A plate, or a partial plate: ? one unknown character, * any run",
    ),
    AfterValidator(_entry_plate),
]
StateCode = Annotated[str | None, Field(default=None, max_length=8), AfterValidator(_state)]
ShortText = Annotated[str, Field(max_length=200)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Heading = Annotated[float, Field(ge=0, le=360)]
Confidence = Annotated[float, Field(ge=0, le=1)]


class Vehicle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    make: Annotated[str, Field(max_length=60)] | None = None
    model: Annotated[str, Field(max_length=60)] | None = None
    color: Annotated[str, Field(max_length=40)] | None = None
    type: Annotated[str, Field(max_length=40)] | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Candidate(BaseModel):
    plate: PlateText
    confidence: Confidence | None = None


class _Located(BaseModel):
    lat: Latitude | None = None
    lon: Longitude | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Any:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


class ReadIn(_Located):
    """One plate read. Only `plate` is required."""

    model_config = ConfigDict(extra="ignore")

    plate: PlateText
    state: StateCode = None
    read_at: AwareDatetime | None = Field(
        default=None, description="With a time zone; defaults to the time received."
    )
    heading: Heading | None = None
    confidence: Confidence | None = None
    candidates: Annotated[list[Candidate], Field(max_length=20)] = []
    vehicle: Vehicle | None = None
    image_url: Annotated[str, Field(max_length=2048), AfterValidator(_http_url)] | None = None


class ReadBatchIn(BaseModel):
    reads: Annotated[list[ReadIn], Field(min_length=1, max_length=MAX_READS_PER_REQUEST)]


class ReadsAccepted(BaseModel):
    accepted: int
    read_ids: list[int]
    hits: int


class ReadPublic(BaseModel):
    id: int
    camera_id: int
    plate: str
    state: str | None
    read_at: datetime
    received_at: datetime
    lat: float | None
    lon: float | None
    heading: float | None
    confidence: float | None
    candidates: list[dict[str, Any]] | None
    vehicle: Vehicle
    image_url: str | None = Field(
        description="An http(s) URL from the camera, or /v1/reads/{id}/image when Lookout keeps "
        "the image the vendor sent inline"
    )
    details: dict[str, Any] | None = Field(
        default=None,
        description="Reads from vendor intake: vendor, message kind, camera_ref, source_id, "
        "normalisation notes, vehicle_confidence",
    )
    beat: str | None = None


class IntakeAccepted(BaseModel):
    """What a vendor message led to. `ignored` says why nothing was stored, when nothing was."""

    stored: int
    read_ids: list[int]
    duplicates: int = Field(description="reads already stored (a retry, or a frame of a group)")
    duplicate_of: list[int] = Field(description="the stored reads the duplicates repeat")
    hits: int
    ignored: str | None
    kind: str = Field(description="the vendor's message type, e.g. alpr_group, heartbeat")
    notes: list[str] = Field(description="what was skipped, dropped or doubted")
    camera_ids: list[int] = Field(description="the Lookout cameras the message concerned")
    sightings: int = Field(description="vehicles seen without a readable plate (not stored)")


# People, cameras, devices


class UserCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    role: Literal["admin", "dispatcher", "officer", "supervisor", "auditor"]
    badge: Annotated[str, Field(max_length=40)] | None = None


class UserPublic(BaseModel):
    id: int
    name: str
    role: str
    badge: str | None
    is_active: bool


class UserCreated(UserPublic):
    token: str = Field(description="Shown once; only its hash is stored.")


class CameraCreate(_Located):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    heading: Heading | None = None
    may_create_cameras: bool = Field(
        default=False,
        description="The key may post for vendor cameras not seen before (an LPR agent, an NVR, "
        "a webhook for many cameras); each is created unplaced on first sight",
    )


class CameraUpdate(_Located):
    """Place, rename or switch a camera; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    heading: Heading | None = None
    may_create_cameras: bool | None = None
    is_active: bool | None = None


class CameraHealth(BaseModel):
    last_read_at: datetime | None = Field(description="when its latest read arrived")
    last_heartbeat_at: datetime | None
    last_sighting_at: datetime | None = Field(description="a vehicle seen without a plate")
    reads_last_hour: int
    low_confidence_share: float | None = Field(
        description="share of last hour's reads (with a confidence) below camera_low_confidence"
    )
    streaming: bool | None = Field(description="as its last heartbeat said")
    silent: bool = Field(
        description="no read, heartbeat or sighting for camera_silent_after_s: a blind spot"
    )


class CameraSourcePublic(BaseModel):
    camera_ref: str
    label: str | None
    key_camera_id: int


class CameraPublic(BaseModel):
    id: int
    name: str
    lat: float | None
    lon: float | None
    heading: float | None
    key_hint: str | None = Field(description="None: no key of its own (found through a site key)")
    is_active: bool
    is_placed: bool = Field(description="false until it has a position")
    may_create_cameras: bool = False
    vendor_refs: list[CameraSourcePublic] = []
    health: CameraHealth | None = None


class CameraCreated(CameraPublic):
    api_key: str = Field(description="Shown once; only its hash is stored.")


class DeviceIn(BaseModel):
    token: Annotated[str, Field(min_length=8, max_length=4096)]
    platform: Literal["android", "ios", "web"]

    @field_validator("token")
    @classmethod
    def _no_whitespace(cls, token: str) -> str:
        if any(ch.isspace() for ch in token):
            raise ValueError("an FCM registration token has no whitespace")
        return token


class DevicePublic(BaseModel):
    id: int
    platform: str
    token_hint: str
    is_active: bool
    last_seen_at: datetime
    retired_reason: str | None


class LocationIn(_Located):
    lat: Latitude  # type: ignore[assignment]
    lon: Longitude  # type: ignore[assignment]
    accuracy_m: Annotated[float, Field(ge=0, le=100_000)] | None = None
    heading: Heading | None = None
    speed: Annotated[float, Field(ge=0, le=150, description="metres per second")] | None = None
    recorded_at: AwareDatetime | None = None


class LocationAccepted(BaseModel):
    recorded_at: datetime
    applied: bool = Field(description="False when a newer fix was already stored")
    is_fresh: bool = Field(description="Recent enough to be alerted")


class UnitLocation(LocationIn):
    """One unit's fix from a vehicle-location gateway: the officer by id or badge."""

    user_id: int | None = None
    badge: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _who(self) -> Any:
        if (self.user_id is None) == (self.badge is None):
            raise ValueError("name the officer by user_id or by badge (one of them)")
        return self


class LocationBatch(BaseModel):
    locations: Annotated[list[UnitLocation], Field(min_length=1, max_length=5000)]


class LocationBatchAccepted(BaseModel):
    accepted: int
    applied: int
    unknown: list[str]


class BeatAssignment(BaseModel):
    beat: Annotated[str, Field(max_length=20)] | None = Field(
        description="Beat code, e.g. 04X; null to unassign"
    )


class DutyIn(BaseModel):
    on_duty: bool


class OfficerStatusPublic(BaseModel):
    user_id: int
    name: str
    on_duty: bool
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    heading: float | None
    speed: float | None
    recorded_at: datetime | None
    is_fresh: bool
    active_devices: int
    assigned_beat: str | None = None


# Hot lists


HotListKind = Literal[
    "stolen_vehicle",
    "stolen_plate",
    "felony_vehicle",
    "wanted_person",
    "missing_person",
    "amber",
    "protection_order",
    "local",
    "covert",
    "other",
]


class MatchPolicyIn(BaseModel):
    """How far a read may differ from an entry of this list (DOMAIN.md 2.4)."""

    model_config = ConfigDict(extra="forbid")

    confusable_max: Annotated[
        int, Field(ge=0, le=2, description="OCR look-alikes (O/0, B/8 ...)")
    ] = 1
    edit_max: Annotated[int, Field(ge=0, le=2, description="missing/extra/other characters")] = 0
    broad_confusables: bool = Field(default=False, description="also 3/8/B, E/F/P, H/K/M/R ...")
    ignore_state: bool = Field(default=False, description="match whatever state is read")


class HotListCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    kind: HotListKind
    priority: Annotated[int, Field(ge=1, le=4, description="1 most urgent ... 4 information only")]
    description: Annotated[str, Field(max_length=1000)] | None = None
    match: MatchPolicyIn | None = Field(
        default=None,
        description="Default: exact or one look-alike; local, covert and other lists: up to two "
        "look-alikes and one edit",
    )


class HotListUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    is_active: bool | None = None
    match: MatchPolicyIn | None = None


class HotListPublic(BaseModel):
    id: int
    name: str
    kind: str
    priority: int
    description: str | None
    is_active: bool
    entries: int
    created_at: datetime
    match: MatchPolicyIn
    source: str | None = None
    refreshed_at: datetime | None = None


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plate: EntryPlate
    state: StateCode = None
    reason: Annotated[str, Field(max_length=500)] | None = None
    case_number: Annotated[str, Field(max_length=60)] | None = None
    expires_at: AwareDatetime | None = None
    vehicle: Vehicle | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class EntryPublic(BaseModel):
    id: int
    hotlist_id: int
    plate: str
    plate_key: str
    state: str | None
    reason: str | None
    case_number: str | None
    expires_at: datetime | None
    vehicle: Vehicle
    note: str | None
    created_at: datetime


class EntriesAdded(BaseModel):
    added: int
    entry_ids: list[int]
    retro_hits: int = 0
    already_listed: list[int] = Field(
        default=[], description="Existing entries that some of these plates repeat"
    )


class ImportProblem(BaseModel):
    kind: str = Field(
        description="unparseable_plate, bad_state, bad_value, short_line, no_state, expired, "
        "duplicate or twins (O/0, I/1 variants of one plate)"
    )
    lines: list[int]
    message: str


class ImportReport(BaseModel):
    """What an import did. Rows with an unreadable plate are skipped and listed; rows with a
    bad state or value are kept with that field empty, and listed; expired rows are skipped."""

    rows: int
    added: int
    removed: int = 0
    unchanged: int = 0
    expired: int = 0
    entry_ids: list[int]
    problems: list[ImportProblem]
    retro_hits: int = 0


# Alerts


class RecipientPublic(BaseModel):
    user_id: int
    name: str
    rank: int
    reason: str
    distance_m: float | None
    eta_s: float | None
    last_pushed_at: datetime | None
    acknowledged_at: datetime | None
    deliveries: list[dict[str, Any]]


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


class AlertsPublic(BaseModel):
    data: list[AlertSummary]
    count: int


class AlertPublic(AlertSummary):
    body: str
    lat: float | None
    lon: float | None
    details: dict[str, Any]
    notified: list[RecipientPublic]


class AckOut(BaseModel):
    alert_id: int
    acknowledged_at: datetime


class Health(BaseModel):
    status: str
    detail: str | None = None
