"""Evidence holds: supervisors and admins place and release them; auditors list them too.
Every placement, release and listing is audited."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app import audit
from app.deps import Auditor, ClockDep, ListManager, SessionDep
from app.errors import NotFound
from app.models import EvidenceHold
from app.retention import holds
from app.schemas.common import MAX_ID, RowId
from app.schemas.holds import HoldCreate, HoldPublic, HoldsPublic, Reason

router = APIRouter(prefix="/holds", tags=["retention"])


@router.post("", status_code=201)
def place_hold(
    body: HoldCreate, session: SessionDep, user: ListManager, clock: ClockDep
) -> HoldPublic:
    """Keep the matching reads, images and alerts past their retention until released."""
    hold = holds.place(
        session, case_number=body.case_number, reason=body.reason, plate=body.plate,
        camera_id=body.camera_id, since=body.since, until=body.until, alert_id=body.alert_id,
        user=user, now=clock(),
    )  # fmt: skip
    return to_public(hold)


@router.get("")
def list_holds(
    session: SessionDep,
    user: Auditor,
    clock: ClockDep,
    status: Annotated[
        Literal["active", "released", "all"], Query(description="Which holds")
    ] = "active",
    case_number: Annotated[str | None, Query(max_length=60)] = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> HoldsPublic:
    """Holds, oldest first, paged with `after_id`. Audited (holds name plates)."""
    active = {"active": True, "released": False, "all": None}[status]
    found = holds.listed(
        session, active=active, case_number=case_number, after_id=after_id, limit=limit
    )
    audit.record(
        session, actor=user, action="hold.list", now=clock(), object_type="evidence_hold",
        detail={"status": status, "case_number": case_number, "hold_ids": [h.id for h in found]},
    )  # fmt: skip
    return HoldsPublic(data=[to_public(h) for h in found], count=len(found))


@router.get("/{hold_id}")
def get_hold(hold_id: RowId, session: SessionDep, user: Auditor, clock: ClockDep) -> HoldPublic:
    """One hold. Audited."""
    hold = session.get(EvidenceHold, hold_id)
    if hold is None:
        raise NotFound(f"no evidence hold with id {hold_id}")
    audit.record(
        session, actor=user, action="hold.view", now=clock(), object_type="evidence_hold",
        object_id=hold_id, plate=hold.plate_key,
    )  # fmt: skip
    return to_public(hold)


@router.delete("/{hold_id}")
def release_hold(
    hold_id: RowId,
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
    reason: Annotated[Reason, Query(description="Why the hold ends (audited)")],
) -> HoldPublic:
    """Release a hold: its records fall back under their retention at the next run."""
    return to_public(holds.release(session, hold_id, reason=reason, user=user, now=clock()))


def to_public(hold: EvidenceHold) -> HoldPublic:
    data = hold.model_dump()
    return HoldPublic.model_validate(data | {"is_active": hold.released_at is None})
