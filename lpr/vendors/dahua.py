"""Dahua ITC (traffic) cameras: `TrafficJunction` and other ANPR events, as the camera pushes
them in a JSON-RPC `client.notifyEventStream` message.

Accepted shapes: the JSON-RPC message (`{"method": "client.notifyEventStream", "params":
{"eventList": [...]}}`), `{"Events": [...]}`, or one event (`{"Code": ..., "Data": {...}}`).
Each event of the list is looked at:

==========================================  ===============================================
`TrafficJunction`, `TrafficGate`, ... with  → one read each, kind `TrafficJunction` (or its
a plate (`Code` starting with `Traffic`)      code); a snapshot group (`GroupID`) is one read
the same with an empty plate text           → skipped: the camera saw a vehicle (often a
                                              non-motor vehicle) and read no plate
any other `Code`                            → skipped, named in the reason
==========================================  ===============================================

A message with no read at all is `Ignored` with the reasons.

Where each `Read` field comes from:

- `plate`: `Data.Object.Text` when `Object.ObjectType` is `Plate`, else
  `Data.TrafficCar.PlateNumber`, else `Data.NonMotor.Plate.Text`. Empty is no read.
- `confidence`: `Data.Object.Confidence`, on the SDK's 0–255 scale (0: not given).
- `read_at`: `Data.RealUTC` (the true epoch, seconds) plus `UTCMS`. **`Data.UTC` is the
  camera's local wall-clock time written as an epoch**; without `RealUTC` it is corrected by
  the offset of `TimeZone` (an index into Dahua's zone table, `12` is UTC+07:00), else read as
  local time against the time received (`timestamps.from_local`), with a note.
- `lat`, `lon`: `Data.CommInfo.GPSInfo` (`0, 0` is no fix).
- `direction`: `TrafficCar.DrivingDirection[0]` (`Approach`, `Leave`), relative to the camera.
- `vehicle`: colour `TrafficCar.VehicleColor`, make `TrafficCar.VehicleSign` (else
  `Vehicle.Text`), type `Vehicle.Category` (with `Vehicle.Confidence`, 0–255).
- `state`: none: Dahua sends a country (`CommInfo.Country`) and no state; a country other than
  the US, Canada or Mexico is noted.
- `camera_ref`: `dahua:<TrafficCar.MachineName>` (the device's serial or name), with the
  channel `:<Index>` when the event names one. None when absent: the key's camera.
- `source_id`: `<camera>/group:<GroupID>` (the pictures of one snapshot group arrive as
  several events), else `<camera>/event:<EventID>@<RealUTC>`.
- images: none in the event (the camera sends them separately).

Ignored: lanes, speeds and limits, violation codes, boxes, seats and belts, `PTS`, radar data.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from lpr.read import Candidate, Read, VehicleSeen
from lpr.vendors import fields, timestamps
from lpr.vendors.body import JsonObject, read_object
from lpr.vendors.common import Ignored, Parsed, Reads
from lpr.vendors.errors import VendorFormatError

MAX_EVENTS = 50
# Dahua's time zone index (the SDK's EM_CFG_TIME_ZONE_TYPE), in minutes from UTC.
_ZONES = (
    0, 60, 120, 180, 210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 540, 570, 600, 660, 720,
    780, -60, -120, -180, -210, -240, -300, -360, -420, -480, -540, -600, -660, -720,
)  # fmt: skip
_FOREIGN_OK = frozenset({"", "US", "USA", "CA", "CAN", "MX", "MEX"})


def parse(body: bytes | str | Mapping[str, object], *, received_at: datetime) -> Parsed:
    """One pushed message; raises VendorFormatError when it is not a Dahua event message."""
    message = read_object(body, vendor="Dahua")
    received_at = timestamps.utc(received_at)
    events = _events(message)
    reads: list[Read] = []
    skipped: list[str] = []
    kinds: list[str] = []
    for position, event in enumerate(events[:MAX_EVENTS]):
        code = fields.text(event.get("Code")) or fields.text(
            fields.obj(event.get("Data")).get("Code")
        )
        if code is None:
            skipped.append(f"event {position} has no Code")
            continue
        kinds.append(code[:40])
        if not code.startswith("Traffic"):
            skipped.append(f"event {position} {code[:40]!r} carries no plate read")
            continue
        read = _read(event, code, received_at)
        if read is None:
            skipped.append(f"event {position} {code[:40]!r}: no plate read")
            continue
        reads.append(read)
    kind = kinds[0] if kinds else "event"
    if not reads:
        return Ignored("; ".join(skipped) or "no events", kind=kind)
    return Reads(reads=tuple(reads), kind=kind, notes=tuple(skipped))


def _events(message: JsonObject) -> list[JsonObject]:
    params = message.get("params")
    if isinstance(params, Mapping) and isinstance(params.get("eventList"), list):
        return fields.objects(params.get("eventList"))
    if isinstance(message.get("Events"), list):
        return fields.objects(message.get("Events"))
    if "Code" in message and isinstance(message.get("Data"), Mapping):
        return [message]
    method = fields.text(message.get("method"))
    if method is not None:
        raise VendorFormatError(f"the JSON-RPC method {method[:40]!r} has no params.eventList")
    raise VendorFormatError(
        "not a Dahua event message: expected params.eventList, Events, or Code and Data"
        f" (keys: {fields.key_list(message)})"
    )


def _read(event: JsonObject, code: str, received_at: datetime) -> Read | None:
    data = fields.obj(event.get("Data"))
    car = fields.obj(data.get("TrafficCar"))
    found = fields.obj(data.get("Object"))
    raw: object = None
    confidence = None
    if fields.text(found.get("ObjectType")) == "Plate" and fields.text(found.get("Text")):
        raw = found.get("Text")
        confidence = _scale(found.get("Confidence"))
    elif fields.text(car.get("PlateNumber")):
        raw = car.get("PlateNumber")
    else:
        raw = fields.obj(fields.obj(data.get("NonMotor")).get("Plate")).get("Text")
    plate = fields.plate(raw)
    if plate is None:
        return None
    notes: list[str] = []
    country = (
        fields.text(fields.obj(data.get("CommInfo")).get("Country"))
        or fields.text(car.get("Country"))
        or ""
    )
    if country.upper() not in _FOREIGN_OK:
        notes.append(f"plate country {country[:12]!r}: no state")
    gps = fields.obj(fields.obj(data.get("CommInfo")).get("GPSInfo"))
    lat, lon = fields.position(gps.get("Latitude"), gps.get("Longitude"), notes)
    machine = fields.text(car.get("MachineName")) or fields.text(data.get("MachineName"))
    channel = fields.ident(event.get("Index"))
    camera = f"{machine[:60]}:{channel}" if machine and channel else machine
    real = fields.ident(data.get("RealUTC"))
    group = fields.ident(data.get("GroupID") or car.get("GroupID"))
    event_id = fields.ident(data.get("EventID"))
    source = None
    if group is not None and group != "0":
        source = f"{camera or '-'}/group:{group}"
    elif event_id is not None:
        source = f"{camera or '-'}/event:{event_id}@{real or fields.ident(data.get('UTC'))}"
    directions = car.get("DrivingDirection")
    vehicle = fields.obj(data.get("Vehicle"))
    vehicle_type = fields.name(vehicle.get("Category"))
    return Read(
        plate=plate,
        read_at=_read_time(data, received_at, notes),
        lat=lat,
        lon=lon,
        confidence=confidence,
        candidates=(Candidate(plate, confidence),),
        vehicle=VehicleSeen(
            make=fields.name(car.get("VehicleSign")) or fields.name(vehicle.get("Text")),
            color=fields.name(car.get("VehicleColor")),
            type=vehicle_type,
            type_confidence=_scale(vehicle.get("Confidence")) if vehicle_type else None,
        ),
        direction=fields.direction(
            directions[0] if isinstance(directions, list) and directions else None
        ),
        camera_ref=f"dahua:{camera}" if camera else None,
        source_id=source,
        notes=tuple(notes),
    )


def _read_time(data: JsonObject, received_at: datetime, notes: list[str]) -> datetime | None:
    millis = fields.number(data.get("UTCMS"))
    fraction = millis / 1000 if millis is not None and 0 <= millis < 1000 else 0.0
    real = fields.number(data.get("RealUTC"))
    if real is not None and real > 0:
        return timestamps.parse(
            real + fraction, field="RealUTC", received_at=received_at, notes=notes
        )
    local = fields.number(data.get("UTC"))
    if local is None or local <= 0:
        notes.append("no RealUTC or UTC in the event: used received time")
        return None
    zone = fields.number(data.get("TimeZone"))
    if zone is not None and zone.is_integer() and 0 <= zone < len(_ZONES):
        offset = timedelta(minutes=_ZONES[int(zone)])
        notes.append(f"no RealUTC: UTC read as local time at TimeZone {int(zone)}")
        return timestamps.parse(
            local + fraction - offset.total_seconds(),
            field="UTC",
            received_at=received_at,
            notes=notes,
        )
    try:
        wall = datetime.fromtimestamp(local + fraction, UTC)
    except (OverflowError, OSError, ValueError):
        notes.append(
            f"time UTC {fields.preview(data.get('UTC'))} is unreadable: used received time"
        )
        return None
    return timestamps.from_local(wall, field="UTC", received_at=received_at, notes=notes)


def _scale(value: object) -> float | None:
    """A 0–255 confidence of the Dahua SDK as 0–1; 0 means the camera gave none."""
    found = fields.number(value)
    if found is None or not 0 < found <= 255:
        return None
    return found / 255
