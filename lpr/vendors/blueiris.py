"""Blue Iris alerts carrying CodeProject.AI's ALPR results, and the bare `ai_dump` array.

Blue Iris posts an alert webhook whose body the user writes with macros; the documented one is
`{"ai_dump":&JSON, "Image":"&ALERT_JPEG", "camera":"&CAM", "ALERT_PATH":"&ALERT_PATH",
"ALERT_CLIP":"&ALERT_CLIP", "timestamp":"&ALERT_TIME"}`. `&JSON` is the `ai_dump` array: one
entry per AI module that ran, `{"api": ..., "found": {"predictions": [...], ...}}`. A body
that is the array alone (the template `&JSON`) is taken too, with no camera or alert time.

Messages:

=========================================  ==================================================
an `alpr` entry with plates                → `Reads`, one per `found.predictions[]` plate,
                                             kind `alpr`
no `alpr` entry, or no plate in it         → `Ignored` (an `objects` run found a car, no plate)
=========================================  ==================================================

Where each `Read` field comes from:

- `plate`: `predictions[].plate` (else `label` without its `Plate: ` prefix). Two-line plates
  arrive with a space (`SGX 7923G`), which matching ignores.
- `confidence`: `predictions[].confidence` (0–1).
- `read_at`: `timestamp` (`&ALERT_TIME`, ISO; a local time without offset is read against the
  time received), else the module's `found.timestampUTC` (`Tue, 19 Nov 2024 23:51:20 GMT`,
  the processing time).
- `camera_ref`: `blueiris:<camera>` (`&CAM`, the camera's short name).
- `source_id`: `<camera>@<ALERT_PATH>#<plate>` (the alert's file, unique per alert), else
  `<camera>@<timestamp>#<plate>`, else (the bare array) `-@<found.timestampUTC>#<plate>`, so a
  re-sent alert is stored once.
- images: `Image` (`&ALERT_JPEG`, base64; WebP or JPEG, as Blue Iris encodes it).
- CodeProject.AI sends no state, direction or vehicle description.

Ignored: boxes (`x_min` ... `y_max`), `plate_annotation`, `ocr_annotation`, `message`,
processing times, `ALERT_CLIP`, other modules' predictions.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

from lpr import plates
from lpr.read import Candidate, Read
from lpr.vendors import fields, images, timestamps
from lpr.vendors.body import JsonObject, loads_lenient
from lpr.vendors.common import DEFAULT_MAX_IMAGE_BYTES, Ignored, ImageKind, Parsed, Reads
from lpr.vendors.errors import VendorFormatError

MAX_PLATES = 20
_RFC1123 = ("%a, %d %b %Y %H:%M:%S GMT", "%a %d %b %Y %H:%M:%S GMT")


def parse(
    body: bytes | str | Mapping[str, object] | list[object],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """A Blue Iris alert body or a bare `ai_dump` array; raises VendorFormatError otherwise."""
    value = loads_lenient(body) if isinstance(body, bytes | str) else body
    received_at = timestamps.utc(received_at)
    alert: JsonObject
    dump: object
    if isinstance(value, list):
        alert, dump = {}, value
    elif isinstance(value, Mapping):
        alert, dump = value, value.get("ai_dump")
        if not isinstance(dump, list):
            raise VendorFormatError(
                "not a Blue Iris alert: no ai_dump array (set the alert's body to include "
                f'"ai_dump":&JSON; keys: {fields.key_list(value)})'
            )
    else:
        raise VendorFormatError("a Blue Iris alert is a JSON object or the ai_dump array")
    modules = fields.objects(dump)
    alpr = [m for m in modules if fields.text(m.get("api")) == "alpr"]
    if not alpr:
        apis = sorted({fields.text(m.get("api")) or "?" for m in modules})
        return Ignored(f"no alpr module in ai_dump (found: {', '.join(apis) or 'none'})", "alert")
    camera = fields.text(alert.get("camera"))
    notes: list[str] = []
    read_at = _read_time(alert, alpr, received_at, notes)
    anchor = (
        fields.text(alert.get("ALERT_PATH"))
        or fields.text(alert.get("timestamp"))
        or next(filter(None, (_processed(m) for m in alpr)), None)
    )
    reads: list[Read] = []
    seen: set[str] = set()
    for module in alpr:
        for prediction in fields.objects(fields.obj(module.get("found")).get("predictions")):
            plate = fields.plate(_plate_text(prediction))
            if plate is None or plates.normalize(plate) in seen or len(reads) == MAX_PLATES:
                continue
            seen.add(plates.normalize(plate))
            confidence = fields.confidence(prediction.get("confidence"), percent=False)
            reads.append(
                Read(
                    plate=plate,
                    read_at=read_at,
                    confidence=confidence,
                    candidates=(Candidate(plate, confidence),),
                    camera_ref=f"blueiris:{camera}" if camera else None,
                    source_id=f"{camera or '-'}@{anchor}#{plates.normalize(plate)}"
                    if anchor
                    else None,
                    notes=tuple(notes),
                )
            )
    if not reads:
        return Ignored("the alpr module found no plate", kind="alpr")
    message_notes: list[str] = []
    found = images.from_fields(
        [(alert.get("Image"), "Image", ImageKind.CONTEXT)],
        read_index=None,
        max_bytes=max_image_bytes,
        notes=message_notes,
    )
    return Reads(
        reads=tuple(reads),
        kind="alpr",
        images=found,
        camera_label=camera,
        notes=tuple(message_notes),
    )


def _processed(module: JsonObject) -> str | None:
    return fields.text(fields.obj(module.get("found")).get("timestampUTC"))


def _plate_text(prediction: JsonObject) -> object:
    plate = prediction.get("plate")
    if isinstance(plate, str) and plate.strip():
        return plate
    label = fields.text(prediction.get("label"))
    if label is not None and label.lower().startswith("plate:"):
        return label[6:]
    return None


def _read_time(
    alert: JsonObject, alpr: list[JsonObject], received_at: datetime, notes: list[str]
) -> datetime | None:
    stamp = fields.text(alert.get("timestamp"))
    if stamp is not None:
        try:
            parsed = datetime.fromisoformat(stamp.replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            return timestamps.from_local(
                parsed, field="timestamp", received_at=received_at, notes=notes
            )
        return timestamps.parse(stamp, field="timestamp", received_at=received_at, notes=notes)
    for module in alpr:
        processed = _processed(module)
        for pattern in _RFC1123:
            try:
                wall = datetime.strptime(processed or "", pattern)  # noqa: DTZ007
            except ValueError:
                continue
            notes.append("no alert timestamp: used the module's processing time")
            return timestamps.parse(
                wall.replace(tzinfo=UTC).isoformat(),
                field="timestampUTC",
                received_at=received_at,
                notes=notes,
            )
    notes.append("no time in the message: used received time")
    return None
