"""What a vendor parser returns: `Parsed`, one of four frozen values.

- `Reads`: plate reads, ready for matching, with the ids that tie a vendor's per-frame and
  per-vehicle messages together and any inline images lifted out of the reads.
- `Heartbeat`: the vendor software is alive; per camera, whether it streams.
- `Sighting`: vehicles seen without a readable plate. Nothing to match; the app counts them
  for camera health and stores no read (a read needs a plate).
- `Ignored`: a message type that carries no read (a review, a test webhook, an unknown
  `data_type`), with the reason.

A body that cannot be read at all raises `VendorFormatError` instead.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lpr.read import Read, VehicleSeen

DEFAULT_MAX_IMAGE_BYTES = 2 * 1024 * 1024


class ImageKind(StrEnum):
    PLATE_CROP = "plate_crop"
    VEHICLE_CROP = "vehicle_crop"
    CONTEXT = "context"  # the whole frame or an overview


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image the vendor sent inside the message, decoded and size-checked.

    `read_index` points into `Reads.reads`, or is None when the image belongs to every read of
    the message (a frame uploaded beside a Plate Recognizer webhook). It is never kept in `Read`.
    """

    read_index: int | None
    kind: ImageKind
    media_type: str  # image/jpeg, image/png, image/gif or image/webp
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Reads:
    """One or more plate reads from one message.

    `related_ids[i]` lists other vendor ids that describe the same vehicle passage as
    `reads[i]` (an OpenALPR group names the frames it was built from). A read is a duplicate of
    a stored one when `keys(i)` shares an id with the stored read's keys, on the same camera.
    `notes` says what was skipped in the message (a result without a readable plate, an image
    over the size cap); per-read doubts are in `Read.notes`.
    """

    reads: tuple[Read, ...]
    kind: str
    related_ids: tuple[tuple[str, ...], ...] = ()
    images: tuple[InlineImage, ...] = ()
    camera_label: str | None = None  # the vendor's name for the camera, when it gives one
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.reads:
            raise ValueError("Reads needs at least one read; use Ignored for none")
        if not self.related_ids:
            object.__setattr__(self, "related_ids", ((),) * len(self.reads))
        if len(self.related_ids) != len(self.reads):
            raise ValueError("related_ids must have one entry per read")
        for image in self.images:
            if image.read_index is not None and not 0 <= image.read_index < len(self.reads):
                raise ValueError(f"image read_index {image.read_index} is out of range")

    def keys(self, index: int) -> tuple[str, ...]:
        """Every id of `reads[index]`: its `source_id` first, then the related ids."""
        source_id = self.reads[index].source_id
        own = (source_id,) if source_id else ()
        return own + tuple(i for i in self.related_ids[index] if i != source_id)


@dataclass(frozen=True, slots=True)
class CameraStatus:
    """One camera as a heartbeat reports it."""

    camera_ref: str
    name: str | None = None
    streaming: bool | None = None
    last_frame_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The vendor software says it is alive. `sent_at` None: its clock was unreadable."""

    kind: str
    received_at: datetime
    sent_at: datetime | None = None
    agent_ref: str | None = None
    agent_version: str | None = None
    cameras: tuple[CameraStatus, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def camera_refs(self) -> tuple[str, ...]:
        return tuple(camera.camera_ref for camera in self.cameras)


@dataclass(frozen=True, slots=True)
class SeenVehicle:
    """A vehicle without a readable plate; fields as in `Read`."""

    vehicle: VehicleSeen
    seen_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    heading_deg: float | None = None
    camera_ref: str | None = None
    source_id: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sighting:
    """Vehicles seen, none with a plate. Lookout stores no read for them (see module doc)."""

    vehicles: tuple[SeenVehicle, ...]
    kind: str
    images: tuple[InlineImage, ...] = ()  # read_index is an index into `vehicles`


@dataclass(frozen=True, slots=True)
class Ignored:
    """A readable message that carries no read, deliberately skipped."""

    reason: str
    kind: str


Parsed = Reads | Heartbeat | Sighting | Ignored
