"""Writing the audit log (DOMAIN.md 6.3): who did what, when, to which plate, and why.

Rows are written in the same transaction as the action they record, so an action without its
audit row cannot commit. Each row is sealed: its `hash` is an HMAC, keyed by the audit key
(app/audit/keys.py), over the previous row's seal and its own content, so a row altered,
removed or inserted anywhere but at the end breaks the chain, and re-sealing needs the key.
Rows from before the key (revision 0010) keep their plain SHA-256 seals (`legacy_seal`).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from app.audit import keys
from app.audit.keys import AuditKey
from app.models import AuditLog, User
from lpr import plates

GENESIS = "0" * 64
_CHAIN_LOCK = 7_201_004  # any fixed number: the advisory lock that orders the chain
PRUNED = "audit.pruned"  # the action of the row retention writes when it removes the oldest rows


@dataclass(frozen=True, slots=True)
class Pruning:
    """What retention has removed from the start of the chain, from its own sealed
    `audit.pruned` rows: how many rows in all (so row numbers still count from the first row
    ever written) and the seal of the last row each pruning removed (where the chain may now
    start instead of the genesis)."""

    rows: int
    anchors: frozenset[str]


def pruning(session: Session) -> Pruning:
    details = session.scalars(select(col(AuditLog.detail)).where(col(AuditLog.action) == PRUNED))
    total, anchors = 0, set()
    for detail in details:
        total = max(total, int(detail.get("removed_total", 0)))
        if detail.get("anchor"):
            anchors.add(str(detail["anchor"]))
    return Pruning(rows=total, anchors=frozenset(anchors))


def plate_key(plate: str | None) -> str | None:
    """The plate as `?plate=` finds it, however it was typed or read: `7abc 123`, `7ABC-123`
    and `7ABC123` are one plate; a partial pattern keeps its `?` and `*`."""
    if plate is None:
        return None
    return plates.normalize_pattern(plate) or None


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
    key = keys.of_session(session)
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
        plate_key=plate_key(plate),
        purpose=purpose,
        # Stored as JSON: times and other values become their text form now, not at commit.
        detail=json.loads(json.dumps(detail or {}, default=str)),
        key_id=key.key_id,
        prev_hash=prev_hash or GENESIS,
        hash="",
    )
    row.hash = seal(row, key)
    session.add(row)
    session.flush()
    return row


def _content(row: AuditLog) -> dict[str, Any]:
    return {
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


def seal(row: AuditLog, key: AuditKey) -> str:
    """The keyed seal of a row: its link, its content, its normalised plate and its key id."""
    content = _content(row) | {"plate_key": row.plate_key, "key_id": row.key_id}
    blob = row.prev_hash + json.dumps(content, sort_keys=True, default=str)
    return key.seal(blob.encode())


def legacy_seal(row: AuditLog) -> str:
    """The unkeyed SHA-256 seal of rows written before revision 0010."""
    blob = row.prev_hash + json.dumps(_content(row), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
