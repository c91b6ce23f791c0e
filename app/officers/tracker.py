"""Where on-duty officers are, in memory, kept consistent with the database.

Every process (API workers, the ingest writer) may change officer rows, so the index is synced
from `officer_status` before it is asked anything: rows received or changed since the last sync
are applied (a small margin covers transactions that committed late). Hits are rare; a sync is
one indexed query.
"""

import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.expression import Exists
from sqlmodel import Session, col

from app.models import Device, OfficerStatus, Role, User
from geo import OfficerIndex, Point, Position

COMMIT_MARGIN = timedelta(seconds=10)


class OfficerTracker:
    def __init__(self, *, fresh_for: timedelta, cell_m: float = 500.0) -> None:
        self.index = OfficerIndex(cell_m=cell_m)
        self._fresh_for = fresh_for
        self._synced_at: datetime | None = None
        self._lock = threading.Lock()

    def sync(self, session: Session, now: datetime) -> int:
        """Apply what changed since the last sync; returns how many officers were looked at."""
        with self._lock:
            since = None if self._synced_at is None else self._synced_at - COMMIT_MARGIN
            self._synced_at = now
            query = select(OfficerStatus, col(User.is_active), col(User.role), _has_device()).join(
                User, col(User.id) == OfficerStatus.user_id
            )
            if since is None:
                query = query.where(
                    col(OfficerStatus.on_duty),
                    col(OfficerStatus.recorded_at) >= now - self._fresh_for,
                )
            else:
                query = query.where(
                    or_(
                        col(OfficerStatus.received_at) >= since,
                        col(OfficerStatus.duty_changed_at) >= since,
                    )
                )
            rows = session.execute(query).all()
            for status, user_active, role, has_device in rows:
                # Only patrol officers are routed: a dispatcher or a gateway account may report
                # a position and go "on duty" too, but is never the car sent to a stop.
                routable = user_active and role == Role.OFFICER and has_device
                self.apply(status, routable=bool(routable))
            if since is not None:
                self._drop_retired(session, since)
            self.index.prune(now=now, older_than=self._fresh_for)
            return len(rows)

    def apply(self, status: OfficerStatus, *, routable: bool = True) -> None:
        """Put one officer's row into the index, or take them out of it."""
        assert status.user_id is not None
        if (
            not routable
            or not status.on_duty
            or status.lat is None
            or status.lon is None
            or status.recorded_at is None
        ):
            self.index.remove(status.user_id)
            return
        self.index.upsert(
            Position(
                officer_id=status.user_id,
                point=Point(status.lat, status.lon),
                recorded_at=status.recorded_at,
                heading_deg=status.heading_deg,
                speed_mps=status.speed_mps,
            )
        )

    def _drop_retired(self, session: Session, since: datetime) -> None:
        # A device retired (token gone, signed out) does not touch officer_status.
        retired = session.scalars(
            select(col(Device.user_id)).where(col(Device.retired_at) >= since).distinct()
        ).all()
        for user_id in retired:
            working = exists().where(col(Device.user_id) == user_id, col(Device.is_active))
            if not session.scalar(select(working)):
                self.index.remove(user_id)


def _has_device() -> Exists:
    return exists().where(and_(col(Device.user_id) == OfficerStatus.user_id, col(Device.is_active)))
