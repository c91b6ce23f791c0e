"""Searching stored reads by plate: one query and one audit row, for `GET /v1/reads` and the
console's search page alike. Every search is audited with who, when, the plate, the purpose,
the case number and how many reads it returned (California SB 34's access log)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app import audit
from app.models import Read, User


def by_plate(
    session: Session,
    *,
    plate_key: str,
    actor: User,
    purpose: str,
    case_number: str | None,
    now: datetime,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
    via: str | None = None,
) -> Sequence[Read]:
    """The stored reads of one plate, newest first, at most `limit`; the search is audited."""
    query = (
        select(Read)
        .where(col(Read.plate_key) == plate_key)
        .order_by(col(Read.read_at).desc())
        .limit(limit)
    )
    if since:
        query = query.where(col(Read.read_at) >= since)
    if until:
        query = query.where(col(Read.read_at) < until)
    reads = session.scalars(query).all()
    detail: dict[str, Any] = {
        "case_number": case_number, "since": since, "until": until, "results": len(reads),
    }  # fmt: skip
    if via:
        detail["via"] = via
    audit.record(
        session, actor=actor, action="read.search", now=now, object_type="read",
        plate=plate_key, purpose=purpose, detail=detail,
    )  # fmt: skip
    return reads
