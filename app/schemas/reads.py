"""API shapes of plate reads posted by cameras and searched by investigators."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
)

import lpr
from app.schemas.common import (
    Confidence,
    Heading,
    Input,
    Located,
    PlateText,
    StateCode,
    Vehicle,
    http_url,
)

MAX_READS_PER_REQUEST = 1000


class Candidate(Input):
    plate: PlateText
    confidence: Confidence | None = None


class ReadIn(Located):
    """One plate read. Only `plate` is required; everything else the camera knows makes the
    alert better (where and which way the car went, how sure the camera was, what it looked
    like). Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "plate": "7ABC123", "state": "CA", "read_at": "2026-12-07T02:14:05-08:00",
                    "lat": 37.7765, "lon": -122.2168, "heading": 95, "confidence": 0.93,
                    "candidates": [{"plate": "7A8C123", "confidence": 0.41}],
                    "vehicle": {"make": "Honda", "model": "Civic", "color": "silver"},
                    "image_url": "https://camera-12.example.org/reads/88123.jpg",
                }
            ]
        },
    )  # fmt: skip

    plate: PlateText = Field(description="As read; spaces, dashes and case do not matter")
    state: StateCode = Field(
        default=None, description="Two-letter state or province code, when the camera read it"
    )
    read_at: AwareDatetime | None = Field(
        default=None, description="With a time zone; defaults to the time received."
    )
    heading: Heading | None = Field(
        default=None, description="The car's direction of travel, degrees clockwise from north"
    )
    confidence: Confidence | None = Field(
        default=None, description="The camera's confidence in the plate text, 0 to 1"
    )
    candidates: Annotated[
        list[Candidate],
        Field(
            default_factory=list,
            max_length=20,
            description="The camera's other readings of the same plate, best first",
        ),
    ]
    vehicle: Vehicle | None = Field(default=None, description="What the camera saw of the car")
    image_url: Annotated[str, Field(max_length=2048), AfterValidator(http_url)] | None = Field(
        default=None, description="Where the camera keeps the picture (http or https)"
    )

    def to_read(self) -> lpr.Read:
        """The read as every intake hands it over (app/reads/rows.py)."""
        vehicle = self.vehicle or Vehicle()
        return lpr.Read(
            plate=self.plate, state=self.state, read_at=self.read_at, lat=self.lat,
            lon=self.lon, heading_deg=self.heading, confidence=self.confidence,
            candidates=tuple(lpr.Candidate(c.plate, c.confidence) for c in self.candidates),
            vehicle=lpr.VehicleSeen(
                make=vehicle.make, model=vehicle.model, color=vehicle.color,
                type=vehicle.type, year=vehicle.year,
            ),
            image_url=self.image_url,
        )  # fmt: skip


class ReadBatchIn(Input):
    reads: Annotated[list[ReadIn], Field(min_length=1, max_length=MAX_READS_PER_REQUEST)]


class ReadsAccepted(BaseModel):
    """Stored; nothing about matches, which cameras never learn (a key is no list oracle)."""

    accepted: int
    read_ids: list[int]


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
