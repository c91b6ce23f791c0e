"""AXIS License Plate Verifier (the ACAP by FF Group): its HTTP POST push and heartbeat service.

The push is `multipart/form-data` with the event JSON in a part named `event` and the image in
`image` (pass the form to `parse_multipart_fields`), or `application/json` with images as
base64 in `ImageArray` when multipart is off (pass the body to `parse`).

Messages:

============================================  ==============================================
an event (`plateText`, `carState`)            → `Reads` (1 read), kind `new`, `update` or
                                                `lost`: the same car is sent up to three times
a heartbeat (`identify`, `ALPV`, `system`)    → `Heartbeat`, naming the camera by its MAC
============================================  ==============================================

Nearly every value is a string, counters and confidences included; only `geotag` and the
coordinates are numbers. The plate may arrive with `\\uXXXX` escapes left in the text.

Where each `Read` field comes from:

- `plate`: `plateUTF8`, else `plateUnicode`, `plateText`, `plateASCII`, with any `\\uXXXX`
  escape that reached the text decoded.
- `confidence`: `plateConfidence` (`"0.737210"`, 0–1).
- `state`: `plateRegionCode` (`"WA"`) when `plateCountry` (ISO alpha-3) is `USA`, `CAN` or
  `MEX`, else `plateISO3166-2` (`US-WA`); another country gives none, with a note.
- `read_at`: `capture_timestamp` (UTC milliseconds, a string), else `capture_ts` (ns), else
  `datetime` (`"20231211 142705507"`, camera-local, with an optional `+HHMM`).
- `lat`, `lon`: `geotag` (the position set in the camera's integration profile).
- `direction`: `carMoveDirection` (`in`, `out`), against the direction set on the camera.
- `vehicle`: `vehicle_info.brand` (older) or `make`, `model`, `color`, `type`, with
  `confidenceMMR` (make and model) and `confidenceColor` (0–1, or 0–100 in older versions).
- `camera_ref`: `axis:<camera_info.SerialNumber>` (the MAC, twelve hex digits), else
  `axis:<sensorProviderID>`. `Reads.camera_label`: `sensorProviderID` and `ProdShortName`.
- `source_id`: `<serial>:<carID>`: `new`, `update` and `lost` of one car are one read, unless
  the plate text changed (then the better reading is a read of its own, and matched).
- images: the `image` part, or `ImageArray[].BinaryImage`; `imageType` says whether it is
  the plate (`plate`), the vehicle (`vehicle`) or the frame. `imagesURI` are paths on the
  camera, which Lookout cannot reach, and are not kept.

Ignored: `packetCounter`, `frame_timestamp`, `plateList*` (the camera's own lists), `roiID`,
`profileID`, coordinates, `imageFile*`, `timeProcessing`.
"""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from lpr.read import Candidate, Read, VehicleSeen
from lpr.vendors import fields, images, timestamps
from lpr.vendors.body import JsonObject, read_object
from lpr.vendors.common import (
    DEFAULT_MAX_IMAGE_BYTES,
    CameraStatus,
    Heartbeat,
    Ignored,
    ImageKind,
    InlineImage,
    Parsed,
    Reads,
)
from lpr.vendors.errors import VendorFormatError

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_STATE_COUNTRIES = {"USA": "us", "CAN": "ca", "MEX": "mx"}
_IMAGE_KINDS = {"plate": ImageKind.PLATE_CROP, "vehicle": ImageKind.VEHICLE_CROP}
_LOCAL = re.compile(r"^(\d{8}) (\d{6})(\d{3})?\s*([+-]\d{4})?$")


