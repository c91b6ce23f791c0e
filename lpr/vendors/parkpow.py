"""ParkPow: the vehicle visits it sends out by webhook, whatever read them first (Plate
Recognizer Snapshot or Stream, or a Genetec or Survision camera forwarded into ParkPow).

Accepted shapes, told apart by their fields:

==========================================  ===============================================
a visit (`vehicle`, `start_cam`,           → `Reads`, kind `visit`: the start sighting, and
`start_date`), alone, in `data` or `visit`,   the end sighting once the visit has one
or a list of them (`/log-vehicle/`)
an alert form (`license_plate`, `time`;    → `Reads` (1 read), kind `alert`
urlencoded or multipart)
==========================================  ===============================================

Where each `Read` field comes from, for a visit (`start_*`; `end_*` for the end sighting):

- `plate`: `vehicle.license_plate` (lower case, as ParkPow keeps it), else the result's plate.
- `confidence`, `candidates`, `state`, `vehicle`: the stored result, `start_data` (a Snapshot
  result, standard or `detection_mode=vehicle` shape, read as `platerecognizer` reads it), else
  `start_prediction`; `score` when the result gives none. Region codes are Plate Recognizer's
  (`us-ca` names a state, `us` does not).
- `read_at`: `start_date` (ISO; with an offset, or naive and taken as UTC with a note).
- `lat`, `lon`: `start_cam.latitude`, `.longitude` (strings; `"None"` is none).
- `heading_deg`: `start_direction` (degrees, as Plate Recognizer's `direction`).
- `image_url`: `start_img` when it is an http(s) URL.
- `camera_ref`: `parkpow:<start_cam.code>` (else its name); `Reads.camera_label`: its name.
- `source_id`: `visit:<id>:start` / `visit:<id>:end`, so the webhook's retries and the later
  message that closes the visit repeat nothing; without an id, `<camera>@<date>/<plate>`.

An alert form gives `license_plate`, `time`, and the camera in `camera` (else `camera_code`,
`camera_name`); its id is `vehicle_id`/`visit_id` with the time.

Ignored: `status`, `duration`, `field1`..`field6` and tags (ParkPow's own data about the
vehicle), `start_orientation`, boxes.
"""

from collections.abc import Mapping
from datetime import datetime

from lpr.read import Candidate, Read, VehicleSeen
from lpr.vendors import fields, platerecognizer, timestamps
from lpr.vendors.body import JsonObject, loads_lenient
from lpr.vendors.common import Ignored, Parsed, Reads
from lpr.vendors.errors import VendorFormatError

MAX_VISITS = 100


def parse(
    body: bytes | str | Mapping[str, object] | list[object], *, received_at: datetime
) -> Parsed:
    """Visits (JSON); raises VendorFormatError when the body holds none."""
    value = loads_lenient(body) if isinstance(body, bytes | str) else body
    received_at = timestamps.utc(received_at)
    if isinstance(value, Mapping):
        for wrapper in ("data", "visit"):
            if isinstance(value.get(wrapper), Mapping | list):
                value = value[wrapper]
                break
    visits = [value] if isinstance(value, Mapping) else fields.objects(value)
    visits = [v for v in visits if _is_visit(v)]
    if not visits:
        shown = fields.key_list(value) if isinstance(value, Mapping) else "no visit objects"
        raise VendorFormatError(
            f"not a ParkPow visit: expected vehicle, start_cam and start_date ({shown})"
        )
    reads: list[Read] = []
    labels: list[str] = []
    skipped: list[str] = []
    for position, visit in enumerate(visits[:MAX_VISITS]):
        for end in ("start", "end"):
            read = _sighting(visit, end, received_at)
            if read is None:
                if end == "start":
                    skipped.append(f"visit {position}: no readable plate")
                continue
            reads.append(read)
            name = fields.text(fields.obj(visit.get(f"{end}_cam")).get("name"))
            if name:
                labels.append(name)
    if not reads:
        return Ignored("; ".join(skipped) or "no visit", kind="visit")
    label = labels[0] if len(set(labels)) == 1 else None
    return Reads(reads=tuple(reads), kind="visit", camera_label=label, notes=tuple(skipped))


