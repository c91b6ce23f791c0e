"""The row a read is stored as, whichever intake it came through: every intake (our JSON, each
vendor's format) hands over an `lpr.Read`, and this is the one place that decides its position,
heading, beat, plate key and the OCR candidates the matchers probe."""

from datetime import datetime, timedelta
from typing import Any

from app.officers.beats import BeatTagger
from app.reads.cameras import CameraRef
from lpr import Read, candidates, plates

VEHICLE_FIELDS = ("make", "model", "color", "type", "year")
FUTURE_TOLERANCE = timedelta(minutes=5)  # camera clocks drift


def time_problem(read_at: datetime | None, *, now: datetime, max_age: timedelta) -> str | None:
    """Why a read's own time cannot be stored, or None: more than FUTURE_TOLERANCE ahead of
    the server's clock, or taken more than `max_age` ago (settings: read_max_age_s)."""
    if read_at is None:
        return None
    if read_at > now + FUTURE_TOLERANCE:
        return f"{read_at.isoformat()} is in the future; check the camera's clock"
    if read_at < now - max_age:
        days = max_age.total_seconds() / 86_400
        return (
            f"{read_at.isoformat()} is more than {days:g} days ago (LOOKOUT_READ_MAX_AGE_S); "
            "check the camera's clock, or import old reads another way"
        )
    return None


def row_of(
    read: Read,
    camera: CameraRef,
    *,
    beats: BeatTagger | None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A read row: its own position (a mobile unit's GPS) over the camera's, and its own
    heading likewise; tagged with the beat it falls in. `read_at` None means "when received".

    Besides the plate_read columns (app/reads/bulk.py) the row carries `keys`, the ranked OCR
    candidates (`lpr.candidates.ranked`), computed once for every matcher that looks at it.
    Raises lpr.InvalidPlate for a plate with nothing to store."""
    parsed = plates.parse(read.plate)
    lat, lon = read.lat, read.lon
    if lat is None or lon is None:
        lat, lon = camera.lat, camera.lon
    beat = None
    if beats is not None and lat is not None and lon is not None:
        beat = beats.beat_at(lat, lon)
    row: dict[str, Any] = {
        "beat": beat,
        "camera_id": camera.id,
        "plate": read.plate,
        "plate_key": parsed.key,
        "plate_removed": parsed.removed or None,
        "state": read.state,
        "read_at": read.read_at,
        "lat": lat,
        "lon": lon,
        "heading_deg": read.heading_deg if read.heading_deg is not None else camera.heading_deg,
        "confidence": read.confidence,
        "candidates": [{"plate": c.plate, "confidence": c.confidence} for c in read.candidates]
        or None,
        "image_url": read.image_url,
        "keys": candidates.ranked(read),
    }
    row.update({f"vehicle_{name}": getattr(read.vehicle, name) for name in VEHICLE_FIELDS})
    if details is not None:
        row["details"] = details
    return row
