"""Alerts: an officer sees their own, dispatchers and supervisors see all. Every view is audited.

An alert's life after the push (app/lifecycle): officers answer it (`/response`, `/ack`), its
record is confirmed (`/confirmation`), and it is closed with an outcome (`/outcome`).
"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select
from sqlmodel import col

from alerts.lifecycle import Confirmation, Response
from app import audit
from app.deps import SEES_ALL, ClockDep, CurrentUser, RuntimeDep, SessionDep
from app.errors import Forbidden
from app.hotlists import covert
from app.lifecycle import access, confirmation, outcomes, promotion, responses
from app.lifecycle.access import ANSWERS_CONFIRMATION, CLOSES_ANY
from app.models import Alert, AlertRecipient
from app.schemas.alerts import (
    AckOut,
    AlertPublic,
    AlertsPublic,
    match_of,
)
from app.schemas.common import MAX_ID, RowId
from app.schemas.lifecycle import ConfirmationIn, OutcomeIn, ResponseIn

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("")
def list_alerts(
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    escalated: Annotated[
        bool | None,
        Query(description="true: alerts escalated to the dispatcher desk; false: the others"),
    ] = None,
    closed: Annotated[
        bool | None, Query(description="true: closed with an outcome; false: still open")
    ] = None,
) -> AlertsPublic:
    """Newest first, paged with `before_id`. The dispatcher desk's escalated alerts:
    `?escalated=true&closed=false`."""
    query = select(Alert).order_by(col(Alert.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(Alert.id) < before_id)
    if escalated is not None:
        desk = col(Alert.escalated_at).is_not(None)
        query = query.where(desk if escalated else ~desk)
    if closed is not None:
        ended = col(Alert.closed_at).is_not(None)
        query = query.where(ended if closed else ~ended)
    if user.role not in SEES_ALL:
        mine = select(col(AlertRecipient.alert_id)).where(col(AlertRecipient.user_id) == user.id)
        query = query.where(col(Alert.id).in_(mine))
    query = query.where(covert.visible_alerts(user))
    alerts = session.scalars(query).all()
    counts = _recipient_counts(session, [a.id for a in alerts if a.id is not None])
    audit.record(
        session, actor=user, action="alert.list", now=clock(), object_type="alert",
        detail={"alert_ids": [a.id for a in alerts]},
    )  # fmt: skip
    summaries = [access.summary(a, counts.get(a.id or 0, 0), match_of(a.details)) for a in alerts]
    return AlertsPublic(data=summaries, count=len(alerts))


@router.get("/{alert_id}")
def get_alert(
    alert_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep, runtime: RuntimeDep
) -> AlertPublic:
    """The whole alert: plate as read and as listed, match, warnings, list, reason, vehicle,
    place and time, and its life after the push (`details.confirmation`, `.responses`,
    `.escalation`, `.outcome`); for dispatchers also who was notified, delivered to and
    acknowledged."""
    alert = access.visible_alert(session, alert_id, user)
    audit.record(
        session, actor=user, action="alert.view", now=clock(), object_type="alert",
        object_id=alert_id, plate=alert.plate,
    )  # fmt: skip
    return access.public(session, alert, user, config=runtime.alerting, now=clock())


@router.post("/{alert_id}/ack")
def acknowledge(
    alert_id: RowId, session: SessionDep, user: CurrentUser, clock: ClockDep, runtime: RuntimeDep
) -> AckOut:
    """The officer has seen the alert (a `seen` response). Acknowledging twice keeps the
    first time."""
    alert = access.locked_alert(session, alert_id, user)
    recipient = access.recipient_of(session, alert_id, user, "acknowledge")
    now = clock()
    first = recipient.acknowledged_at is None
    responses.respond(
        session, alert, recipient, user, status=Response.SEEN, eta_s=None, note=None, now=now,
        config=runtime.alerting,
    )  # fmt: skip
    if first:
        audit.record(
            session, actor=user, action="alert.ack", now=now, object_type="alert",
            object_id=alert_id,
        )  # fmt: skip
    assert recipient.acknowledged_at is not None
    return AckOut(alert_id=alert_id, acknowledged_at=recipient.acknowledged_at)


@router.post("/{alert_id}/response")
def respond(
    alert_id: RowId,
    body: ResponseIn,
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    runtime: RuntimeDep,
) -> AlertPublic:
    """An officer the alert was sent to answers it: `seen`, `responding` (with `eta_s`, or
    one computed from their position and the car's), `on_scene` or `unable`. The others who
    have it get a quiet update ("Unit 4521 responding, ETA 4 min"); a unit responding pauses
    the escalation of a P1 or P2 hit, and `unable` brings its next step forward (at once when
    everyone told is unable). 409 on a closed alert (but `seen`)."""
    alert = access.locked_alert(session, alert_id, user)
    recipient = access.recipient_of(session, alert_id, user, "answer")
    now = clock()
    responses.respond(
        session, alert, recipient, user, status=body.status, eta_s=body.eta_s, note=body.note,
        now=now, config=runtime.alerting,
    )  # fmt: skip
    return access.public(session, alert, user, config=runtime.alerting, now=now)


@router.post("/{alert_id}/confirmation")
def confirm(
    alert_id: RowId,
    body: ConfirmationIn,
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    runtime: RuntimeDep,
) -> AlertPublic:
    """Confirmation of a hit's record with its originating agency. `requested` (an officer
    who has the alert, or a dispatcher) starts the timer: 10 min for a P1/P2 hit, 1 h
    otherwise, then it `expired`. `confirmed` or `not_confirmed` (dispatchers, supervisors,
    admins) records the agency's answer with `note` saying who confirmed it and how; not
    confirmed closes the alert (`record_invalid`). Each change is pushed on the alert's
    thread to everyone who has it. Asking twice, or the same answer twice, changes nothing;
    409 for a bulletin's alert, a closed one, or a contradicting answer."""
    wanted = Confirmation(body.state)
    alert = access.locked_alert(session, alert_id, user)
    if user.role not in ANSWERS_CONFIRMATION:
        if wanted is not Confirmation.REQUESTED:
            raise Forbidden("officers may only request confirmation; dispatch records the answer")
        access.recipient_of(session, alert_id, user, "request confirmation of")
    now = clock()
    confirmation.record(
        session, alert, wanted=wanted, user=user, note=body.note, now=now,
        config=runtime.alerting,
    )  # fmt: skip
    if wanted is Confirmation.CONFIRMED and alert.dispatch_hold:
        # A hit held for a dispatcher whose record is now confirmed goes to officers.
        promotion.promote(
            session, alert, actor=user, note="record confirmed", now=now,
            config=runtime.alerting, officers=runtime.officers, must_reach=False,
        )  # fmt: skip
    return access.public(session, alert, user, config=runtime.alerting, now=now)


