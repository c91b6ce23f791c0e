"""The row a read is stored as, whichever intake it came through (our JSON or a vendor's)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.officers.beats import BeatTagger
from app.reads.cameras import CameraRef
from lpr import plates

VEHICLE_FIELDS = ("make", "model", "color", "type", "year")


def build(
    camera: CameraRef,
    *,
    plate: str,
    state: str | None,
    read_at: datetime | None,
    lat: float | None,
    lon: float | None,
    heading_deg: float | None,
    confidence: float | None,
    candidates: Iterable[tuple[str, float | None]],
    vehicle: Mapping[str, Any],
    image_url: str | None,
    beats: BeatTagger | None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A read row: its own position (a mobile unit's GPS) over the camera's, and its own
    heading likewise; tagged with the beat it falls in. `read_at` None means "when received"."""
    parsed = plates.parse(plate)
    if lat is None or lon is None:
        lat, lon = camera.lat, camera.lon
    beat = None
    if beats is not None and lat is not None and lon is not None:
        beat = beats.beat_at(lat, lon)
    row = {
        "beat": beat,
        "camera_id": camera.id,
        "plate": plate,
        "plate_key": parsed.key,
        "plate_removed": parsed.removed or None,
        "state": state,
        "read_at": read_at,
        "lat": lat,
        "lon": lon,
        "heading_deg": heading_deg if heading_deg is not None else camera.heading_deg,
        "confidence": confidence,
        "candidates": [{"plate": p, "confidence": c} for p, c in candidates] or None,
        "image_url": image_url,
    }
    row.update({f"vehicle_{name}": vehicle.get(name) for name in VEHICLE_FIELDS})
    if details is not None:
        row["details"] = details
    return row
