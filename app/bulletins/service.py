"""Bulletins (BOLOs): posting, updating and cancelling. Each writes its audit row, its retro
search and its pushes in the caller's transaction; nothing here commits.

Defaults (Lookout's, DOMAIN.md 1 and 4.2): priority by kind (carjacking and AMBER P1; robbery,
stolen vehicle and missing person P2; other P3) and expiry by kind from the time of posting
(robbery, carjacking and other 8 h, stolen vehicle 24 h, missing person 72 h, AMBER until
cancelled), at most 100 days.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts.bulletins import Action
from app import audit
from app.bulletins import alert as bulletin_alert
from app.bulletins import push as bulletin_notify
from app.bulletins import trail as bulletin_trail
from app.bulletins.alert import status_of
from app.bulletins.push import BulletinContext
from app.bulletins.rules import Watched, area_of, compile_row
from app.errors import Conflict, Unprocessable
from app.models import Bulletin, BulletinMatch, BulletinStatus, User
from app.schemas.bulletins import (
    BulletinCreate,
    BulletinPublic,
    BulletinUpdate,
    VehicleDescription,
    VehiclePublic,
    WatchPublic,
)
from geo.directions import heading_of
from lpr import plates

log = logging.getLogger(__name__)

DEFAULT_PRIORITY = {"robbery": 2, "carjacking": 1, "stolen_vehicle": 2, "amber": 1,
                    "missing_person": 2, "other": 3}  # fmt: skip
DEFAULT_LIFETIME: dict[str, timedelta | None] = {
    "robbery": timedelta(hours=8), "carjacking": timedelta(hours=8),
    "stolen_vehicle": timedelta(hours=24), "amber": None,
    "missing_person": timedelta(hours=72), "other": timedelta(hours=8),
}  # fmt: skip
MAX_LIFETIME = timedelta(days=100)
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of dispatch consoles drift

# Columns whose change alters what the watch looks for: the retro search runs again.
WATCHED_COLUMNS = frozenset({
    "occurred_at", "direction_deg", "plate_key", "state", "vehicle_make", "vehicle_model",
    "vehicle_color", "vehicle_type", "vehicle_year_min", "vehicle_year_max", "area",
})  # fmt: skip
# A change of these rings the officers who have the bulletin (something new to look for or
# know); any other (case number, expiry, a lower priority) reaches them quietly.
LOUD_COLUMNS = WATCHED_COLUMNS | {"kind", "narrative", "plate_pattern", "vehicle_marks",
                                  "direction_text"}  # fmt: skip
AUDITED_COLUMNS = (
    "kind", "narrative", "priority", "occurred_at", "expires_at", "direction_text",
    "direction_deg", "plate_pattern", "plate_key", "state", "vehicle_make", "vehicle_model",
    "vehicle_color", "vehicle_type", "vehicle_year_min", "vehicle_year_max", "vehicle_marks",
    "area", "case_number",
)  # fmt: skip
_VEHICLE_COLUMNS = {
    "plate_pattern": "plate_pattern", "state": "state", "make": "vehicle_make",
    "model": "vehicle_model", "color": "vehicle_color", "type": "vehicle_type",
    "year_min": "vehicle_year_min", "year_max": "vehicle_year_max", "marks": "vehicle_marks",
}  # fmt: skip


def create(
    *, session: Session, data: BulletinCreate, author: User, now: datetime, ctx: BulletinContext
) -> Bulletin:
    """Post a bulletin: store it and push it to the officers in its area. The caller commits,
    so the pushes go out, and then runs `search_back` for its trail."""
    values = _vehicle_columns(data.vehicle or VehicleDescription())
    values |= {
        "kind": data.kind,
        "narrative": data.narrative,
        "priority": data.priority or DEFAULT_PRIORITY[data.kind],
        "occurred_at": data.occurred_at or now,
        "case_number": data.case_number,
        **_direction_columns(data.direction),
    }
    lifetime = DEFAULT_LIFETIME[data.kind]
    values["expires_at"] = data.expires_at or (None if lifetime is None else now + lifetime)
    values["area"] = _area_column(data.area.stored(), ctx)
    _check(values, now)
    row = Bulletin(
        **values, status=BulletinStatus.ACTIVE, version=1, created_by=author.id,
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    watched = compile_row(row, ctx.beats)
    alert = bulletin_alert.open_alert(session, row, watched, now)
    audit.record(
        session, actor=author, action="bulletin.create", now=now, object_type="bulletin",
        object_id=row.id, plate=row.plate_key, purpose=_purpose(row),
        detail={"bulletin": data.model_dump(mode="json"), "plate_key": row.plate_key,
                "priority": row.priority, "expires_at": row.expires_at},
    )  # fmt: skip
    _note_normalised(row)
    described, _ = bulletin_alert.refresh_alert(session, row, watched, alert, now, ctx.alerts.tz)
    bulletin_notify.broadcast(session, row, watched, alert, described, ctx, now, action=Action.NEW)
    session.flush()
    return row


def search_back(
    *, session: Session, row: Bulletin, actor: User | None, now: datetime, ctx: BulletinContext
) -> int:
    """Search the stored reads for a bulletin just posted or changed (its trail). When it finds
    reads not on the trail yet, everyone told gets the update (where and when the car was last
    seen) on the bulletin's thread. Returns the matches found."""
    watched = compile_row(row, ctx.beats)
    # The search holds no lock: a camera's read that fits the bulletin meanwhile waits on the
    # alert's lock (the ingest writer's whole batch with it) only while the matches are stored.
    result = bulletin_trail.retro_search(session, row, watched, now=now, ctx=ctx)
    # The alert first, then the matches: the order a live match takes them in
    # (bulletin_trail.record_live). Storing a read the live watch is storing too, the other
    # way round, deadlocked the two on PostgreSQL.
    bulletin_alert.alert_of(session, row, lock=True)
    found = bulletin_trail.retro(session, row, watched, result, actor=actor, now=now)
    if found:
        # Those told were pushed the bulletin a moment ago: the trail is news, not a task.
        _push(session, row, watched, now, ctx, Action.UPDATE, quiet=True,
              change=f"{found} stored reads fit it (the trail)")  # fmt: skip
    return found


