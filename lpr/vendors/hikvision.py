"""Hikvision ANPR cameras: the ISAPI `EventNotificationAlert` posted to an HTTP listening host.

The camera posts `multipart/form-data`: a part `anpr.xml` with the alert, and one JPEG part per
`pictureInfoList/pictureInfo`, named by its `fileName` (`licensePlatePicture.jpg`,
`detectionPicture.jpg`, sometimes `vehiclePicture.jpg`). Some firmware posts the XML alone as
the body. Pass a multipart form to `parse_multipart_fields`, a bare body to `parse`. The XML
is read with defusedxml: a DTD, an entity or an external reference is refused.

Messages, told apart by `eventType` and `eventState`:

=====================================  ========================================================
`ANPR` with a plate                    → `Reads` (1 read), kind `ANPR`
`ANPR` with `unknown` or no plate      → `Ignored`: the camera saw a vehicle, read no plate
`eventState` `inactive`, no `ANPR`     → `Heartbeat` (the camera repeats its last event type,
                                         usually `videoloss`, as inactive to say it is alive)
`heartBeat`                            → `Heartbeat`
any other `eventType`                  → `Ignored`, naming it (motion, line crossing, ...)
=====================================  ========================================================

Where each `Read` field comes from (element names are Hikvision's, typos included):

- `plate`: `ANPR/licensePlate`, as sent. `originalLicensePlate`, when it differs (the camera
  corrects plates against its own lists), is kept as a candidate.
- `confidence`: `ANPR/confidenceLevel` (0–100).
- `state`: none. The camera sends `country` as a numeric index of its own and
  `countryAbbreviation` (`NON` when unknown) but no US state or Canadian province, so the read
  matches lists of every state; a country other than the US, Canada or Mexico is noted.
- `read_at`: `dateTime` (ISO with the camera's offset, `2024-05-07T17:48:03.847+07:00`); else
  the first `pictureInfo/absTime` (`yyyyMMddHHmmssSSS`, local, no offset: see
  `timestamps.from_local`). A `dateTime` without an offset is the camera's local time too, and
  is read the same way (not as UTC, which would move a US read hours back).
- `lat`, `lon`: `DeviceGPSInfo` (degree, minute, sec, with `E`/`W` and `N`/`S` types); all
  zeros means no fix.
- `direction`: `ANPR/direction` (`forward`, `reverse`), relative to the camera.
- `vehicle`: `vehicleInfo/color`; type from `ANPR/vehicleType` (`SUVMPV`, `vehicle`). The make
  (`vehicleLogoRecog`) and model (`vehileModel`) are numeric codes of Hikvision's own tables
  and are not kept.
- `camera_ref`: `hikvision:<macAddress>:<channelID>` (MAC as twelve hex digits), else the
  `ipAddress`, else `deviceID`. `Reads.camera_label`: `channelName`.
- `source_id`: `UUID`, else `<camera>@<dateTime>`: a retried post is the same read.
- images: `licensePlatePicture` → plate crop, `vehiclePicture` → vehicle crop,
  `detectionPicture` and any other picture → context.

Ignored: `activePostCount`, `plateType`, `plateColor`, `plateCharBelieve`, rectangles, the
camera's list (`vehicleListName`, `listType`): Lookout matches against its own lists.
"""

from collections.abc import Mapping
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lpr.read import Read, VehicleSeen
from lpr.vendors import fields, images, timestamps
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

_NO_PLATE = frozenset({"unknown", "noplate", "no plate", "none", "无车牌", "车牌"})
_PICTURE_KINDS = {
    "licenseplatepicture": ImageKind.PLATE_CROP,
    "vehiclepicture": ImageKind.VEHICLE_CROP,
}
_MAX_PICTURES = 8


