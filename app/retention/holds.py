"""Evidence holds: placed by a supervisor (or an admin) for a case, by plate, by camera and
time range, or by alert; every matching record is kept past its retention until the hold is
released. Placing and releasing are audited; a released hold stays listed, with who and why.

`Held` is what enforcement asks before each batch: the active holds as SQL conditions on
reads, and the ids of the alerts they keep.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlmodel import Session, col

from app import audit
from app.errors import Conflict, NotFound, Unprocessable
from app.models import Alert, Bulletin, BulletinMatch, Camera, EvidenceHold, Hit, Read, User
from lpr import plates


class HoldKind(StrEnum):
    PLATE = "plate"
    CAMERA = "camera"
    ALERT = "alert"


def place(
    session: Session,
    *,
    case_number: str,
    reason: str,
    plate: str | None,
    camera_id: int | None,
    since: datetime | None,
    until: datetime | None,
    alert_id: int | None,
    user: User,
    now: datetime,
) -> EvidenceHold:
    """Place a hold of exactly one kind: `plate`; `camera_id` (with `since`/`until`, either
    open); or `alert_id`. Unprocessable (422) naming what is wrong; NotFound for an unknown
    camera or alert."""
    given = [k for k, v in (("plate", plate), ("camera_id", camera_id), ("alert_id", alert_id))
             if v is not None]  # fmt: skip
    if len(given) != 1:
        raise Unprocessable(
            "give exactly one of plate, camera_id or alert_id"
            + (f" (got {', '.join(given)})" if given else "")
        )
    if (since is not None or until is not None) and camera_id is None:
        raise Unprocessable("since and until go with camera_id")
    if since is not None and until is not None and until <= since:
        raise Unprocessable("until must be after since")
    hold = EvidenceHold(
        kind="", case_number=case_number, reason=reason, created_by=user.id, created_at=now
    )
    if plate is not None:
        hold.kind, hold.plate, hold.plate_key = HoldKind.PLATE, plate, plates.parse(plate).key
    elif camera_id is not None:
        if session.get(Camera, camera_id) is None:
            raise NotFound(f"no camera with id {camera_id}")
        hold.kind, hold.camera_id, hold.since, hold.until = HoldKind.CAMERA, camera_id, since, until
    else:
        if session.get(Alert, alert_id) is None:
            raise NotFound(f"no alert with id {alert_id}")
        hold.kind, hold.alert_id = HoldKind.ALERT, alert_id
    session.add(hold)
    session.flush()
    audit.record(
        session, actor=user, action="hold.place", now=now, object_type="evidence_hold",
        object_id=hold.id, plate=hold.plate_key, purpose=reason,
        detail={"case_number": case_number, "kind": hold.kind, "camera_id": camera_id,
                "since": since, "until": until, "alert_id": alert_id},
    )  # fmt: skip
    return hold


def release(
    session: Session, hold_id: int, *, reason: str, user: User, now: datetime
) -> EvidenceHold:
    """Release a hold: its records fall back under their retention at the next run."""
    hold = session.get(EvidenceHold, hold_id, with_for_update=True)
    if hold is None:
        raise NotFound(f"no evidence hold with id {hold_id}")
    if hold.released_at is not None:
        raise Conflict(f"hold {hold_id} was already released at {hold.released_at.isoformat()}")
    hold.released_at, hold.released_by, hold.release_reason = now, user.id, reason
    session.add(hold)
    audit.record(
        session, actor=user, action="hold.release", now=now, object_type="evidence_hold",
        object_id=hold.id, plate=hold.plate_key, purpose=reason,
        detail={"case_number": hold.case_number, "kind": hold.kind},
    )  # fmt: skip
    return hold


def listed(
    session: Session, *, active: bool | None, case_number: str | None, after_id: int, limit: int
) -> Sequence[EvidenceHold]:
    query = select(EvidenceHold).where(col(EvidenceHold.id) > after_id)
    if active is True:
        query = query.where(col(EvidenceHold.released_at).is_(None))
    elif active is False:
        query = query.where(col(EvidenceHold.released_at).is_not(None))
    if case_number is not None:
        query = query.where(col(EvidenceHold.case_number) == case_number)
    return session.scalars(query.order_by(col(EvidenceHold.id)).limit(limit)).all()


@dataclass(frozen=True, slots=True)
class Held:
    """The active holds, read at the start of a batch's transaction."""

    plate_keys: frozenset[str]
    camera_ranges: tuple[tuple[int, datetime | None, datetime | None], ...]
    alert_ids: frozenset[int]  # held directly, or through a read a hold keeps
    read_ids: frozenset[int]  # reads an alert hold keeps (the hit's, the trail's)

    @property
    def is_empty(self) -> bool:
        return not (self.plate_keys or self.camera_ranges or self.alert_ids)

    def keeps_read(self, read: Any = Read) -> ColumnElement[bool]:
        """True for the rows of `read` (the Read table or an alias of it) a hold keeps."""
        conditions: list[ColumnElement[bool]] = []
        if self.plate_keys:
            conditions.append(read.plate_key.in_(sorted(self.plate_keys)))
        for camera_id, since, until in self.camera_ranges:
            window = [read.camera_id == camera_id]
            if since is not None:
                window.append(read.read_at >= since)
            if until is not None:
                window.append(read.read_at < until)
            conditions.append(and_(*window))
        if self.read_ids:
            conditions.append(read.id.in_(sorted(self.read_ids)))
        return or_(*conditions) if conditions else false()