def update(
    *,
    session: Session,
    row: Bulletin,
    data: BulletinUpdate,
    actor: User,
    now: datetime,
    ctx: BulletinContext,
) -> bool:
    """Change a bulletin and push the change to everyone told, and to whoever the area now
    covers. Returns whether it changed what the watch looks for (plate, description, place,
    time): the caller then commits and runs `search_back`."""
    given = data.model_dump(exclude_unset=True)
    if data.version is not None and data.version != row.version:
        raise Conflict(
            f"bulletin {row.id} is at version {row.version}, not {data.version}: "
            "someone changed it meanwhile; reload it and apply your change again"
        )
    status = status_of(row, now)
    if status == BulletinStatus.CANCELLED:
        raise Conflict(f"bulletin {row.id} was cancelled ({row.cancel_reason}); post a new one")
    if status == BulletinStatus.EXPIRED and not (data.expires_at and data.expires_at > now):
        raise Conflict(
            f"bulletin {row.id} expired at {_iso(row.expires_at)}; "
            "send a new expires_at to renew it"
        )
    before = {column: getattr(row, column) for column in AUDITED_COLUMNS}
    values = dict(before)
    for field in ("kind", "narrative", "occurred_at", "expires_at", "case_number"):
        if field in given:
            values[field] = getattr(data, field)
    if "priority" in given:
        values["priority"] = data.priority or DEFAULT_PRIORITY[values["kind"]]
    if "direction" in given:
        values |= _direction_columns(data.direction)
    if "vehicle" in given:
        values |= _vehicle_columns(_merged_vehicle(row, given["vehicle"] or {}))
    if "area" in given:
        if data.area is None:
            raise Unprocessable("area cannot be removed; send another area")
        values["area"] = _area_column(data.area.stored(), ctx)
    if _is_empty(values):
        raise Unprocessable(
            "a bulletin needs a vehicle description or a narrative; the change leaves neither"
        )
    _check(values, now, renewing="expires_at" in given, occurred_given="occurred_at" in given)
    diff = {c: [before[c], values[c]] for c in AUDITED_COLUMNS if before[c] != values[c]}
    if not diff:
        return False
    for column, (_, new) in diff.items():
        setattr(row, column, new)
    row.version += 1
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="bulletin.update", now=now, object_type="bulletin",
        object_id=row.id, plate=row.plate_key, purpose=data.reason or _purpose(row),
        detail={"version": row.version, "changes": diff, "reason": data.reason},
    )  # fmt: skip
    watched = compile_row(row, ctx.beats)
    rose = "priority" in diff and diff["priority"][1] < diff["priority"][0]
    loud = rose or bool(LOUD_COLUMNS & diff.keys())
    _push(session, row, watched, now, ctx, Action.UPDATE, quiet=not loud,
          change="changed " + ", ".join(sorted(diff)))  # fmt: skip
    if WATCHED_COLUMNS & diff.keys():
        _note_normalised(row)
        return True
    return False


