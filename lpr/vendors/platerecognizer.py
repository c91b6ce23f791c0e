"""Plate Recognizer: Snapshot responses and webhooks, Stream webhooks, Stream output files.

Messages, told apart by shape:

===========================  ===============================================================
Snapshot response            `{results[], timestamp, camera_id, ...}` → `Reads`, kind
                             `snapshot` (also one line of Stream JSONL output)
`detection_mode=vehicle`     `results[].plate.props.plate[].value` → `Reads`; results with a
                             vehicle and no plate → `Sighting` when no result has a plate
Snapshot webhook             `{hook: {event: "image.done"}, data: <response>}` → kind
                             `image.done`. Sent for every call, so `results: []` is common:
                             `Ignored` ("no plate").
Stream webhook               `{hook: {event: "recognition", id: <camera>}, data}` → kind
                             `recognition`
other `hook.event`           → `Ignored`, naming the event
multipart webhook            the JSON in form field `json`, the frame in `upload`: pass the
                             form to `parse_multipart_fields`; the frame becomes an
                             `InlineImage` with `read_index` None (it shows every read)
Stream JSONL / CSV files     `parse_jsonl`, `parse_csv`: one `Parsed` per line or row
===========================  ===============================================================

Where each `Read` field comes from:

- `plate`: `results[].plate`, lower case as sent (`nhk552`); in vehicle mode the first
  `plate.props.plate[].value`. A Stream message may hold several vehicles: one read each.
- `confidence`: `score` (the OCR score, 0–1), or `props.plate[0].score` in vehicle mode.
  `dscore` (how sure the detector is that there is a plate) is not the reading's confidence.
- `candidates`: `candidates[] {plate, score}` (Stream 2021 sends no score), or the rest of
  `props.plate[]`.
- `state`: `region.code` / `props.region[0].value`. Plate Recognizer region codes are countries
  (`gb`, `pl`, `ca` = Canada, `us`) or `country-state` (`us-ca`, `ca-qc`); only the latter name
  a state. A region scored below 50 % gives no state, with a note.
- `read_at`: `timestamp_local` when it carries an offset (the lpr-ai JSONL sample has a `Z` on
  `timestamp` that is an hour off its `+0100` local time; a note records any disagreement),
  else `timestamp` (cloud: `...Z`; SDK and vehicle mode: naive, taken as UTC with a note), else
  `timestamp_camera`.
- `heading_deg`: `direction` (degrees, newer engines and Stream; `""` when unknown).
  `orientation[]` (Front/Rear) says which end faces the camera and is not used.
- `vehicle`: the best `model_make[]` entry with a real make (`generic`/`Unknown` are no
  answer), `color[]`, and `vehicle.type` with `vehicle.score`; vehicle mode reads the same from
  `vehicle.props`.
- `camera_ref`: `platerecognizer:<camera_id>` from `data.camera_id`, for Stream also `hook.id`;
  None when the caller sent none (`null` or `"null"`): the app uses the API key's camera.
- `source_id`: `<camera_id>@<read time>/<plate>`, so a retried webhook and the JSONL line of
  the same read give the same id. Snapshot responses carry no id of their own.

Ignored fields: `box`, `dscore`, `filename`, `file`, `processing_time`, `version`, `hook.target`,
`source_url`, `position_sec`, `speed`, `speed_score`, `user_data`, `orientation`.
"""

import ast
import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from lpr.read import Read, VehicleSeen
from lpr.vendors import fields, images, timestamps
from lpr.vendors.body import JsonObject, decode, read_object
from lpr.vendors.common import (
    DEFAULT_MAX_IMAGE_BYTES,
    Ignored,
    ImageKind,
    Parsed,
    Reads,
    SeenVehicle,
    Sighting,
)
from lpr.vendors.errors import VendorFormatError

MIN_STATE_CONFIDENCE = 0.5
MAX_FILE_ROWS = 10_000
_RECOGNITION_EVENTS = frozenset({"image.done", "recognition"})
_SCREENSHOTS = re.compile(r"^/?([^/]+)_screenshots/")
_CSV_NESTED = ("box", "model_make", "color", "vehicle", "region", "orientation", "candidates")


def parse(body: bytes | str | Mapping[str, object], *, received_at: datetime) -> Parsed:
    """A Snapshot response or a webhook body (JSON); raises VendorFormatError if unreadable."""
    return _message(read_object(body, vendor="Plate Recognizer"), timestamps.utc(received_at))


