"""A plate read as every intake produces it: our JSON API and each vendor's format."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """One OCR guess; `confidence` is 0..1."""

    plate: str
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class VehicleSeen:
    """What the camera classified, each attribute with its own confidence (0..1) when given."""

    make: str | None = None
    model: str | None = None
    color: str | None = None
    type: str | None = None
    year: int | None = None
    make_confidence: float | None = None
    model_confidence: float | None = None
    color_confidence: float | None = None
    type_confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Read:
    """One plate read. Times are UTC-aware; `read_at` None means "use the time received".

    `candidates` holds every OCR guess, best first, including `plate` itself. `source_id` is the
    vendor's event id (for idempotent retries); `camera_ref` the vendor's camera identifier.
    """

    plate: str
    state: str | None = None
    read_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    heading_deg: float | None = None
    confidence: float | None = None
    candidates: tuple[Candidate, ...] = ()
    vehicle: VehicleSeen = field(default_factory=VehicleSeen)
    image_url: str | None = None
    # Which way the car moved relative to the camera, in the vendor's words ("approaching",
    # "moving away", "in", "out"): not a compass heading, which only the camera's placement gives.
    direction: str | None = None
    camera_ref: str | None = None
    source_id: str | None = None
    notes: tuple[str, ...] = ()  # what normalisation changed or doubted (e.g. "time unreadable")