def active(session: Session) -> Held:
    holds = session.scalars(select(EvidenceHold).where(col(EvidenceHold.released_at).is_(None)))
    plate_keys: set[str] = set()
    ranges: list[tuple[int, datetime | None, datetime | None]] = []
    direct: set[int] = set()
    for hold in holds:
        if hold.kind == HoldKind.PLATE and hold.plate_key:
            plate_keys.add(hold.plate_key)
        elif hold.kind == HoldKind.CAMERA and hold.camera_id is not None:
            ranges.append((hold.camera_id, hold.since, hold.until))
        elif hold.kind == HoldKind.ALERT and hold.alert_id is not None:
            direct.add(hold.alert_id)
    read_ids = _reads_of_alerts(session, direct)
    by_reads = Held(frozenset(plate_keys), tuple(ranges), frozenset(), frozenset())
    alert_ids = set(direct)
    if plate_keys or ranges:
        # An alert is kept with the reads a plate or camera hold keeps.
        alert_ids.update(
            session.scalars(
                select(col(Alert.id))
                .join(Hit, col(Hit.id) == col(Alert.hit_id))
                .join(Read, col(Read.id) == col(Hit.read_id))
                .where(by_reads.keeps_read(Read))
            )
        )
    return Held(frozenset(plate_keys), tuple(ranges), frozenset(alert_ids), frozenset(read_ids))


def _reads_of_alerts(session: Session, alert_ids: set[int]) -> set[int]:
    """The reads an alert cites: its hit's read, its trail, its bulletin's matches."""
    if not alert_ids:
        return set()
    found: set[int] = set()
    for alert in session.scalars(select(Alert).where(col(Alert.id).in_(sorted(alert_ids)))):
        for point in (alert.details or {}).get("trail") or []:
            if isinstance(point, dict) and isinstance(point.get("read_id"), int):
                found.add(point["read_id"])
    found.update(
        session.scalars(
            select(col(Hit.read_id))
            .join(Alert, col(Alert.hit_id) == col(Hit.id))
            .where(col(Alert.id).in_(sorted(alert_ids)))
        )
    )
    found.update(
        session.scalars(
            select(col(BulletinMatch.read_id))
            .join(Bulletin, col(Bulletin.id) == col(BulletinMatch.bulletin_id))
            .where(col(Bulletin.alert_id).in_(sorted(alert_ids)))
        )
    )
    return found
