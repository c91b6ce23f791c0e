"""The audit log (DOMAIN.md 6.3): who did what, when, to which plate, and why.

Rows are written in the same transaction as the action they record, so an action without its
audit row cannot commit. Each row's hash covers the previous row's hash and its own content;
`verify` walks the chain and names the first row that does not fit.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from app.models import AuditLog, User

GENESIS = "0" * 64
_CHAIN_LOCK = 7_201_004  # any fixed number: the advisory lock that orders the chain


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    now: datetime,
    object_type: str | None = None,
    object_id: object = None,
    plate: str | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    if session.get_bind().dialect.name == "postgresql":
        # Two transactions appending at once would both chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    prev_hash = session.scalar(
        select(col(AuditLog.hash)).order_by(col(AuditLog.id).desc()).limit(1)
    )
    row = AuditLog(
        at=now,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        actor_role=actor.role if actor else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        plate=plate,
        purpose=purpose,
        # Stored as JSON: times and other values become their text form now, not at commit.
        detail=json.loads(json.dumps(detail or {}, default=str)),
        prev_hash=prev_hash or GENESIS,
        hash="",
    )
    row.hash = _digest(row)
    session.add(row)
    session.flush()
    return row


def _digest(row: AuditLog) -> str:
    content = {
        "at": row.at.astimezone(UTC).isoformat(),
        "actor_id": row.actor_id,
        "actor_name": row.actor_name,
        "actor_role": row.actor_role,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "plate": row.plate,
        "purpose": row.purpose,
        "detail": row.detail,
    }
    blob = row.prev_hash + json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def verify(session: Session) -> int | None:
    """The id of the first row whose hash or link is wrong, or None when the chain holds.

    Retention removes the oldest rows (app/retention/enforce.py) and records, in the chain,
    an `audit.pruned` row whose `anchor` is the hash of the last row it removed: the chain may
    then start from an anchor instead of the genesis hash."""
    prev: str | None = None
    for row in session.scalars(select(AuditLog).order_by(col(AuditLog.id))):
        if prev is None:
            prev = row.prev_hash if row.prev_hash in _anchors(session) else GENESIS
        if row.prev_hash != prev or row.hash != _digest(row):
            return row.id
        prev = row.hash
    return None


def _anchors(session: Session) -> set[str]:
    pruned = session.scalars(select(AuditLog).where(col(AuditLog.action) == "audit.pruned"))
    return {GENESIS} | {str(row.detail.get("anchor")) for row in pruned}
