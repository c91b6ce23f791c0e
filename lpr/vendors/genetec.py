"""Genetec AutoVu: the plate read a SharpV (or a Patroller's Sharp) pushes by HTTP as JSON.

One message is one read → `Reads` (1 read), kind `read`. Every value is a string: numbers,
confidences, coordinates and GUIDs alike; unknowns are `"-"` and unset GUIDs all zeros.

Where each `Read` field comes from:

- `plate`: `Plate`, as sent.
- `confidence`: `ConfidenceScore`, else `Attributes["Confidence Score"]` (0–100).
- `state`: `State`, else `Attributes["State Name"]` (`CA`); one read below 50 %
  (`Attributes["State Name Confidence Score"]`) gives none, with a note.
- `read_at`: `DateUtc` + `TimeUtc` (`MM/DD/YYYY`, `HH:MM:SS`; a bridge that reads the day
  first would fail on the 24th). Sharps have been seen sending their local time in the UTC
  fields too (both pairs equal, in San Francisco): when `DateUtc`/`TimeUtc` equal
  `DateLocal`/`TimeLocal` and are hours away from the time received, they are read as local
  time (`timestamps.from_local`), with a note.
- `lat`, `lon`: `Latitude`, `Longitude` (decimal strings; the DMS fields repeat them).
- `direction`: `Attributes["Relative Motion"]` (`Approaching`, `Moving Away`).
- `vehicle`: `Attributes["Vehicle Make"]`, `["Vehicle Model"]`, `["Vehicle Color"]`,
  `["Vehicle Type"]`, each with its `... Confidence Score` when sent; `"-"` is no answer.
- `camera_ref`: `genetec:<SharpName>`, else `genetec:<CameraName>`. `Reads.camera_label`:
  `CameraName`, with `PatrollerName` for a patrol car.
- `source_id`: `VehicleID` (the read's GUID), else `<camera>@<date> <time>/<plate>`.
- images: `ContextImage` (context), `PlateImage` (plate crop), `OverviewImage` (context), base64
  JPEG.

Ignored: `IsHit` and hit fields (Lookout matches against its own lists), `UserId`, `UserName`,
`ParkingLot`, `PermitName`, `InventoryLocation`, `Address`, the DMS coordinates.
"""

from collections.abc import Mapping
from datetime import datetime

from lpr.read import Candidate, Read, VehicleSeen
from lpr.vendors import fields, images, timestamps
from lpr.vendors.body import JsonObject, read_object
from lpr.vendors.common import DEFAULT_MAX_IMAGE_BYTES, Ignored, ImageKind, Parsed, Reads
from lpr.vendors.errors import VendorFormatError

MIN_STATE_CONFIDENCE = 0.5
_NO_GUID = "00000000-0000-0000-0000-000000000000"
_LOCAL_GAP_S = 15 * 60  # "UTC" this far from the time received, and equal to local: local


