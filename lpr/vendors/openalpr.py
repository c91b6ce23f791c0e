"""OpenALPR / Rekor Scout: the agent's (`alprd`) HTTP POSTs, the open-source `alprd`, the CLI
(`alpr -j`), the web service and the Cloud API response.

Messages, told apart by `data_type`:

==================  ==========================================================================
`alpr_group`        One vehicle passage (sent a few seconds after it leaves) → `Reads` (1 read)
`alpr_alert`        The agent's own hot-list hit; `group` is a full `alpr_group` → `Reads`, the
                    same read (and ids) as that group. The vendor's list name is not kept:
                    Lookout matches against its own lists.
`alpr_results`      One video frame, one read per `results[]` entry → `Reads`. Also the shape
                    of the open-source `alprd`, the CLI and the web service, which send no
                    `data_type`, and of the Cloud API v3 response.
`vehicle`           A vehicle without a plate (agent 4.x) → `Sighting`
`heartbeat`         Every minute → `Heartbeat`, one `CameraStatus` per `video_streams[]`
`openalpr_webhook`  The web server's "test" message → `Ignored`
other `data_type`   → `Ignored`, naming the type
==================  ==========================================================================

Where each `Read` field comes from:

- `plate`: group `best_plate_number`, else `best_plate.plate` (agent 2.8 test data has them
  differ; the group-level field is the documented answer, and a note records the other);
  frame `results[].plate`. The plate chosen by the engine stays first even when a candidate
  scores higher (the web service picks by `matches_template`).
- `confidence`, `candidates`: `best_confidence` / `results[].confidence` and every
  `candidates[]` entry (group level, then `best_plate`), 0–100 → 0–1.
- `state`: `best_region` / `results[].region` (`us-mo`, `mo`, `mx-nle`, `gb`). A region read
  below 50 % `region_confidence` is dropped with a note, so the read matches every state
  instead of being ruled out by a guessed one. With `country` outside the US, Canada and
  Mexico, a bare region (`de`, `nl`) names no state.
- `read_at`: group `best_uuid_epoch_ms`, else `epoch_start` (ms); frame `results[].epoch_time`,
  else `epoch_time` (ms from the agent, seconds from the open-source `alprd`).
- `lat`, `lon`: `gps_latitude`, `gps_longitude` (mobile units); `0, 0` means no fix.
- `heading_deg`: `travel_direction` (degrees as the agent reports them). `vehicle.orientation`
  is which side of the car faces the camera, not a direction, and is not used.
- `vehicle`: the top entry of `vehicle.make[]`, `color[]`, `body_type[]` (→ `type`), each
  with its confidence; the model is the best `make_model[]` entry (`ford_focus`) of that make.
  `year[]` holds ranges (`2010-2014`), which are no single year: `year` stays None.
- `camera_ref`: `openalpr:<agent_uid>:<camera_id>`, or `openalpr:<site_id>:<camera_id>` for v1
  and the open-source `alprd`. None when the body names no camera (CLI, Cloud API): the app
  uses the camera of the API key. `Reads.camera_label`: `web_server_config.camera_label`, or
  the alert's `camera_name`.
- `source_id`: group `best_uuid` (else the first of `uuids`); frame `<uuid>#<plate_index>`.
  A group's `related_ids` are `<uuids[k]>#<plate_indexes[k]>`, the frames it was built from,
  so a frame stored first and the group that follows (or the reverse) are one read.
- images: `best_plate.plate_crop_jpeg` / `results[].plate_crop_jpeg` (plate crop),
  `vehicle_crop_jpeg` (vehicle crop), `overview_jpeg` (context) → `Reads.images`. The agent
  keeps the full frame at `http://<agent>:8355/img/<best_uuid>.jpg`; the body does not say
  where the agent is, so `image_url` stays None.

Ignored fields: coordinates, `vehicle_region`, `vehicle_path`, `plate_path`, processing times,
credits, `is_parked`, `matches_template`, `direction_of_travel_id`, the Cloud API's separate
`vehicles[]` (the same data as `results[].vehicle`), heartbeat system statistics.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from lpr import plates
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
    SeenVehicle,
    Sighting,
)
from lpr.vendors.errors import VendorFormatError

MIN_STATE_CONFIDENCE = 0.5


def parse(
    body: bytes | str | Mapping[str, object],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """One OpenALPR message; raises VendorFormatError when it cannot be read."""
    message = read_object(body, vendor="OpenALPR")
    received_at = timestamps.utc(received_at)
    data_type = message.get("data_type")
    if data_type is None and "openalpr_webhook" in message:
        return Ignored("a test message from the OpenALPR web server", kind="openalpr_webhook")
    match data_type:
        case "alpr_group":
            return _group(message, received_at, max_image_bytes, kind="alpr_group")
        case "alpr_alert":
            return _alert(message, received_at, max_image_bytes)
        case "alpr_results":
            return _results(message, received_at, max_image_bytes)
        case "vehicle":
            return _sighting(message, received_at, max_image_bytes)
        case "heartbeat":
            return _heartbeat(message, received_at)
        case None if "results" in message:
            return _results(message, received_at, max_image_bytes)
        case None:
            raise VendorFormatError(
                "not an OpenALPR message: no data_type and no results"
                f" (keys: {fields.key_list(message)})"
            )
        case str():
            return Ignored(
                f"data_type {fields.preview(data_type)} carries no plate read", kind="other"
            )
        case _:
            raise VendorFormatError(f"data_type must be a string, not {type(data_type).__name__}")


def _group(
    message: JsonObject, received_at: datetime, max_image_bytes: int, *, kind: str
) -> Parsed:
    best_plate = fields.obj(message.get("best_plate"))
    number, in_best = message.get("best_plate_number"), best_plate.get("plate")
    if not isinstance(number, str | int) and not isinstance(in_best, str | int):
        raise VendorFormatError(f"{kind} has no best_plate_number and no best_plate.plate")
    notes: list[str] = []
    plate = fields.plate(number) or fields.plate(in_best)
    if plate is None:
        return Ignored(f"{kind} plate {fields.preview(number)} has no letters or digits", kind=kind)
    other = fields.plate(in_best)
    if other is not None and plates.normalize(other) != plates.normalize(plate):
        notes.append(f"best_plate.plate {other!r} differs from best_plate_number: not used")
    confidence = fields.confidence(
        message.get("best_confidence", best_plate.get("confidence")), percent=True
    )
    guesses = fields.objects(message.get("candidates")) + fields.objects(
        best_plate.get("candidates")
    )
    region_confidence = message.get("best_region_confidence", best_plate.get("region_confidence"))
    lat, lon = fields.position(message.get("gps_latitude"), message.get("gps_longitude"), notes)
    camera_ref = _camera_ref(message)
    read = Read(
        plate=plate,
        state=_state(
            message.get("best_region", best_plate.get("region")), region_confidence, message, notes
        ),
        read_at=timestamps.first(
            [
                ("best_uuid_epoch_ms", message.get("best_uuid_epoch_ms")),
                ("epoch_start", message.get("epoch_start")),
            ],
            received_at=received_at,
            notes=notes,
        ),
        lat=lat,
        lon=lon,
        heading_deg=fields.heading(message.get("travel_direction")),
        confidence=confidence,
        candidates=fields.candidates(plate, confidence, _guesses(guesses)),
        vehicle=_vehicle(fields.obj(message.get("vehicle"))),
        camera_ref=camera_ref,
        source_id=fields.ident(message.get("best_uuid")) or _first_uuid(message),
        notes=tuple(notes),
    )
    message_notes: list[str] = []
    if fields.flag(message.get("is_preview")):
        message_notes.append("a preview group: the agent sends the final group later")
    found = images.from_fields(
        [
            (best_plate.get("plate_crop_jpeg"), "best_plate.plate_crop_jpeg", ImageKind.PLATE_CROP),
            (message.get("vehicle_crop_jpeg"), "vehicle_crop_jpeg", ImageKind.VEHICLE_CROP),
            (message.get("overview_jpeg"), "overview_jpeg", ImageKind.CONTEXT),
        ],
        read_index=0,
        max_bytes=max_image_bytes,
        notes=message_notes,
    )
    return Reads(
        reads=(read,),
        kind=kind,
        related_ids=(_frame_ids(message),),
        images=found,
        camera_label=fields.text(fields.obj(message.get("web_server_config")).get("camera_label")),
        notes=tuple(message_notes),
    )


def _alert(message: JsonObject, received_at: datetime, max_image_bytes: int) -> Parsed:
    group = fields.obj(message.get("group"))
    if not group:
        group = {
            "best_plate_number": message.get("plate_number"),
            "epoch_start": message.get("epoch_time"),
            "agent_uid": message.get("agent_uid"),
            "camera_id": message.get("camera_number"),
        }
    parsed = _group(group, received_at, max_image_bytes, kind="alpr_alert")
    if not isinstance(parsed, Reads):
        return parsed
    if parsed.camera_label is None:
        parsed = replace(parsed, camera_label=fields.text(message.get("camera_name")))
    return _alerted_plate(parsed, fields.plate(message.get("plate_number")))


def _alerted_plate(parsed: Reads, alerted: str | None) -> Reads:
    """The agent alerts on the plate its own list matched, which may be one of the group's
    other candidates: that plate is the read (the group's best read follows as a candidate),
    so the listed car is matched here too and the read is not taken for a repeat of the group."""
    read = parsed.reads[0]
    if alerted is None or plates.normalize(alerted) == plates.normalize(read.plate):
        return parsed
    known = next(
        (c for c in read.candidates if plates.normalize(c.plate) == plates.normalize(alerted)), None
    )
    first = Candidate(alerted, known.confidence if known else None)
    others = tuple(
        c for c in read.candidates if plates.normalize(c.plate) != plates.normalize(alerted)
    )
    note = f"alerted on plate_number {alerted!r}; the group's best read was {read.plate!r}"
    alert_read = replace(
        read,
        plate=alerted,
        confidence=first.confidence,
        candidates=(first, *others),
        notes=(*read.notes, note),
    )
    return replace(parsed, reads=(alert_read, *parsed.reads[1:]))


def _results(message: JsonObject, received_at: datetime, max_image_bytes: int) -> Parsed:
    results = message.get("results")
    if not isinstance(results, list):
        raise VendorFormatError("alpr_results has no results array")
    camera_ref = _camera_ref(message)
    uuid = fields.ident(message.get("uuid"))
    reads: list[Read] = []
    found: list[InlineImage] = []
    message_notes: list[str] = []
    for position, result in enumerate(results):
        if not isinstance(result, Mapping):
            message_notes.append(f"results[{position}] is not an object: skipped")
            continue
        plate = fields.plate(result.get("plate"))
        if plate is None:
            shown = fields.preview(result.get("plate"))
            message_notes.append(f"results[{position}] plate {shown} is unreadable: skipped")
            continue
        notes: list[str] = []
        confidence = fields.confidence(result.get("confidence"), percent=True)
        index = result.get("plate_index")
        index = index if isinstance(index, int) and not isinstance(index, bool) else position
        reads.append(
            Read(
                plate=plate,
                state=_state(result.get("region"), result.get("region_confidence"), message, notes),
                read_at=timestamps.first(
                    [
                        (f"results[{position}].epoch_time", result.get("epoch_time")),
                        ("epoch_time", message.get("epoch_time")),
                    ],
                    received_at=received_at,
                    notes=notes,
                ),
                confidence=confidence,
                candidates=fields.candidates(
                    plate, confidence, _guesses(fields.objects(result.get("candidates")))
                ),
                vehicle=_vehicle(fields.obj(result.get("vehicle"))),
                camera_ref=camera_ref,
                source_id=f"{uuid}#{index}" if uuid else None,
                notes=tuple(notes),
            )
        )
        found += images.from_fields(
            [
                (
                    result.get("plate_crop_jpeg"),
                    f"results[{position}].plate_crop_jpeg",
                    ImageKind.PLATE_CROP,
                )
            ],
            read_index=len(reads) - 1,
            max_bytes=max_image_bytes,
            notes=message_notes,
        )
    if not reads:
        why = "the agent reported an error" if fields.flag(message.get("error")) else "no plate"
        detail = f" ({'; '.join(message_notes)})" if message_notes else ""
        return Ignored(f"alpr_results: {why} in results{detail}", kind="alpr_results")
    return Reads(
        reads=tuple(reads), kind="alpr_results", images=tuple(found), notes=tuple(message_notes)
    )


def _sighting(message: JsonObject, received_at: datetime, max_image_bytes: int) -> Parsed:
    notes: list[str] = []
    lat, lon = fields.position(message.get("gps_latitude"), message.get("gps_longitude"), notes)
    seen = SeenVehicle(
        vehicle=_vehicle(fields.obj(message.get("vehicle"))),
        seen_at=timestamps.first(
            [
                ("best_uuid_epoch_ms", message.get("best_uuid_epoch_ms")),
                ("epoch_start", message.get("epoch_start")),
            ],
            received_at=received_at,
            notes=notes,
        ),
        lat=lat,
        lon=lon,
        heading_deg=fields.heading(message.get("travel_direction")),
        camera_ref=_camera_ref(message),
        source_id=fields.ident(message.get("best_uuid")),
        notes=tuple(notes),
    )
    found = images.from_fields(
        [
            (message.get("vehicle_crop_jpeg"), "vehicle_crop_jpeg", ImageKind.VEHICLE_CROP),
            (message.get("overview_jpeg"), "overview_jpeg", ImageKind.CONTEXT),
        ],
        read_index=0,
        max_bytes=max_image_bytes,
        notes=[],
    )
    return Sighting(vehicles=(seen,), kind="vehicle", images=found)


def _heartbeat(message: JsonObject, received_at: datetime) -> Heartbeat:
    notes: list[str] = []
    host = _host(message)
    cameras = []
    for stream in fields.objects(message.get("video_streams")):
        camera = fields.ident(stream.get("camera_id"))
        if camera is None:
            continue
        lat, lon = fields.position(stream.get("gps_latitude"), stream.get("gps_longitude"), notes)
        last = stream.get("last_update")
        cameras.append(
            CameraStatus(
                camera_ref=f"openalpr:{host}:{camera}" if host else f"openalpr:{camera}",
                name=fields.text(stream.get("camera_name")),
                streaming=fields.flag(stream.get("is_streaming")),
                last_frame_at=timestamps.parse(
                    last, field="last_update", received_at=received_at, notes=notes
                )
                if last not in (None, "", 0)
                else None,
                lat=lat,
                lon=lon,
            )
        )
    sent = message.get("timestamp")
    return Heartbeat(
        kind="heartbeat",
        received_at=received_at,
        sent_at=timestamps.parse(sent, field="timestamp", received_at=received_at, notes=notes)
        if sent not in (None, "")
        else None,
        agent_ref=f"openalpr:{host}" if host else None,
        agent_version=fields.text(message.get("agent_version")),
        cameras=tuple(cameras),
        notes=tuple(notes),
    )


def _host(message: JsonObject) -> str | None:
    return fields.ident(message.get("agent_uid")) or fields.ident(message.get("site_id"))


def _camera_ref(message: JsonObject) -> str | None:
    camera = fields.ident(message.get("camera_id"))
    if camera is None:
        return None
    host = _host(message)
    return f"openalpr:{host}:{camera}" if host else f"openalpr:{camera}"


def _first_uuid(group: JsonObject) -> str | None:
    uuids = group.get("uuids")
    return fields.ident(uuids[0]) if isinstance(uuids, list) and uuids else None


def _frame_ids(group: JsonObject) -> tuple[str, ...]:
    uuids = group.get("uuids")
    indexes = group.get("plate_indexes")
    if not isinstance(uuids, list):
        return ()
    index_list = indexes if isinstance(indexes, list) else []
    found = []
    for k, uuid in enumerate(uuids[:1000]):
        frame = fields.ident(uuid)
        if frame is None:
            continue
        index = index_list[k] if k < len(index_list) else 0
        index = index if isinstance(index, int) and not isinstance(index, bool) else 0
        found.append(f"{frame}#{index}")
    return tuple(found)


def _state(
    region: object, region_confidence: object, message: JsonObject, notes: list[str]
) -> str | None:
    code = fields.text(region)
    if code is None:
        return None
    country = fields.text(message.get("country"))
    if country and country.lower() not in ("us", "ca", "mx") and "-" not in code:
        notes.append(f"region {code!r} in country {country!r}: no state")
        return None
    confidence = fields.confidence(region_confidence, percent=True)
    if confidence is not None and confidence < MIN_STATE_CONFIDENCE:
        notes.append(f"region {code!r} read at {confidence:.0%} confidence: no state")
        return None
    return fields.state(code, notes, bare_is_country=False)


def _guesses(entries: list[JsonObject]) -> list[tuple[object, float | None]]:
    return [
        (entry.get("plate"), fields.confidence(entry.get("confidence"), percent=True))
        for entry in entries
    ]


def _top(entries: object) -> tuple[str | None, float | None]:
    best: tuple[str | None, float | None] = (None, None)
    for entry in fields.objects(entries):
        name = fields.name(entry.get("name"))
        if name is None:
            continue
        confidence = fields.confidence(entry.get("confidence"), percent=True)
        if best[0] is None or (confidence or 0) > (best[1] or 0):
            best = (name, confidence)
    return best


def _vehicle(vehicle: JsonObject) -> VehicleSeen:
    if not vehicle:
        return VehicleSeen()
    make, make_confidence = _top(vehicle.get("make"))
    model, model_confidence = None, None
    ranked = sorted(
        (
            (fields.confidence(entry.get("confidence"), percent=True) or 0.0, name)
            for entry in fields.objects(vehicle.get("make_model"))
            if (name := fields.name(entry.get("name"))) is not None and "_" in name
        ),
        key=lambda pair: -pair[0],
    )
    for confidence, name in ranked:
        its_make, _, its_model = name.partition("_")
        if make is None:
            make, make_confidence = its_make, confidence
        if its_make.lower() == make.lower() and fields.name(its_model):
            model, model_confidence = its_model, confidence
            break
    color, color_confidence = _top(vehicle.get("color"))
    body, body_confidence = _top(vehicle.get("body_type"))
    year, _ = _top(vehicle.get("year"))
    return VehicleSeen(
        make=make,
        model=model,
        color=color,
        type=body,
        year=fields.year(year),
        make_confidence=make_confidence,
        model_confidence=model_confidence,
        color_confidence=color_confidence,
        type_confidence=body_confidence,
    )