def parse(
    body: bytes | str | Mapping[str, object],
    *,
    received_at: datetime,
    image: bytes | None = None,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """One event or heartbeat (JSON); `image` is the multipart's image part. Raises
    VendorFormatError for anything else."""
    message = read_object(body, vendor="AXIS License Plate Verifier")
    received_at = timestamps.utc(received_at)
    if "plateText" in message or "plateUTF8" in message or "plateASCII" in message:
        return _event(message, received_at, image, max_image_bytes)
    if isinstance(message.get("identify"), Mapping) or isinstance(message.get("ALPV"), Mapping):
        return _heartbeat(message, received_at)
    raise VendorFormatError(
        "not an AXIS License Plate Verifier event: no plateText or plateUTF8"
        f" (keys: {fields.key_list(message)})"
    )


def parse_multipart_fields(
    form: Mapping[str, str | bytes],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """The multipart push: the event JSON in `event`, the picture in `image`."""
    event = form.get("event")
    if event is None:
        raise VendorFormatError(
            f"the multipart body has no 'event' part (parts: {fields.key_list(form)})"
        )
    image = form.get("image")
    return parse(
        event,
        received_at=received_at,
        image=image if isinstance(image, bytes) else None,
        max_image_bytes=max_image_bytes,
    )


def _event(
    message: JsonObject, received_at: datetime, image: bytes | None, max_image_bytes: int
) -> Parsed:
    car_state = (fields.text(message.get("carState")) or "event").lower()[:40]
    raw = next(
        (
            value
            for key in ("plateUTF8", "plateUnicode", "plateText", "plateASCII")
            if isinstance(value := message.get(key), str) and value.strip()
        ),
        None,
    )
    plate = fields.plate(_unescape(raw)) if raw is not None else None
    if plate is None:
        return Ignored(f"plate {fields.preview(raw)} has no letters or digits", kind=car_state)
    notes: list[str] = []
    camera_info = fields.obj(message.get("camera_info"))
    serial = fields.mac(camera_info.get("SerialNumber")) or fields.mac(
        camera_info.get("MACAddress")
    )
    sensor = fields.text(message.get("sensorProviderID"))
    camera = serial or sensor
    geotag = fields.obj(message.get("geotag"))
    lat, lon = fields.position(geotag.get("lat"), geotag.get("lon"), notes)
    confidence = fields.confidence(message.get("plateConfidence"), percent=False)
    car_id = fields.ident(message.get("carID"))
    read = Read(
        plate=plate,
        state=_state(message, notes),
        read_at=_read_time(message, received_at, notes),
        lat=lat,
        lon=lon,
        confidence=confidence,
        candidates=(Candidate(plate, confidence),),
        vehicle=_vehicle(fields.obj(message.get("vehicle_info"))),
        direction=fields.direction(message.get("carMoveDirection")),
        camera_ref=f"axis:{camera}" if camera else None,
        source_id=f"{camera or '-'}:{car_id}" if car_id else None,
        notes=tuple(notes),
    )
    message_notes: list[str] = []
    return Reads(
        reads=(read,),
        kind=car_state,
        images=_images(message, image, max_image_bytes, message_notes),
        camera_label=_label(sensor, fields.text(camera_info.get("ProdShortName"))),
        notes=tuple(message_notes),
    )


def _heartbeat(message: JsonObject, received_at: datetime) -> Heartbeat:
    identify = fields.obj(message.get("identify"))
    alpv = fields.obj(message.get("ALPV"))
    notes: list[str] = []
    stamp = fields.obj(message.get("system")).get("timestamp")
    sent_at = (
        timestamps.parse(stamp, field="system.timestamp", received_at=received_at, notes=notes)
        if stamp not in (None, "")
        else None
    )
    camera = fields.mac(identify.get("macAddress")) or fields.text(
        alpv.get("device_ID", alpv.get("device_id"))
    )
    cameras: tuple[CameraStatus, ...] = ()
    if camera:
        name = _label(fields.text(alpv.get("device_ID")), fields.text(identify.get("platform")))
        cameras = (CameraStatus(camera_ref=f"axis:{camera}", name=name),)
    return Heartbeat(
        kind="heartbeat",
        received_at=received_at,
        sent_at=sent_at,
        agent_version=fields.text(alpv.get("version")),
        cameras=cameras,
        notes=tuple(notes),
    )


def _unescape(raw: str) -> str:
    """`\\u004f\\u0042` left in the text by the camera, as the characters they stand for."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


def _state(message: JsonObject, notes: list[str]) -> str | None:
    country = (fields.text(message.get("plateCountry")) or "").upper()
    iso = fields.text(message.get("plateISO3166-2"))
    if iso is not None:
        return fields.state(iso, notes, bare_is_country=True)
    code = fields.text(message.get("plateRegionCode"))
    if country in _STATE_COUNTRIES and code is not None:
        return fields.state(f"{_STATE_COUNTRIES[country]}-{code}", notes, bare_is_country=False)
    if country and country not in _STATE_COUNTRIES:
        notes.append(f"plate country {country[:12]!r}: no state")
    return None


def _read_time(message: JsonObject, received_at: datetime, notes: list[str]) -> datetime | None:
    for key in ("capture_timestamp", "capture_ts"):
        value = message.get(key)
        if value not in (None, "", "0", 0):
            return timestamps.parse(value, field=key, received_at=received_at, notes=notes)
    local = fields.text(message.get("datetime"))
    match = _LOCAL.match(local or "")
    if local is None or match is None:
        notes.append(f"no readable time in the message: used received time ({local!r})")
        return None
    day, clock, millis, offset = match.groups()
    try:
        wall = datetime.strptime(f"{day}{clock}{millis or '000'}", "%Y%m%d%H%M%S%f")  # noqa: DTZ007
    except ValueError:
        notes.append(f"time datetime {local!r} is unreadable: used received time")
        return None
    if offset:
        minutes = int(offset[1:3]) * 60 + int(offset[3:])
        zone = timezone(timedelta(minutes=minutes if offset[0] == "+" else -minutes))
        return timestamps.parse(
            wall.replace(tzinfo=zone).isoformat(),
            field="datetime",
            received_at=received_at,
            notes=notes,
        )
    return timestamps.from_local(wall, field="datetime", received_at=received_at, notes=notes)


def _vehicle(info: JsonObject) -> VehicleSeen:
    make = fields.name(info.get("make")) or fields.name(info.get("brand"))
    model = fields.name(info.get("model"))
    make_confidence = fields.confidence(info.get("confidenceMMR"), percent=False)
    color = fields.name(info.get("color"))
    return VehicleSeen(
        make=make,
        model=model,
        color=color.lower() if color else None,
        type=fields.name(info.get("type")),
        make_confidence=make_confidence if make else None,
        model_confidence=make_confidence if model else None,
        color_confidence=fields.confidence(info.get("confidenceColor"), percent=False)
        if color
        else None,
    )


def _images(
    message: JsonObject, image: bytes | None, max_bytes: int, notes: list[str]
) -> tuple[InlineImage, ...]:
    kind = _IMAGE_KINDS.get(
        (fields.text(message.get("imageType")) or "").lower(), ImageKind.CONTEXT
    )
    found = []
    if image is not None:
        found.append(
            images.from_bytes(
                image, field="image", kind=kind, read_index=0, max_bytes=max_bytes, notes=notes
            )
        )
    for position, entry in enumerate(fields.objects(message.get("ImageArray"))[:4]):
        entry_kind = _IMAGE_KINDS.get((fields.text(entry.get("ImageType")) or "").lower(), kind)
        found.append(
            images.from_base64(
                entry.get("BinaryImage"),
                field=f"ImageArray[{position}].BinaryImage",
                kind=entry_kind,
                read_index=0,
                max_bytes=max_bytes,
                notes=notes,
            )
        )
    return tuple(i for i in found if i is not None)


def _label(sensor: str | None, product: str | None) -> str | None:
    parts = [p for p in (sensor, product) if p]
    return " · ".join(parts)[:120] if parts else None