def cancel(
    *,
    session: Session,
    row: Bulletin,
    reason: str,
    actor: User,
    now: datetime,
    ctx: BulletinContext,
) -> Bulletin:
    """Cancel a bulletin ("vehicle located"): the watch stops, and everyone told gets a push
    on the same thread that clears it."""
    status = status_of(row, now)
    if status == BulletinStatus.CANCELLED:
        raise Conflict(f"bulletin {row.id} is already cancelled ({row.cancel_reason})")
    if status == BulletinStatus.EXPIRED:
        raise Conflict(f"bulletin {row.id} expired at {_iso(row.expires_at)}; nothing to cancel")
    row.status = BulletinStatus.CANCELLED
    row.cancel_reason, row.cancelled_at, row.cancelled_by = reason, now, actor.id
    row.version += 1
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="bulletin.cancel", now=now, object_type="bulletin",
        object_id=row.id, plate=row.plate_key, purpose=reason,
        detail={"version": row.version, "reason": reason},
    )  # fmt: skip
    _push(session, row, compile_row(row, ctx.beats), now, ctx, Action.CANCEL, change=reason)
    return row


def public(session: Session, row: Bulletin, now: datetime, ctx: BulletinContext) -> BulletinPublic:
    assert row.id is not None
    matches = session.scalar(select(func.count()).where(col(BulletinMatch.bulletin_id) == row.id))
    watched = compile_row(row, ctx.beats)
    years = (row.vehicle_year_min, row.vehicle_year_max)
    written = row.direction_text
    direction = float(written) if written is not None and _is_number(written) else written
    return BulletinPublic(
        id=row.id, kind=row.kind, narrative=row.narrative, priority=row.priority,
        status=status_of(row, now), occurred_at=row.occurred_at, expires_at=row.expires_at,
        expires_in_s=None if row.expires_at is None
        else max(0, int((row.expires_at - now).total_seconds())),
        direction=direction, direction_deg=row.direction_deg,
        vehicle=VehiclePublic(
            plate_pattern=row.plate_pattern, plate_key=row.plate_key, state=row.state,
            make=row.vehicle_make, model=row.vehicle_model, color=row.vehicle_color,
            type=row.vehicle_type, year=years[0] if years[0] == years[1] else None,
            year_min=years[0], year_max=years[1], marks=row.vehicle_marks,
        ),
        area=row.area, area_text=watched.area.describe(), case_number=row.case_number,
        alert_id=row.alert_id,
        watch=WatchPublic(plate=watched.watches_plate, description=watched.watches_description),
        matches=int(matches or 0), created_by=row.created_by, created_at=row.created_at,
        updated_at=row.updated_at, version=row.version, cancel_reason=row.cancel_reason,
        cancelled_at=row.cancelled_at,
    )  # fmt: skip


