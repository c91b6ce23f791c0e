"""The audit log, for supervisors, auditors and admins. Reading it is itself audited.
`?verify=true` checks the whole log against the audit key and the checkpoints (app/audit)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import col

from app import audit
from app.audit import checkpoints
from app.deps import Auditor, ClockDep, RuntimeDep, SessionDep
from app.models import AuditLog
from app.schemas.common import MAX_ID, Moment

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_role: str | None
    action: str
    object_type: str | None
    object_id: str | None
    plate: str | None
    plate_key: str | None
    purpose: str | None
    detail: dict[str, object]
    key_id: str | None
    hash: str


class AuditPage(BaseModel):
    data: list[AuditEntry]
    count: int
    chain_intact: bool | None = None
    chain_problems: list[str] | None = Field(
        default=None,
        description="With verify=true: what is wrong, row by row (altered, removed, forged)",
    )


@router.get("")
def list_audit(
    session: SessionDep,
    user: Auditor,
    clock: ClockDep,
    runtime: RuntimeDep,
    action: Annotated[str | None, Query(max_length=60, description="e.g. alert.view")] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    plate: Annotated[
        str | None,
        Query(max_length=32, description="Any spelling: `7abc 123` finds `7ABC-123` too"),
    ] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    verify: Annotated[
        bool, Query(description="Also check the whole log against its key and checkpoints")
    ] = False,
) -> AuditPage:
    """Audit records oldest first, filtered, paged with `after_id`."""
    query = select(AuditLog).where(col(AuditLog.id) > after_id).order_by("id").limit(limit)
    if action:
        query = query.where(col(AuditLog.action) == action)
    if actor_id:
        query = query.where(col(AuditLog.actor_id) == actor_id)
    if plate:
        query = query.where(col(AuditLog.plate_key) == audit.plate_key(plate))
    if since:
        query = query.where(col(AuditLog.at) >= since)
    if until:
        query = query.where(col(AuditLog.at) < until)
    rows = session.scalars(query).all()
    report = (
        audit.verify(
            session,
            key=runtime.audit_key,
            checkpoint_file=checkpoints.file_of(runtime.settings),
        )
        if verify
        else None
    )
    audit.record(
        session, actor=user, action="audit.view", now=clock(), object_type="audit_log",
        plate=plate,
        detail={"filters": {"action": action, "actor_id": actor_id, "plate": plate,
                            "since": since, "until": until, "after_id": after_id},
                "count": len(rows)},
    )  # fmt: skip
    return AuditPage(
        data=[AuditEntry.model_validate(r.model_dump()) for r in rows],
        count=len(rows),
        chain_intact=report.intact if report else None,
        chain_problems=report.problems if report else None,
    )
