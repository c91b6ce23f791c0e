"""Is each camera working? Computed when asked, from plate_read and the camera rows.

Reads are counted where they are stored, with the (camera_id, received_at) index, rather than
kept as counters: a counter would add a write per camera to every ingest batch, and GET
/v1/cameras is asked rarely. The latest read of a camera is one index probe; the last hour's
reads are one index range per camera, so the answer costs time in proportion to that hour's
reads (about 3,600 rows for a camera reading once a second).

Heartbeats and plate-less vehicles are rare, so they are written on the camera row as they
come (app/intake/sources.py). A site (a key whose cameras were found through it) counts as
alive while any of its cameras is.

The misread rate is what officers found: of the hot-list alerts raised by the camera's reads
and closed in the last 30 days as located, misread or wrong vehicle (the plate was checked),
the share closed as misread. An alert counts against the camera whose read raised it.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from alerts.lifecycle import Disposition
from app.models import Alert, Camera, CameraSource, Hit, Read
from app.schemas.cameras import CameraHealth

WINDOW = timedelta(hours=1)
OUTCOME_WINDOW = timedelta(days=30)
CHECKED = (Disposition.LOCATED, Disposition.MISREAD, Disposition.WRONG_VEHICLE)


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
    checked = _checked_hits(session, ids, now=now)
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
        hits, misreads = checked.get(camera.id, (0, 0))
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
            checked_hits_30d=int(hits),
            misread_rate=round(int(misreads or 0) / hits, 3) if hits else None,
        )
    return report


def _checked_hits(session: Session, ids: list[int], *, now: datetime) -> dict[int, tuple[int, int]]:
    """camera id -> (hits whose plate was checked, of them misread) over OUTCOME_WINDOW."""
    misread = case((col(Alert.disposition) == Disposition.MISREAD.value, 1), else_=0)
    rows = session.execute(
        select(col(Read.camera_id), func.count(), func.sum(misread))
        .select_from(Alert)
        .join(Hit, col(Hit.id) == Alert.hit_id)
        .join(Read, col(Read.id) == Hit.read_id)
        .where(
            col(Alert.closed_at) >= now - OUTCOME_WINDOW,
            col(Alert.disposition).in_([d.value for d in CHECKED]),
            col(Read.camera_id).in_(ids),
        )
        .group_by(col(Read.camera_id))
    )
    return {camera_id: (count, misreads) for camera_id, count, misreads in rows}