def parse_multipart_fields(
    form: Mapping[str, str | bytes],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """A multipart webhook: the JSON in field `json`, the optional frame (bytes) in `upload`."""
    raw = form.get("json")
    if raw is None:
        raise VendorFormatError(
            f"the multipart body has no 'json' field (fields: {fields.key_list(form)})"
        )
    parsed = parse(raw, received_at=received_at)
    upload = form.get("upload")
    if not isinstance(upload, bytes) or isinstance(parsed, Ignored):
        return parsed
    notes: list[str] = []
    image = images.from_bytes(
        upload,
        field="upload",
        kind=ImageKind.CONTEXT,
        read_index=None,
        max_bytes=max_image_bytes,
        notes=notes,
    )
    added = (image,) if image is not None else ()
    if isinstance(parsed, Reads):
        return replace(parsed, images=parsed.images + added, notes=parsed.notes + tuple(notes))
    if isinstance(parsed, Sighting):
        return replace(parsed, images=parsed.images + added)
    return parsed


def parse_jsonl(body: bytes | str, *, received_at: datetime) -> tuple[Parsed, ...]:
    """Stream JSON Lines output: one `Parsed` per line; a bad line is `Ignored` with its number."""
    received_at = timestamps.utc(received_at)
    lines = [(n, line) for n, line in enumerate(decode(body).splitlines(), 1) if line.strip()]
    if not lines:
        raise VendorFormatError("the JSONL body is empty")
    found: list[Parsed] = []
    for number, line in lines[:MAX_FILE_ROWS]:
        try:
            message = read_object(line, vendor="Plate Recognizer")
            found.append(_message(message, received_at, default_kind="stream_jsonl"))
        except VendorFormatError as error:
            found.append(Ignored(f"line {number}: {error}", kind="stream_jsonl"))
    return tuple(found)


def parse_csv(
    body: bytes | str, *, received_at: datetime, camera_id: str | None = None
) -> tuple[Parsed, ...]:
    """Stream CSV output, one `Parsed` per row. Nested cells are Python literals, not JSON.

    The CSV names no camera: pass `camera_id`, else it is taken from the screenshot path
    (`/camera-1_screenshots/...`).
    """
    received_at = timestamps.utc(received_at)
    reader = csv.DictReader(io.StringIO(decode(body).strip()))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise VendorFormatError(f"not a Stream CSV file: {error}") from None
    if "plate" not in header or "timestamp" not in header:
        raise VendorFormatError(
            "not a Stream CSV file: the header needs 'timestamp' and 'plate'"
            f" (found {', '.join(str(h) for h in header[:8]) or 'nothing'})"
        )
    found: list[Parsed] = []
    try:
        for number, row in enumerate(reader, 2):
            if len(found) >= MAX_FILE_ROWS:
                break
            result: dict[str, object] = {k: v for k, v in row.items() if isinstance(k, str)}
            for column in _CSV_NESTED:
                result[column] = _literal(row.get(column))
            path = fields.text(row.get("file")) or ""
            match = _SCREENSHOTS.match(path)
            data = {
                "timestamp": row.get("timestamp"),
                "camera_id": camera_id or (match.group(1) if match else None),
                "results": [result],
            }
            parsed = _recognition(data, "stream_csv", received_at)
            if isinstance(parsed, Ignored):
                parsed = Ignored(f"row {number}: {parsed.reason}", kind="stream_csv")
            found.append(parsed)
    except csv.Error as error:
        raise VendorFormatError(f"the Stream CSV is malformed: {error}") from None
    return tuple(found)


def _message(message: JsonObject, received_at: datetime, default_kind: str = "snapshot") -> Parsed:
    hook = message.get("hook")
    if isinstance(hook, Mapping) or "data" in message:
        event = fields.text(fields.obj(hook).get("event"))
        data = message.get("data")
        if not isinstance(data, Mapping):
            raise VendorFormatError("the webhook's 'data' is not an object")
        if event is not None and event not in _RECOGNITION_EVENTS:
            return Ignored(
                f"webhook event {event[:40]!r} carries no recognition", kind=event[:40] or "webhook"
            )
        kind = event or "webhook"
        if event == "recognition" and fields.ident(data.get("camera_id")) is None:
            data = {**data, "camera_id": fields.obj(hook).get("id")}
        return _recognition(data, kind, received_at)
    if "results" in message:
        return _recognition(message, default_kind, received_at)
    raise VendorFormatError(
        "not a Plate Recognizer message: expected 'results', or 'hook' and 'data'"
        f" (keys: {fields.key_list(message)})"
    )


def _recognition(data: JsonObject, kind: str, received_at: datetime) -> Parsed:
    results = data.get("results")
    if not isinstance(results, list):
        raise VendorFormatError(f"{kind}: 'results' is not an array")
    camera = fields.ident(data.get("camera_id"))
    camera_ref = f"platerecognizer:{camera}" if camera else None
    time_notes: list[str] = []
    read_at = _read_time(data, received_at, time_notes)
    stamp = read_at.isoformat() if read_at else fields.text(data.get("timestamp"))
    reads: list[Read] = []
    seen: list[SeenVehicle] = []
    message_notes: list[str] = []
    vehicle_mode = False
    for position, result in enumerate(results):
        if not isinstance(result, Mapping):
            message_notes.append(f"results[{position}] is not an object: skipped")
            continue
        notes = list(time_notes)
        if _is_vehicle_mode(result):
            vehicle_mode = True
            found = _vehicle_mode(result)
        else:
            found = _standard(result)
        if found.plate is None:
            if found.vehicle != VehicleSeen():
                seen.append(
                    SeenVehicle(
                        vehicle=found.vehicle,
                        seen_at=read_at,
                        heading_deg=fields.heading(result.get("direction")),
                        camera_ref=camera_ref,
                        notes=tuple(notes),
                    )
                )
            message_notes.append(f"results[{position}] has no readable plate: skipped")
            continue
        reads.append(
            Read(
                plate=found.plate,
                state=_state(found.region, found.region_score, notes),
                read_at=read_at,
                heading_deg=fields.heading(result.get("direction")),
                confidence=found.confidence,
                candidates=fields.candidates(found.plate, found.confidence, found.guesses),
                vehicle=found.vehicle,
                camera_ref=camera_ref,
                source_id=f"{camera or '-'}@{stamp}/{found.plate}" if stamp else None,
                notes=tuple(notes),
            )
        )
    if vehicle_mode:
        kind = f"{kind}_vehicle_mode"
    if reads:
        return Reads(reads=tuple(reads), kind=kind, notes=tuple(message_notes))
    if seen:
        return Sighting(vehicles=tuple(seen), kind=kind)
    return Ignored(f"{kind}: no plate in results", kind=kind)


@dataclass(frozen=True, slots=True)
class _Found:
    plate: str | None
    confidence: float | None
    guesses: list[tuple[object, float | None]]
    region: object
    region_score: object
    vehicle: VehicleSeen


Found = _Found


def read_result(result: JsonObject) -> Found:
    """What one Snapshot result says (standard or vehicle mode): the plate, its scores and
    guesses, the region and the vehicle. ParkPow forwards results in both shapes."""
    return _vehicle_mode(result) if _is_vehicle_mode(result) else _standard(result)


def region_state(code: object, score: object, notes: list[str]) -> str | None:
    """The state a result's region names (`us-ca`), or None with a note (see module doc)."""
    return _state(code, score, notes)


def _is_vehicle_mode(result: JsonObject) -> bool:
    return isinstance(result.get("plate"), Mapping) or "props" in fields.obj(result.get("vehicle"))


def _standard(result: JsonObject) -> _Found:
    region = fields.obj(result.get("region"))
    vehicle = fields.obj(result.get("vehicle"))
    make, model, make_confidence = _make_model(result.get("model_make"))
    color, color_confidence = _top(result.get("color"), "color")
    return _Found(
        plate=fields.plate(result.get("plate")),
        confidence=fields.confidence(result.get("score"), percent=False),
        guesses=_guesses(result.get("candidates"), "plate"),
        region=region.get("code"),
        region_score=region.get("score"),
        vehicle=VehicleSeen(
            make=make,
            model=model,
            color=color,
            type=fields.name(vehicle.get("type")),
            make_confidence=make_confidence,
            model_confidence=make_confidence if model else None,
            color_confidence=color_confidence,
            type_confidence=fields.confidence(vehicle.get("score"), percent=False)
            if fields.name(vehicle.get("type"))
            else None,
        ),
    )


def _vehicle_mode(result: JsonObject) -> _Found:
    plate_part = fields.obj(result.get("plate"))
    props = fields.obj(plate_part.get("props"))
    texts = fields.objects(props.get("plate"))
    regions = fields.objects(props.get("region"))
    vehicle = fields.obj(result.get("vehicle"))
    vehicle_props = fields.obj(vehicle.get("props"))
    make, model, make_confidence = _make_model(vehicle_props.get("make_model"))
    color, color_confidence = _top(vehicle_props.get("color"), "value")
    return _Found(
        plate=fields.plate(texts[0].get("value")) if texts else None,
        confidence=fields.confidence(texts[0].get("score"), percent=False) if texts else None,
        guesses=_guesses(texts[1:], "value"),
        region=regions[0].get("value") if regions else None,
        region_score=regions[0].get("score") if regions else None,
        vehicle=VehicleSeen(
            make=make,
            model=model,
            color=color,
            type=fields.name(vehicle.get("type")),
            make_confidence=make_confidence,
            model_confidence=make_confidence if model else None,
            color_confidence=color_confidence,
            type_confidence=fields.confidence(vehicle.get("score"), percent=False)
            if fields.name(vehicle.get("type"))
            else None,
        ),
    )


def _read_time(data: JsonObject, received_at: datetime, notes: list[str]) -> datetime | None:
    local_notes: list[str] = []
    local = data.get("timestamp_local")
    local_at = (
        timestamps.parse(local, field="timestamp_local", received_at=received_at, notes=local_notes)
        if isinstance(local, str) and local.strip()
        else None
    )
    stamp_notes: list[str] = []
    stamp = data.get("timestamp")
    stamp_at = (
        timestamps.parse(stamp, field="timestamp", received_at=received_at, notes=stamp_notes)
        if stamp not in (None, "")
        else None
    )
    if local_at is not None and not local_notes:
        if stamp_at is not None and abs((stamp_at - local_at).total_seconds()) >= 60:
            gap = round(abs((stamp_at - local_at).total_seconds()) / 60)
            notes.append(
                f"timestamp and timestamp_local differ by {gap} minutes: used the local one"
            )
        return local_at
    if stamp_at is not None or stamp_notes:
        notes.extend(stamp_notes)
        return stamp_at
    return timestamps.first(
        [("timestamp_camera", data.get("timestamp_camera")), ("timestamp_local", local)],
        received_at=received_at,
        notes=notes,
    )


def _state(code: object, score: object, notes: list[str]) -> str | None:
    if fields.text(code) is None:
        return None
    confidence = fields.confidence(score, percent=False)
    if confidence is not None and confidence < MIN_STATE_CONFIDENCE:
        notes.append(f"region {fields.text(code)!r} read at {confidence:.0%} confidence: no state")
        return None
    return fields.state(code, notes, bare_is_country=True)


def _guesses(entries: object, key: str) -> list[tuple[object, float | None]]:
    return [
        (entry.get(key), fields.confidence(entry.get("score"), percent=False))
        for entry in fields.objects(entries)
    ]


def _top(entries: object, key: str) -> tuple[str | None, float | None]:
    best: tuple[str | None, float | None] = (None, None)
    for entry in fields.objects(entries):
        name = fields.name(entry.get(key))
        confidence = fields.confidence(entry.get("score"), percent=False)
        if name is not None and (best[0] is None or (confidence or 0) > (best[1] or 0)):
            best = (name, confidence)
    return best


def _make_model(entries: object) -> tuple[str | None, str | None, float | None]:
    """The best entry that names a real make; its model when it names one."""
    best: tuple[str | None, str | None, float | None] = (None, None, None)
    for entry in fields.objects(entries):
        make = fields.name(entry.get("make"))
        confidence = fields.confidence(entry.get("score"), percent=False)
        if make is not None and (best[0] is None or (confidence or 0) > (best[2] or 0)):
            best = (make, fields.name(entry.get("model")), confidence)
    return best


def _literal(cell: object) -> object:
    """A nested CSV cell (`{'code': 'pl', 'score': 0.718}`), or None if it is not a literal."""
    if not isinstance(cell, str) or not cell.strip() or len(cell) > 20_000:
        return None
    try:
        return ast.literal_eval(cell.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, Warning):
        return None