@router.post("/{alert_id}/outcome")
def close(
    alert_id: RowId,
    body: OutcomeIn,
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    runtime: RuntimeDep,
) -> AlertPublic:
    """Close a hit with its disposition (`located` with a `result`, `not_located`, `misread`,
    `wrong_vehicle`, `record_invalid`, `duplicate`, `cancelled`) and a note: an officer it was
    sent to, or a dispatcher, supervisor or admin. Audited; its timers stop; a last quiet
    update clears it on the phones. An entry whose hits end as misread or wrong vehicle
    `LOOKOUT_REVIEW_AFTER_FALSE_HITS` times is flagged for review. 409 when already closed or
    for a bulletin's alert."""
    alert = access.locked_alert(session, alert_id, user)
    if user.role not in CLOSES_ANY:
        access.recipient_of(session, alert_id, user, "close")
    now = clock()
    outcomes.close(
        session, alert, disposition=body.disposition, result=body.result, note=body.note,
        user=user, now=now, config=runtime.alerting,
    )  # fmt: skip
    return access.public(session, alert, user, config=runtime.alerting, now=now)


def _recipient_counts(session: SessionDep, alert_ids: list[int]) -> dict[int, int]:
    if not alert_ids:
        return {}
    rows = session.execute(
        select(col(AlertRecipient.alert_id), func.count())
        .where(col(AlertRecipient.alert_id).in_(alert_ids))
        .group_by(col(AlertRecipient.alert_id))
    ).all()
    return dict(rows)
