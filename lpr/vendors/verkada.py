"""Verkada: the `lpr` webhook, in its 2020 and 2025 shapes.

Messages:

==========================  ===================================================================
`webhook_type: "lpr"`       One plate read → `Reads` (1 read), kind `lpr`
other `webhook_type`        → `Ignored`, naming the type (Verkada sends other notifications to
                            the same URL when an admin subscribes to them)
==========================  ===================================================================

Where each `Read` field comes from:

- `plate`: `data.license_plate_number`, as sent.
- `confidence`: `data.confidence` (0–1). No candidates are sent: `candidates` is the plate alone.
- `state`: `data.license_plate_state` (2025: `us-ca`); absent in 2020 payloads.
- `read_at`: `data.detected` (**milliseconds**, 2025), else `data.created` (seconds), else the
  webhook's `created_at` (seconds: when the webhook was sent, not when the car passed).
- `image_url`: `data.image_url` (2025) when it is an http(s) URL; a placeholder such as the
  docs' `"IMAGE_URL"` is dropped with a note.
- `camera_ref`: `verkada:<data.camera_id>` (a UUID).
- `source_id`: `<camera_id>@<detected or created>/<plate>`. Verkada sends no event id:
  `webhook_id` names the webhook subscription, the same for every event.

Ignored fields: `org_id`, `webhook_id`, `data.crop` (normalised box, element order not
documented). Verkada sends no vehicle attributes, position or direction.
"""

from collections.abc import Mapping
from datetime import datetime

from lpr.read import Candidate, Read
from lpr.vendors import fields, timestamps
from lpr.vendors.body import read_object
from lpr.vendors.common import Ignored, Parsed, Reads
from lpr.vendors.errors import VendorFormatError


def parse(body: bytes | str | Mapping[str, object], *, received_at: datetime) -> Parsed:
    """One Verkada webhook; raises VendorFormatError when it cannot be read."""
    message = read_object(body, vendor="Verkada")
    received_at = timestamps.utc(received_at)
    webhook_type = message.get("webhook_type")
    data = message.get("data")
    if webhook_type is None and not isinstance(data, Mapping):
        raise VendorFormatError("not a Verkada webhook: no webhook_type and no data object")
    if webhook_type is not None and webhook_type != "lpr":
        kind = webhook_type[:40] if isinstance(webhook_type, str) and webhook_type else "other"
        return Ignored(
            f"webhook_type {fields.preview(webhook_type)} carries no plate read", kind=kind
        )
    if not isinstance(data, Mapping):
        raise VendorFormatError("the Verkada lpr webhook has no data object")
    raw = data.get("license_plate_number")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise VendorFormatError("the Verkada lpr webhook has no data.license_plate_number")
    plate = fields.plate(raw)
    if plate is None:
        return Ignored(f"plate {fields.preview(raw)} has no letters or digits", kind="lpr")
    notes: list[str] = []
    detected, created = data.get("detected"), data.get("created")
    read_at = timestamps.first(
        [
            ("data.detected", detected),
            ("data.created", created),
            ("created_at", message.get("created_at")),
        ],
        received_at=received_at,
        notes=notes,
    )
    confidence = fields.confidence(data.get("confidence"), percent=False)
    camera = fields.ident(data.get("camera_id"))
    stamp = next((_stamp(v) for v in (detected, created) if fields.number(v) is not None), None)
    read = Read(
        plate=plate,
        state=fields.state(data.get("license_plate_state"), notes, bare_is_country=False),
        read_at=read_at,
        confidence=confidence,
        candidates=(Candidate(plate, confidence),),
        image_url=_image_url(data.get("image_url"), notes),
        camera_ref=f"verkada:{camera}" if camera else None,
        source_id=f"{camera or '-'}@{stamp}/{plate}" if stamp else None,
        notes=tuple(notes),
    )
    return Reads(reads=(read,), kind="lpr")


def _image_url(value: object, notes: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2048:
        notes.append(f"image_url {url[:40]!r} is not an http(s) URL: not kept")
        return None
    return url


def _stamp(value: object) -> str:
    return value.strip() if isinstance(value, str) else fields.preview(value)