def parse(
    body: bytes | str | Mapping[str, object],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """One AutoVu read (JSON); raises VendorFormatError when the body is not one."""
    message = read_object(body, vendor="Genetec AutoVu")
    received_at = timestamps.utc(received_at)
    if "Plate" not in message:
        raise VendorFormatError(
            f"not a Genetec AutoVu read: no Plate (keys: {fields.key_list(message)})"
        )
    raw = message.get("Plate")
    plate = fields.plate(raw)
    if plate is None:
        return Ignored(f"Plate {fields.preview(raw)} has no letters or digits", kind="read")
    attributes = fields.obj(message.get("Attributes"))
    notes: list[str] = []
    confidence = fields.confidence(
        message.get("ConfidenceScore", attributes.get("Confidence Score")), percent=True
    )
    camera = fields.text(message.get("SharpName")) or fields.text(message.get("CameraName"))
    read_at, stamp = _read_time(message, received_at, notes)
    lat, lon = fields.position(message.get("Latitude"), message.get("Longitude"), notes)
    read = Read(
        plate=plate,
        state=_state(message, attributes, notes),
        read_at=read_at,
        lat=lat,
        lon=lon,
        confidence=confidence,
        candidates=(Candidate(plate, confidence),),
        vehicle=_vehicle(attributes),
        direction=fields.direction(attributes.get("Relative Motion")),
        camera_ref=f"genetec:{camera}" if camera else None,
        source_id=_guid(message.get("VehicleID"))
        or (f"{camera or '-'}@{stamp}/{plate}" if stamp else None),
        notes=tuple(notes),
    )
    message_notes: list[str] = []
    found = images.from_fields(
        [
            (message.get("ContextImage"), "ContextImage", ImageKind.CONTEXT),
            (message.get("PlateImage"), "PlateImage", ImageKind.PLATE_CROP),
            (message.get("OverviewImage"), "OverviewImage", ImageKind.CONTEXT),
        ],
        read_index=0,
        max_bytes=max_image_bytes,
        notes=message_notes,
    )
    label = fields.text(message.get("CameraName"))
    patroller = fields.text(message.get("PatrollerName"))
    if patroller and label:
        label = f"{label} ({patroller})"
    return Reads(
        reads=(read,), kind="read", images=found, camera_label=label, notes=tuple(message_notes)
    )


def _read_time(
    message: JsonObject, received_at: datetime, notes: list[str]
) -> tuple[datetime | None, str | None]:
    """The read's time, and the `DateUtc TimeUtc` text that names it."""
    date, time = fields.text(message.get("DateUtc")), fields.text(message.get("TimeUtc"))
    if date is None or time is None:
        date, time = fields.text(message.get("DateLocal")), fields.text(message.get("TimeLocal"))
        if date is None or time is None:
            notes.append("no DateUtc and TimeUtc: used received time")
            return None, None
        wall = _wall(date, time, notes)
        return (
            timestamps.from_local(wall, field="DateLocal", received_at=received_at, notes=notes)
            if wall
            else None
        ), f"{date} {time}"
    wall = _wall(date, time, notes)
    if wall is None:
        return None, f"{date} {time}"
    same_as_local = (date, time) == (
        fields.text(message.get("DateLocal")),
        fields.text(message.get("TimeLocal")),
    )
    as_utc = timestamps.parse(
        wall.isoformat() + "+00:00", field="DateUtc", received_at=received_at, notes=notes
    )
    if same_as_local and (
        as_utc is None or abs((as_utc - received_at).total_seconds()) > _LOCAL_GAP_S
    ):
        notes.append("DateUtc and TimeUtc repeat the local time: read as local time")
        return (
            timestamps.from_local(wall, field="TimeUtc", received_at=received_at, notes=notes),
            f"{date} {time}",
        )
    return as_utc, f"{date} {time}"


def _wall(date: str, time: str, notes: list[str]) -> datetime | None:
    for pattern in ("%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(f"{date} {time}", pattern)  # noqa: DTZ007
        except ValueError:
            continue
    notes.append(
        f"time {fields.preview(date)} {fields.preview(time)} is unreadable: used received time"
    )
    return None


def _state(message: JsonObject, attributes: JsonObject, notes: list[str]) -> str | None:
    code = fields.text(message.get("State")) or fields.text(attributes.get("State Name"))
    if code is None or code == "-":
        return None
    confidence = fields.confidence(attributes.get("State Name Confidence Score"), percent=True)
    if confidence is not None and confidence < MIN_STATE_CONFIDENCE:
        notes.append(f"State {code!r} read at {confidence:.0%} confidence: no state")
        return None
    return fields.state(code, notes, bare_is_country=False)


def _vehicle(attributes: JsonObject) -> VehicleSeen:
    def named(name: str) -> tuple[str | None, float | None]:
        value = fields.name(attributes.get(f"Vehicle {name}"))
        score = attributes.get(f"Vehicle {name} Confidence Score")
        return value, fields.confidence(score, percent=True) if value else None

    make, make_confidence = named("Make")
    model, model_confidence = named("Model")
    color, color_confidence = named("Color")
    kind, type_confidence = named("Type")
    return VehicleSeen(
        make=make,
        model=model,
        color=color,
        type=kind,
        make_confidence=make_confidence,
        model_confidence=model_confidence,
        color_confidence=color_confidence,
        type_confidence=type_confidence,
    )


def _guid(value: object) -> str | None:
    found = fields.text(value)
    return None if found is None or found == _NO_GUID else found[:80]