def parse(
    body: bytes | str,
    *,
    received_at: datetime,
    pictures: Mapping[str, bytes] | None = None,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """One `EventNotificationAlert` (XML); `pictures` are the multipart's image parts by name.
    Raises VendorFormatError when the body is not one."""
    root = _root(body)
    received_at = timestamps.utc(received_at)
    event_type = _text(root, "eventType")
    state = (_text(root, "eventState") or "").lower()
    anpr = _child(root, "ANPR")
    if event_type is None and anpr is None:
        raise VendorFormatError("the EventNotificationAlert has no eventType")
    kind = (event_type or "ANPR")[:40]
    if kind.lower() == "heartbeat" or (state == "inactive" and anpr is None):
        return _heartbeat(root, received_at, kind="heartbeat")
    if kind.upper() != "ANPR" and anpr is None:
        return Ignored(f"eventType {kind!r} carries no plate read", kind=kind)
    if anpr is None:
        raise VendorFormatError("an ANPR EventNotificationAlert has no ANPR element")
    return _anpr(root, anpr, received_at, pictures or {}, max_image_bytes)


def parse_multipart_fields(
    form: Mapping[str, str | bytes],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """The camera's multipart post: the XML part (`anpr.xml`, or any part that is an
    EventNotificationAlert) and the picture parts, by name."""
    xml_name = next((name for name in form if name.lower().endswith(".xml")), None)
    if xml_name is None:
        xml_name = next((name for name, value in form.items() if _looks_like_alert(value)), None)
    if xml_name is None:
        raise VendorFormatError(
            "the multipart body has no XML part such as 'anpr.xml'"
            f" (parts: {fields.key_list(form)})"
        )
    pictures = {
        name: value for name, value in form.items() if name != xml_name and isinstance(value, bytes)
    }
    return parse(
        form[xml_name], received_at=received_at, pictures=pictures, max_image_bytes=max_image_bytes
    )


def _root(body: bytes | str) -> Element:
    raw = body.encode() if isinstance(body, str) else body
    stripped = raw.strip()
    if not stripped:
        raise VendorFormatError("the body is empty; expected an ISAPI EventNotificationAlert")
    if stripped[:1] in (b"{", b"["):
        raise VendorFormatError(
            "the body is JSON; this endpoint takes the camera's ISAPI XML"
            " (set the HTTP listening host's format to XML)"
        )
    try:
        # defusedxml ships untyped (its stubs are optional): name the type it returns.
        root: Element = fromstring(stripped, forbid_dtd=True)
    except DefusedXmlException as error:
        raise VendorFormatError(f"the XML is refused: {type(error).__name__}") from None
    except ParseError as error:
        raise VendorFormatError(f"the body is not well-formed XML: {error}") from None
    except (ValueError, RecursionError, LookupError) as error:  # a bad encoding name
        raise VendorFormatError(f"the body is not readable XML: {error}") from None
    if _local(root.tag) != "EventNotificationAlert":
        raise VendorFormatError(
            f"not a Hikvision EventNotificationAlert: the root element is {_local(root.tag)!r}"
        )
    return root


def _looks_like_alert(value: str | bytes) -> bool:
    head = value[:400] if isinstance(value, str) else value[:400].decode("utf-8", "replace")
    return "EventNotificationAlert" in head


def _anpr(
    root: Element,
    anpr: Element,
    received_at: datetime,
    pictures: Mapping[str, bytes],
    max_image_bytes: int,
) -> Parsed:
    raw = _text(anpr, "licensePlate")
    if raw is None or raw.lower() in _NO_PLATE:
        return Ignored("ANPR event without a read plate", kind="ANPR")
    plate = fields.plate(raw)
    if plate is None:
        return Ignored(f"plate {fields.preview(raw)} has no letters or digits", kind="ANPR")
    notes: list[str] = []
    confidence = fields.confidence(_text(anpr, "confidenceLevel"), percent=True)
    original = _text(anpr, "originalLicensePlate")
    country = _text(anpr, "countryAbbreviation")
    if country is not None and country.upper() not in ("NON", "USA", "US", "CAN", "MEX"):
        notes.append(f"plate country {country!r}: no state")
    camera = _camera(root)
    lat, lon = _gps(_child(root, "DeviceGPSInfo"), notes)
    info = _child(anpr, "vehicleInfo")
    vehicle = VehicleSeen(
        color=fields.name(_text(info, "color")) if info is not None else None,
        type=fields.name(_text(anpr, "vehicleType")),
    )
    date_time = _text(root, "dateTime")
    read = Read(
        plate=plate,
        read_at=_read_time(root, anpr, received_at, notes),
        lat=lat,
        lon=lon,
        confidence=confidence,
        candidates=fields.candidates(plate, confidence, [(original, None)]),
        vehicle=vehicle,
        direction=fields.direction(_text(anpr, "direction")),
        camera_ref=f"hikvision:{camera}" if camera else None,
        source_id=_text(root, "UUID") or (f"{camera or '-'}@{date_time}" if date_time else None),
        notes=tuple(notes),
    )
    message_notes: list[str] = []
    return Reads(
        reads=(read,),
        kind="ANPR",
        images=_pictures(anpr, pictures, max_image_bytes, message_notes),
        camera_label=_text(root, "channelName"),
        notes=tuple(message_notes),
    )


def _heartbeat(root: Element, received_at: datetime, *, kind: str) -> Heartbeat:
    notes: list[str] = []
    camera = _camera(root)
    date_time = _text(root, "dateTime")
    sent_at = (
        timestamps.parse(date_time, field="dateTime", received_at=received_at, notes=notes)
        if date_time
        else None
    )
    cameras: tuple[CameraStatus, ...] = ()
    if camera:
        cameras = (CameraStatus(camera_ref=f"hikvision:{camera}", name=_text(root, "channelName")),)
    return Heartbeat(
        kind=kind, received_at=received_at, sent_at=sent_at, cameras=cameras, notes=tuple(notes)
    )


def _camera(root: Element) -> str | None:
    device = fields.mac(_text(root, "macAddress")) or _text(root, "ipAddress")
    device = device or _text(root, "deviceID")
    if device is None:
        return None
    channel = _text(root, "channelID") or _text(root, "dynChannelID") or "1"
    return f"{device[:60]}:{channel[:10]}"


def _read_time(
    root: Element, anpr: Element, received_at: datetime, notes: list[str]
) -> datetime | None:
    date_time = _text(root, "dateTime")
    if date_time is not None:
        wall = _naive(date_time)
        if wall is not None:
            return timestamps.from_local(
                wall, field="dateTime", received_at=received_at, notes=notes
            )
        return timestamps.parse(date_time, field="dateTime", received_at=received_at, notes=notes)
    for picture in _pictures_info(anpr):
        stamp = _text(picture, "absTime")
        if stamp is None:
            continue
        try:
            wall = datetime.strptime(stamp[:17].ljust(17, "0"), "%Y%m%d%H%M%S%f")  # noqa: DTZ007
        except ValueError:
            notes.append(f"time absTime {fields.preview(stamp)} is unreadable: used received time")
            return None
        return timestamps.from_local(wall, field="absTime", received_at=received_at, notes=notes)
    notes.append("no time in the message: used received time")
    return None


def _naive(stamp: str) -> datetime | None:
    """`stamp` as a wall-clock time when it is ISO without an offset; else None."""
    if len(stamp) <= 10:  # a bare date is no time of day: timestamps.parse refuses it
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def _gps(gps: Element | None, notes: list[str]) -> tuple[float | None, float | None]:
    if gps is None:
        return None, None
    lat = _degrees(_child(gps, "Latitude"), _text(gps, "latitudeType"), "S")
    lon = _degrees(_child(gps, "Longitude"), _text(gps, "longitudeType"), "W")
    return fields.position(lat, lon, notes)


def _degrees(part: Element | None, hemisphere: str | None, negative: str) -> float | None:
    if part is None:
        return None
    degree, minute, second = (fields.number(_text(part, n)) for n in ("degree", "minute", "sec"))
    if degree is None:
        return None
    value = abs(degree) + (minute or 0) / 60 + (second or 0) / 3600
    return -value if (hemisphere or "").strip().upper() == negative or degree < 0 else value


def _pictures(
    anpr: Element, pictures: Mapping[str, bytes], max_bytes: int, notes: list[str]
) -> tuple[InlineImage, ...]:
    kinds = {}
    for picture in _pictures_info(anpr):
        name = _text(picture, "fileName")
        if name is not None:
            kinds[name] = (_text(picture, "type") or name).lower()
    found = []
    for name, data in list(pictures.items())[:_MAX_PICTURES]:
        label = kinds.get(name, name).lower().removesuffix(".jpg")
        kind = _PICTURE_KINDS.get(label, ImageKind.CONTEXT)
        image = images.from_bytes(
            data, field=name[:60], kind=kind, read_index=0, max_bytes=max_bytes, notes=notes
        )
        if image is not None:
            found.append(image)
    return tuple(found)


def _pictures_info(anpr: Element) -> list[Element]:
    listed = _child(anpr, "pictureInfoList")
    if listed is None:
        return []
    return [child for child in listed if _local(child.tag) == "pictureInfo"][:_MAX_PICTURES]


def _local(tag: object) -> str:
    """The element name without its namespace (`{http://www.isapi.org/ver20/XMLSchema}ANPR`)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    return next((child for child in parent if _local(child.tag) == name), None)


def _text(parent: Element | None, name: str) -> str | None:
    child = _child(parent, name)
    return None if child is None else fields.text(child.text)
