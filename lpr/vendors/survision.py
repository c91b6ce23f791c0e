"""Survision LPR cameras: the HTTP push of a recognition, their XML turned into JSON.

The JSON is a mechanical conversion of Survision's XML: attributes become `@name` keys and
every value is a string. Messages:

=============================  ============================================================
`{"anpr": {...}}` with a plate  → `Reads` (1 read), kind `anpr`
`anpr` with an empty `@plate`   → `Ignored`: a vehicle without a read plate
any other single message        → `Ignored`, naming it (the camera's other notifications)
=============================  ============================================================

Where each `Read` field comes from:

- `plate`: `anpr.decision.@plate`.
- `confidence`: `@reliability` (0–100).
- `state`: `@context_isoAlpha2` when it names a US state or Canadian province (`US-CA`);
  Survision's plate contexts are countries (`@context` `F`, `FR`, `FRA`), which name no state.
- `read_at`: `anpr.@date` (milliseconds, a string).
- `direction`: `@direction` (`unknown` is none).
- `camera_ref`: none. The message does not name the camera: give each camera its own key
  (its own URL, `/v1/intake/survision/<key>`), and its reads are stored under that camera.
- `source_id`: `<@session>/<@id>@<@date>`: a re-sent message is the same read. Without `@id`,
  `<@session>@<@date>`: the same plate at the same millisecond is the same read (a stored read
  is matched on its id and its plate).
- images: `decision.jpeg` (base64 JPEG of the scene).

Ignored: the plate box (`@x`, `@y`, `@width`, `@height`, `@sinus`), `@plateOccurences`,
`@squarePlate`, `@synchronized`.
"""

from collections.abc import Mapping
from datetime import datetime

from lpr.read import Candidate, Read
from lpr.vendors import fields, images, timestamps
from lpr.vendors.body import read_object
from lpr.vendors.common import DEFAULT_MAX_IMAGE_BYTES, Ignored, ImageKind, Parsed, Reads
from lpr.vendors.errors import VendorFormatError


def parse(
    body: bytes | str | Mapping[str, object],
    *,
    received_at: datetime,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> Parsed:
    """One Survision push (JSON); raises VendorFormatError when it is not one."""
    message = read_object(body, vendor="Survision")
    received_at = timestamps.utc(received_at)
    anpr = message.get("anpr")
    if not isinstance(anpr, Mapping):
        if len(message) == 1:
            (name, value), *_ = message.items()
            if isinstance(value, Mapping) and any(str(k).startswith("@") for k in value):
                return Ignored(f"message {name[:40]!r} carries no plate read", kind=name[:40])
        raise VendorFormatError(
            f"not a Survision message: no 'anpr' object (keys: {fields.key_list(message)})"
        )
    decision = fields.obj(anpr.get("decision"))
    raw = decision.get("@plate")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        if not decision:
            raise VendorFormatError("the Survision anpr message has no decision object")
        return Ignored("anpr decision without a plate", kind="anpr")
    plate = fields.plate(raw)
    if plate is None:
        return Ignored("anpr decision without a read plate", kind="anpr")
    notes: list[str] = []
    date = anpr.get("@date")
    confidence = fields.confidence(decision.get("@reliability"), percent=True)
    state = None
    region = fields.text(decision.get("@context_isoAlpha2"))
    if region is not None and "-" in region:
        state = fields.state(region, notes, bare_is_country=True)
    session, event = fields.ident(anpr.get("@session")), fields.ident(anpr.get("@id"))
    stamp = fields.ident(date)
    read = Read(
        plate=plate,
        state=state,
        read_at=timestamps.first([("anpr.@date", date)], received_at=received_at, notes=notes),
        confidence=confidence,
        candidates=(Candidate(plate, confidence),),
        direction=fields.direction(decision.get("@direction")),
        source_id=_source_id(session, event, stamp),
        notes=tuple(notes),
    )
    message_notes: list[str] = []
    found = images.from_fields(
        [(decision.get("jpeg"), "decision.jpeg", ImageKind.CONTEXT)],
        read_index=0,
        max_bytes=max_image_bytes,
        notes=message_notes,
    )
    return Reads(reads=(read,), kind="anpr", images=found, notes=tuple(message_notes))


def _source_id(session: str | None, event: str | None, stamp: str | None) -> str | None:
    if stamp is None:
        return None
    return f"{session or '-'}/{event}@{stamp}" if event else f"{session or '-'}@{stamp}"