def _push(
    session: Session,
    row: Bulletin,
    watched: Watched,
    now: datetime,
    ctx: BulletinContext,
    action: Action,
    *,
    quiet: bool = False,
    change: str = "",
) -> None:
    alert = bulletin_alert.alert_of(session, row, lock=True)
    described, _ = bulletin_alert.refresh_alert(session, row, watched, alert, now, ctx.alerts.tz)
    bulletin_notify.broadcast(session, row, watched, alert, described, ctx, now, action=action,
                              quiet=quiet, change=change)  # fmt: skip
    session.flush()


def _check(
    values: dict[str, Any], now: datetime, *, renewing: bool = True, occurred_given: bool = True
) -> None:
    occurred_at, expires_at = values["occurred_at"], values["expires_at"]
    if occurred_given and occurred_at > now + FUTURE_TOLERANCE:
        raise Unprocessable(f"occurred_at {occurred_at.isoformat()} is in the future")
    if expires_at is None:
        return
    if renewing and expires_at <= now:
        raise Unprocessable(
            f"expires_at {expires_at.isoformat()} is already past (now {now.isoformat()})"
        )
    if expires_at <= occurred_at:
        raise Unprocessable(
            f"expires_at {expires_at.isoformat()} is not after occurred_at "
            f"{occurred_at.isoformat()}"
        )
    if renewing and expires_at > now + MAX_LIFETIME:
        raise Unprocessable(
            f"expires_at {expires_at.isoformat()} is more than {MAX_LIFETIME.days} days away; "
            "renew the bulletin when the case continues"
        )


def _area_column(stored: dict[str, Any], ctx: BulletinContext) -> dict[str, Any]:
    area = area_of(stored, ctx.beats)  # raises geo.InvalidArea: 422 saying why
    if area.kind == "beats":
        return {"beats": list(area.codes)}
    return stored


def _direction_columns(direction: str | float | None) -> dict[str, Any]:
    if direction is None or (isinstance(direction, str) and not direction.strip()):
        return {"direction_deg": None, "direction_text": None}
    return {"direction_deg": heading_of(direction), "direction_text": str(direction).strip()}


def _vehicle_columns(vehicle: VehicleDescription) -> dict[str, Any]:
    low = vehicle.year_min if vehicle.year_min is not None else vehicle.year
    high = vehicle.year_max if vehicle.year_max is not None else vehicle.year
    pattern = vehicle.plate_pattern.strip() if vehicle.plate_pattern else None
    return {
        "plate_pattern": pattern or None,
        "plate_key": plates.normalize_pattern(pattern) if pattern else None,
        "state": vehicle.state, "vehicle_make": vehicle.make, "vehicle_model": vehicle.model,
        "vehicle_color": vehicle.color, "vehicle_type": vehicle.type,
        "vehicle_year_min": low, "vehicle_year_max": high, "vehicle_marks": vehicle.marks,
    }  # fmt: skip


def _merged_vehicle(row: Bulletin, patch: dict[str, Any]) -> VehicleDescription:
    current = {field: getattr(row, column) for field, column in _VEHICLE_COLUMNS.items()}
    if "year" in patch:
        current["year_min"] = current["year_max"] = None
    try:
        return VehicleDescription.model_validate(current | patch)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise Unprocessable(f"vehicle: {error}") from None


def _is_empty(values: dict[str, Any]) -> bool:
    vehicle = ("plate_key", "vehicle_make", "vehicle_model", "vehicle_color", "vehicle_type",
               "vehicle_year_min", "vehicle_year_max", "vehicle_marks")  # fmt: skip
    narrative = values.get("narrative")
    return not any(values.get(c) for c in vehicle) and not (narrative and narrative.strip())


def _note_normalised(row: Bulletin) -> None:
    """A pasted plate often holds zero-width or Cyrillic characters; the normalised form is
    stored beside it and the change is logged (its text only in the audit log)."""
    if row.plate_pattern and row.plate_key != row.plate_pattern.upper():
        log.info("bulletin.plate_normalised", extra={"bulletin_id": row.id})


def _purpose(row: Bulletin) -> str:
    return f"case {row.case_number}" if row.case_number else f"bulletin {row.id}"


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else "-"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