def parse_form(form: Mapping[str, str | bytes], *, received_at: datetime) -> Parsed:
    """An alert sent as a form (`license_plate`, `time`, the camera)."""
    received_at = timestamps.utc(received_at)
    values = {
        k: v.decode("utf-8", "replace") if isinstance(v, bytes) else v for k, v in form.items()
    }
    if "json" in values:  # the multipart shape of the JSON webhooks
        return parse(values["json"], received_at=received_at)
    raw = values.get("license_plate")
    if raw is None:
        raise VendorFormatError(
            f"not a ParkPow alert: no license_plate field (fields: {fields.key_list(values)})"
        )
    plate = fields.plate(raw)
    if plate is None:
        return Ignored(f"license_plate {fields.preview(raw)} has no letters or digits", "alert")
    notes: list[str] = []
    stamp = values.get("time")
    camera = next(
        (c for k in ("camera", "camera_code", "camera_name") if (c := fields.text(values.get(k)))),
        None,
    )
    ident = fields.text(values.get("visit_id")) or fields.text(values.get("vehicle_id"))
    read = Read(
        plate=plate,
        read_at=timestamps.first([("time", stamp)], received_at=received_at, notes=notes),
        candidates=(Candidate(plate, None),),
        camera_ref=f"parkpow:{camera}" if camera else None,
        source_id=f"alert:{ident}@{stamp}" if ident and stamp else None,
        notes=tuple(notes),
    )
    return Reads(reads=(read,), kind="alert")


def _is_visit(value: JsonObject) -> bool:
    return isinstance(value.get("vehicle"), Mapping) or (
        "start_date" in value and ("start_cam" in value or "start_data" in value)
    )


def _sighting(visit: JsonObject, end: str, received_at: datetime) -> Read | None:
    date = visit.get(f"{end}_date")
    camera = fields.obj(visit.get(f"{end}_cam"))
    if end == "end" and (date in (None, "", "None") or not camera):
        return None
    result = fields.obj(visit.get(f"{end}_data")) or fields.obj(visit.get(f"{end}_prediction"))
    found = platerecognizer.read_result(result) if result else None
    plate = fields.plate(fields.obj(visit.get("vehicle")).get("license_plate"))
    plate = plate or (found.plate if found else None)
    if plate is None:
        return None
    notes: list[str] = []
    confidence = found.confidence if found and found.confidence is not None else None
    if confidence is None:
        confidence = fields.confidence(visit.get("score"), percent=False)
    state = platerecognizer.region_state(found.region, found.region_score, notes) if found else None
    code = fields.ident(camera.get("code")) or fields.text(camera.get("name"))
    lat, lon = fields.position(
        _coordinate(camera.get("latitude")), _coordinate(camera.get("longitude")), notes
    )
    read_at = timestamps.first([(f"{end}_date", date)], received_at=received_at, notes=notes)
    visit_id = fields.ident(visit.get("id"))
    stamp = read_at.isoformat() if read_at else fields.text(date)
    source = f"visit:{visit_id}:{end}" if visit_id else None
    if source is None and stamp:
        source = f"{code or '-'}@{stamp}/{plate}"
    return Read(
        plate=plate,
        state=state,
        read_at=read_at,
        lat=lat,
        lon=lon,
        heading_deg=fields.heading(visit.get(f"{end}_direction")),
        confidence=confidence,
        candidates=fields.candidates(plate, confidence, found.guesses if found else []),
        vehicle=found.vehicle if found else VehicleSeen(),
        image_url=_url(visit.get(f"{end}_img")),
        camera_ref=f"parkpow:{code}" if code else None,
        source_id=source,
        notes=tuple(notes),
    )


def _coordinate(value: object) -> object:
    return (
        None if isinstance(value, str) and value.strip().lower() in ("none", "null", "") else value
    )


def _url(value: object) -> str | None:
    url = fields.text(value)
    if url is None or not url.startswith(("https://", "http://")):
        return None
    return url
