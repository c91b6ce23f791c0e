"""API shapes of hot lists, their entries, match policies and file imports."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

from app.schemas.common import Input, Moment, Patch, StateCode, Vehicle, plate_text
from lpr import plates
from lpr.errors import LprError
from lpr.patterns import Pattern

MAX_ENTRIES_PER_REQUEST = 5000


def _entry_plate(raw: str) -> str:
    if "?" not in raw and "*" not in raw:
        return plate_text(raw)
    try:
        Pattern(plates.normalize_pattern(raw))
    except LprError as error:
        raise ValueError(str(error)) from None
    return raw


EntryPlate = Annotated[
    str,
    Field(
        min_length=1,
        max_length=plates.MAX_RAW_LENGTH,
        description="A plate, or a partial plate: ? one unknown character, * any run",
    ),
    AfterValidator(_entry_plate),
]


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


class MatchPolicyIn(Input):
    """How far a read may differ from an entry of this list and still hit it. A camera misreads
    look-alike characters (O/0, B/8); allowing one such difference catches them, at the price of
    hits an officer must treat as a possible misread. Edits (a missing, extra or other character)
    widen it further and are off by default."""

    model_config = ConfigDict(extra="forbid")

    confusable_max: Annotated[
        int, Field(ge=0, le=2, description="OCR look-alikes (O/0, B/8 ...)")
    ] = 1
    edit_max: Annotated[int, Field(ge=0, le=2, description="missing/extra/other characters")] = 0
    broad_confusables: bool = Field(default=False, description="also 3/8/B, E/F/P, H/K/M/R ...")
    ignore_state: bool = Field(default=False, description="match whatever state is read")


DispatchFirstIn = Literal["auto", "always", "never"]
DISPATCH_FIRST_TEXT = (
    "Who hears of a hit first: `auto` holds P3/P4 hits, possible misreads and doubtful reads "
    "in the dispatcher queue (GET /v1/dispatch/queue) and sends the rest to officers; "
    "`always` holds every hit (records a dispatcher confirms before officers act); `never` "
    "sends every hit to officers at once"
)


class HotListCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    kind: HotListKind
    priority: Annotated[int, Field(ge=1, le=4, description="1 most urgent ... 4 information only")]
    description: Annotated[str, Field(max_length=1000)] | None = None
    match: MatchPolicyIn | None = Field(
        default=None,
        description="Default: exact or one look-alike; local, covert and other lists: up to two "
        "look-alikes and one edit",
    )
    dispatch_first: DispatchFirstIn = Field(default="auto", description=DISPATCH_FIRST_TEXT)


class HotListUpdate(Patch):
    model_config = ConfigDict(extra="forbid")
    KEEPS_A_VALUE = frozenset({"name", "priority", "is_active", "dispatch_first"})

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    priority: Annotated[int, Field(ge=1, le=4)] | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    is_active: bool | None = None
    match: MatchPolicyIn | None = None
    dispatch_first: DispatchFirstIn | None = Field(default=None, description=DISPATCH_FIRST_TEXT)


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
    dispatch_first: str = Field(default="auto", description=DISPATCH_FIRST_TEXT)
    source: str | None = None
    refreshed_at: datetime | None = None


class EntryIn(Input):
    model_config = ConfigDict(extra="forbid")

    plate: EntryPlate
    state: StateCode = None
    reason: Annotated[str, Field(max_length=500)] | None = None
    case_number: Annotated[str, Field(max_length=60)] | None = None
    expires_at: Moment | None = None
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
    false_hits: int = Field(
        default=0, description="its hits that ended as misread or wrong vehicle"
    )
    review_flagged_at: datetime | None = Field(
        default=None,
        description="when it was flagged for review (LOOKOUT_REVIEW_AFTER_FALSE_HITS false hits)",
    )
    review_reason: str | None = None


class FlaggedEntry(EntryPublic):
    """An entry flagged for review, with its list."""

    hotlist_name: str


class EntriesAdded(BaseModel):
    added: int
    entry_ids: list[int]
    retro_hits: int = 0
    already_listed: list[int] = Field(
        default=[], description="Existing entries that some of these plates repeat"
    )


class ImportProblem(BaseModel):
    kind: str = Field(
        description="unparseable_plate, bad_state, bad_value, short_line, unknown_code (a list "
        "code imported as `other`, the raw code kept), header (line 1 taken as the header), "
        "no_header (line 1 reads as a record: imported; check the file), no_state, expired, "
        "duplicate or twins (O/0, I/1 variants of one plate)"
    )
    lines: list[int]
    message: str


class ImportReport(BaseModel):
    """What an import did. Rows with an unreadable plate are skipped and listed; rows with a
    bad state or value are kept with that field empty, and listed; expired rows are skipped.
    `entry_ids` are the first 5,000 added; `problems` lists the first 1,000 of each kind and
    `problem_counts` says how many of each kind there were."""

    rows: int
    added: int
    removed: int = 0
    unchanged: int = 0
    expired: int = 0
    entry_ids: list[int]
    problems: list[ImportProblem]
    problem_counts: dict[str, int] = {}
    retro_hits: int = 0
