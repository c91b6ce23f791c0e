"""Is each camera working? Computed when asked, from plate_read and the camera rows.

Reads are counted where they are stored, with the (camera_id, received_at) index, rather than
kept as counters: a counter would add a write per camera to every ingest batch, and GET
/v1/cameras is asked rarely. The latest read of a camera is one index probe; the last hour's
reads are one index range per camera, so the answer costs time in proportion to that hour's
reads (about 3,600 rows for a camera reading once a second).

Heartbeats and plate-less vehicles are rare, so they are written on the camera row as they
come (app/intake/sources.py). A site (a key whose cameras were found through it) counts as
alive while any of its cameras is.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from app.models import Camera, CameraSource, Read
from app.schemas.cameras import CameraHealth

WINDOW = timedelta(hours=1)


def health(
    session: Session,
    cameras: Sequence[Camera],
    *,
    now: datetime,
    silent_after: timedelta,
    low_confidence: float,
) -> dict[int, CameraHealth]:
    ids = [camera.id for camera in cameras if camera.id is not None]
    if not ids:
        return {}
    latest = select(func.max(col(Read.received_at))).where(col(Read.camera_id) == Camera.id)
    last_read: dict[int, datetime | None] = dict(
        session.execute(
            select(col(Camera.id), latest.scalar_subquery()).where(col(Camera.id).in_(ids))
        ).all()
    )
    low = case((col(Read.confidence) < low_confidence, 1), else_=0)
    hour = {
        camera_id: (count, rated, lows)
        for camera_id, count, rated, lows in session.execute(
            select(
                col(Read.camera_id), func.count(), func.count(col(Read.confidence)), func.sum(low)
            )
            .where(col(Read.camera_id).in_(ids), col(Read.received_at) >= now - WINDOW)
            .group_by(col(Read.camera_id))
        )
    }
    found_through: dict[int, set[int]] = {}
    for key_id, camera_id in session.execute(
        select(col(CameraSource.key_camera_id), col(CameraSource.camera_id)).where(
            col(CameraSource.key_camera_id).in_(ids)
        )
    ):
        found_through.setdefault(key_id, set()).add(camera_id)

    last_seen: dict[int, datetime | None] = {}
    for camera in cameras:
        assert camera.id is not None
        moments = [last_read.get(camera.id), camera.last_heartbeat_at, camera.last_sighting_at]
        last_seen[camera.id] = max((m for m in moments if m is not None), default=None)

    report = {}
    for camera in cameras:
        assert camera.id is not None
        count, rated, lows = hour.get(camera.id, (0, 0, 0))
        seen = [last_seen[camera.id]] + [
            last_seen.get(child) for child in found_through.get(camera.id, ())
        ]
        latest_sign = max((m for m in seen if m is not None), default=camera.created_at)
        report[camera.id] = CameraHealth(
            last_read_at=last_read.get(camera.id),
            last_heartbeat_at=camera.last_heartbeat_at,
            last_sighting_at=camera.last_sighting_at,
            reads_last_hour=int(count),
            low_confidence_share=round(int(lows or 0) / rated, 3) if rated else None,
            streaming=camera.is_streaming,
            silent=camera.is_active and now - latest_sign > silent_after,
        )
    return report
