"""Officer positions at fleet scale: one upsert per fix, never a history scan.

Phones send up to one fix a second per officer, and gateways send many units at once, so a
position is written with a single INSERT ... ON CONFLICT DO UPDATE that also refuses to let an
older fix (a phone flushing its queue after a tunnel) overwrite a newer one.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.errors import Unprocessable
from app.models import OfficerLocation, OfficerStatus

FUTURE_TOLERANCE = timedelta(minutes=2)  # phones and gateways drift a little

_FIELDS = ("lat", "lon", "accuracy_m", "heading_deg", "speed_mps", "recorded_at", "received_at")


def upsert(session: Session, fixes: Sequence[dict[str, Any]], *, breadcrumbs: bool) -> set[int]:
    """Store the latest position of each officer in `fixes` (dicts with user_id and _FIELDS).

    Returns the ids whose position changed; the others had a newer fix already.
    """
    if not fixes:
        return set()
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(OfficerStatus)
    newer = or_(
        col(OfficerStatus.recorded_at).is_(None),
        statement.excluded.recorded_at >= OfficerStatus.recorded_at,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: statement.excluded[name] for name in _FIELDS},
        where=newer,
    ).returning(OfficerStatus.user_id)
    # One row per officer: PostgreSQL refuses to update the same row twice in one statement.
    latest: dict[int, dict[str, Any]] = {}
    for f in fixes:
        seen = latest.get(f["user_id"])
        if seen is None or f["recorded_at"] >= seen["recorded_at"]:
            latest[f["user_id"]] = f
    rows = [
        {"user_id": user_id, "on_duty": False, **{k: f.get(k) for k in _FIELDS}}
        for user_id, f in latest.items()
    ]
    changed = set(session.scalars(statement, rows))  # RETURNING names the rows applied
    if breadcrumbs:
        session.execute(
            insert(OfficerLocation),
            [{k: f.get(k) for k in ("user_id", *_FIELDS) if k != "received_at"} for f in fixes],
        )
    return changed


def fix(
    user_id: int,
    *,
    lat: float,
    lon: float,
    accuracy_m: float | None,
    heading: float | None,
    speed: float | None,
    recorded_at: datetime | None,
    now: datetime,
    where: str = "recorded_at",
) -> dict[str, Any]:
    """One fix as `upsert` takes it. A fix stamped more than FUTURE_TOLERANCE ahead of the
    server's clock is refused (Unprocessable, naming `where`): stored, it would win over every
    real fix after it and freeze the officer, "fresh", at that place."""
    if recorded_at is not None and recorded_at > now + FUTURE_TOLERANCE:
        raise Unprocessable(
            f"{where}: {recorded_at.isoformat()} is in the future (server time "
            f"{now.isoformat()}); check the device's clock"
        )
    return {
        "user_id": user_id,
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy_m,
        "heading_deg": heading,
        "speed_mps": speed,
        "recorded_at": recorded_at or now,
        "received_at": now,
    }
