"""Frigate NVR over MQTT: `frigate/events`, `frigate/tracked_object_update`, `frigate/reviews`.

Pass the MQTT topic when you have it (the `frigate` prefix is configurable; only the last
segment counts); without it the message is recognised by its shape.

Messages:

============================================  ===============================================
`events` with `after.recognized_license_plate`  → `Reads`, kind `events`, one read per plate
                                                (the HTTP API joins plates as `"ABC, XYZ"`)
`events` without a plate (most of them)       → `Ignored`
`events` with `after.false_positive: true`    → `Ignored`: Frigate has not yet decided the
                                                object is real
`tracked_object_update` `type: "lpr"`         → `Reads`, kind `tracked_object_update` (0.16
                                                and later; `plate_box` is ignored)
`tracked_object_update`, other types          → `Ignored` (`description`, `face`,
                                                `classification` carry no plate)
`reviews`                                     → `Ignored`: a review names event ids and
                                                `sub_labels`, which are known-plate *names*
                                                ("Bob") or face names, never plate text
============================================  ===============================================

Where each `Read` field comes from:

- `plate`: `after.recognized_license_plate`; `plate` in an update. `sub_label` is not read:
  with Frigate's own LPR it is the known-plate name from `lpr.known_plates`, and the older
  third-party bridges that wrote plate text there cannot be told apart from it.
- `confidence`: `recognized_license_plate_score` / `score` (0–1). Frigate sends no candidates.
- `read_at`: `after.frame_time`, else `after.start_time`; `timestamp` in an update (float s).
- `vehicle.type`: the object's `label` (`car`, `motorcycle`) with `top_score`. Frigate reads
  plates only on vehicles; a plate on another label (the docs' example is a `person`) is kept
  with a note.
- `camera_ref`: `frigate:<camera name>`; the app maps names to Lookout cameras.
- `source_id`: `<event id>:<plate key>`. Frigate repeats the same object in many `update`
  messages and again as a `tracked_object_update`: all give one read. When recognition
  improves and the plate text changes, the new text is a new read, so a hit on it is not lost.
- `heading_deg`: none. `velocity_angle` is the direction in the image, not on the ground.
- images: none in the message; the snapshot is at `<frigate>/api/events/<id>/snapshot.jpg`.

Ignored fields: boxes, zones, speeds, `attributes`, `has_snapshot`, `has_clip`, the update's
`name` (known-plate label), `before` (the previous state of the same object).
"""

from collections.abc import Mapping
from datetime import datetime

from lpr import plates
from lpr.read import Candidate, Read, VehicleSeen
from lpr.vendors import fields, timestamps
from lpr.vendors.body import JsonObject, read_object
from lpr.vendors.common import Ignored, Parsed, Reads
from lpr.vendors.errors import VendorFormatError

_TOPICS = ("events", "tracked_object_update", "reviews")
_VEHICLE_LABELS = frozenset({"car", "motorcycle", "bus", "truck", "license_plate"})


def parse(
    body: bytes | str | Mapping[str, object], *, received_at: datetime, topic: str | None = None
) -> Parsed:
    """One Frigate MQTT message; raises VendorFormatError when it cannot be read."""
    message = read_object(body, vendor="Frigate")
    received_at = timestamps.utc(received_at)
    kind = topic.rstrip("/").rsplit("/", 1)[-1] if topic else _shape(message)
    match kind:
        case "reviews":
            return Ignored(
                "reviews carry no plate text (sub_labels are known-plate or face names)",
                kind="reviews",
            )
        case "events":
            return _event(message, received_at)
        case "tracked_object_update":
            return _update(message, received_at)
        case None:
            raise VendorFormatError(
                "not a Frigate message: expected an event ('before'/'after') or a"
                " tracked_object_update ('type', 'id')"
            )
        case _:
            return Ignored(
                f"topic {fields.preview(topic, 60)} carries no plate reads", kind=kind[:40]
            )


def _shape(message: JsonObject) -> str | None:
    after = message.get("after")
    if isinstance(after, Mapping):
        if "label" in after or "recognized_license_plate" in after:
            return "events"
        if "severity" in after or "detections" in fields.obj(after.get("data")):
            return "reviews"
        return "events"
    if isinstance(message.get("type"), str) and "id" in message:
        return "tracked_object_update"
    return None


def _event(message: JsonObject, received_at: datetime) -> Parsed:
    after = message.get("after")
    if not isinstance(after, Mapping):
        raise VendorFormatError("the Frigate event has no 'after' object")
    if fields.flag(after.get("false_positive")):
        return Ignored("the object is still in its false-positive phase", kind="events")
    raw = after.get("recognized_license_plate")
    if not isinstance(raw, str) or not raw.strip():
        return Ignored("no recognized_license_plate on this object (yet)", kind="events")
    notes: list[str] = []
    label = fields.text(after.get("label"))
    if label is not None and label not in _VEHICLE_LABELS:
        notes.append(f"a plate on an object labelled {label!r}")
    read_at = timestamps.first(
        [
            ("after.frame_time", after.get("frame_time")),
            ("after.start_time", after.get("start_time")),
        ],
        received_at=received_at,
        notes=notes,
    )
    vehicle = VehicleSeen()
    if label in _VEHICLE_LABELS and label != "license_plate":
        vehicle = VehicleSeen(
            type=label, type_confidence=fields.confidence(after.get("top_score"), percent=False)
        )
    return _reads(
        raw,
        score=after.get("recognized_license_plate_score"),
        camera=after.get("camera"),
        event_id=after.get("id"),
        read_at=read_at,
        vehicle=vehicle,
        notes=notes,
        kind="events",
    )


def _update(message: JsonObject, received_at: datetime) -> Parsed:
    update_type = message.get("type")
    if update_type != "lpr":
        shown = fields.preview(update_type)
        kind = update_type[:40] if isinstance(update_type, str) and update_type else "other"
        return Ignored(f"tracked_object_update type {shown} carries no plate", kind=kind)
    raw = message.get("plate")
    if not isinstance(raw, str):
        raise VendorFormatError("the Frigate lpr update has no plate")
    notes: list[str] = []
    read_at = timestamps.first(
        [("timestamp", message.get("timestamp"))], received_at=received_at, notes=notes
    )
    return _reads(
        raw,
        score=message.get("score"),
        camera=message.get("camera"),
        event_id=message.get("id"),
        read_at=read_at,
        vehicle=VehicleSeen(),
        notes=notes,
        kind="tracked_object_update",
    )


def _reads(
    raw: str,
    *,
    score: object,
    camera: object,
    event_id: object,
    read_at: datetime | None,
    vehicle: VehicleSeen,
    notes: list[str],
    kind: str,
) -> Parsed:
    confidence = fields.confidence(score, percent=False)
    name = fields.ident(camera)
    event = fields.ident(event_id)
    reads = []
    for part in raw.split(",")[:10]:
        plate = fields.plate(part)
        if plate is None:
            continue
        reads.append(
            Read(
                plate=plate,
                read_at=read_at,
                confidence=confidence,
                candidates=(Candidate(plate, confidence),),
                vehicle=vehicle,
                camera_ref=f"frigate:{name}" if name else None,
                source_id=f"{event}:{plates.normalize(plate)}" if event else None,
                notes=tuple(notes),
            )
        )
    if not reads:
        return Ignored(f"plate {fields.preview(raw)} has no letters or digits", kind=kind)
    return Reads(reads=tuple(reads), kind=kind)
