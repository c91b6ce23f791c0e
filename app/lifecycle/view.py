"""What an alert shows of its life after the push, read from the lifecycle tables when the
alert is served: the record's confirmation, every response, the escalation ladder and the
outcome (app/schemas/lifecycle.py)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from alerts.lifecycle import Confirmation, next_step
from app.delivery.recipients import AlertSettings
from app.lifecycle.threads import unit_of
from app.models import Alert, AlertConfirmation, AlertEscalation, AlertResponse, User
from app.schemas.alerts import BulletinDetails, DispatchPublic, HotListHitDetails
from app.schemas.lifecycle import (
    ConfirmationEvent,
    ConfirmationPublic,
    ConfirmationQueueItem,
    EscalationPublic,
    EscalationStepPublic,
    OutcomePublic,
    PersonRef,
    ResponsePublic,
)


def with_life(
    session: Session,
    alert: Alert,
    details: HotListHitDetails | BulletinDetails,
    *,
    now: datetime,
    config: AlertSettings,
) -> HotListHitDetails | BulletinDetails:
    """The alert's details with its confirmation, responses, escalation and outcome."""
    assert alert.id is not None
    responses = list(
        session.scalars(
            select(AlertResponse)
            .where(col(AlertResponse.alert_id) == alert.id)
            .order_by(col(AlertResponse.at), col(AlertResponse.id))
        )
    )
    confirmations = list(
        session.scalars(
            select(AlertConfirmation)
            .where(col(AlertConfirmation.alert_id) == alert.id)
            .order_by(col(AlertConfirmation.at), col(AlertConfirmation.id))
        )
    )
    steps = list(
        session.scalars(
            select(AlertEscalation)
            .where(col(AlertEscalation.alert_id) == alert.id)
            .order_by(col(AlertEscalation.level))
        )
    )
    people = people_of(
        session,
        [r.user_id for r in responses]
        + [c.user_id for c in confirmations]
        + [alert.confirmation_requested_by, alert.confirmation_answered_by, alert.closed_by],
    )
    answers = [
        ResponsePublic.model_validate(
            {
                "user_id": r.user_id,
                "name": people[r.user_id].name,
                "unit": people[r.user_id].unit,
                "status": r.status,
                "eta_s": r.eta_s,
                "eta_source": r.eta_source,
                "note": r.note,
                "at": r.at,
            }
        )
        for r in responses
    ]
    if isinstance(details, BulletinDetails):
        return details.model_copy(update={"responses": answers})
    return details.model_copy(
        update={
            "confirmation": confirmation_of(alert, confirmations, people, now=now),
            "responses": answers,
            "escalation": _escalation(alert, steps, config),
            "outcome": outcome_of(alert, people),
            "dispatch": dispatch_of(alert),
        }
    )


def dispatch_of(alert: Alert) -> DispatchPublic | None:
    """The alert's place in the dispatcher queue, if it was ever there."""
    if alert.dispatch_queued_at is None:
        return None
    return DispatchPublic(
        queued_at=alert.dispatch_queued_at, reason=alert.dispatch_reason or "",
        hold=alert.dispatch_hold, cleared_at=alert.dispatch_cleared_at,
        cleared_by=alert.dispatch_cleared_by,
    )  # fmt: skip


def confirmation_of(
    alert: Alert,
    history: Iterable[AlertConfirmation],
    people: dict[int, PersonRef],
    *,
    now: datetime,
) -> ConfirmationPublic:
    state = Confirmation(alert.confirmation)
    return ConfirmationPublic(
        state=state,
        urgent=alert.confirmation_urgent,
        requested_at=alert.confirmation_requested_at,
        requested_by=_ref(people, alert.confirmation_requested_by),
        due_at=alert.confirmation_due_at,
        seconds_left=seconds_left(alert, now),
        answered_at=alert.confirmation_answered_at,
        answered_by=_ref(people, alert.confirmation_answered_by),
        note=alert.confirmation_note,
        history=[
            ConfirmationEvent(
                state=Confirmation(c.state), at=c.at, by=_ref(people, c.user_id), note=c.note
            )
            for c in history
        ],
    )


def seconds_left(alert: Alert, now: datetime) -> float | None:
    """Until a pending request expires, at least 0; None when nothing is pending."""
    due = alert.confirmation_due_at
    if alert.confirmation != Confirmation.REQUESTED or due is None:
        return None
    return max(0.0, round((due - now).total_seconds(), 1))


def _escalation(
    alert: Alert, steps: Iterable[AlertEscalation], config: AlertSettings
) -> EscalationPublic:
    escalates = (
        alert.kind == "hotlist_hit"
        and not alert.is_covert
        and config.lifecycle.escalation.wait(alert.priority) is not None
    )
    return EscalationPublic(
        escalates=escalates,
        level=alert.escalation_level,
        next_step=next_step(alert.escalation_level)
        if escalates and alert.closed_at is None
        else None,
        due_at=alert.escalation_due_at,
        escalated_at=alert.escalated_at,
        steps=[
            EscalationStepPublic.model_validate(
                {
                    "level": s.level,
                    "step": s.step,
                    "reason": s.reason,
                    "detail": s.detail,
                    "told": list(s.told),
                    "at": s.at,
                }
            )
            for s in steps
        ],
    )


def outcome_of(alert: Alert, people: dict[int, PersonRef]) -> OutcomePublic | None:
    if alert.disposition is None or alert.closed_at is None:
        return None
    return OutcomePublic.model_validate(
        {
            "disposition": alert.disposition, "result": alert.result, "note": alert.outcome_note,
            "closed_at": alert.closed_at, "closed_by": _ref(people, alert.closed_by),
        }
    )  # fmt: skip


def queue_item(
    alert: Alert, people: dict[int, PersonRef], *, now: datetime
) -> ConfirmationQueueItem:
    """A confirmation in the dispatcher's queue."""
    assert alert.id is not None
    details = alert.details or {}
    return ConfirmationQueueItem(
        alert_id=alert.id, priority=alert.priority, plate=alert.plate, state=alert.state,
        list=details.get("list"), list_kind=details.get("list_kind"),
        reason=details.get("reason"), case_number=details.get("case_number"),
        confirmation=Confirmation(alert.confirmation), urgent=alert.confirmation_urgent,
        requested_at=alert.confirmation_requested_at,
        requested_by=_ref(people, alert.confirmation_requested_by),
        due_at=alert.confirmation_due_at, seconds_left=seconds_left(alert, now),
    )  # fmt: skip


def people_of(session: Session, user_ids: Iterable[int | None]) -> dict[int, PersonRef]:
    """The people among `user_ids`, by id, as alerts name them."""
    wanted = sorted({user_id for user_id in user_ids if user_id is not None})
    if not wanted:
        return {}
    users = session.scalars(select(User).where(col(User.id).in_(wanted)))
    return {
        user.id: PersonRef(id=user.id, name=user.name, unit=unit_of(user))
        for user in users
        if user.id is not None
    }


def _ref(people: dict[int, PersonRef], user_id: int | None) -> PersonRef | None:
    return None if user_id is None else people.get(user_id)
