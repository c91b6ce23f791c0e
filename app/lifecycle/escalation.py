"""Escalation (DOMAIN.md 5.4): a P1 or P2 hit with nobody responding in time goes up the
ladder: to the next ring of officers (routing again, without those already told), then to
the dispatcher desk (`GET /v1/alerts?escalated=true`), then to the phones of the on-duty
supervisors of the hit's area (every on-duty supervisor when none of them is), one step per
wait of its priority (settings `escalate_p1_s`, `escalate_p2_s`).

The next step's time is `alert.escalation_due_at`; the worker takes the step (app/lifecycle/
timers.py), records it as an `alert_escalation` row with its reason, and sets the time of the
one after. Somebody responding pauses the ladder; every `unable` brings the step forward, to
now once everyone told has refused (alerts.lifecycle.due_after_refusals).
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from sqlalchemy import exists, select
from sqlmodel import Session, col

from alerts import policy, updates
from alerts.lifecycle import ACTIVE, Cause, Response, Step, due_after_refusals, next_step
from alerts.policy import Why
from alerts.push import PushMessage
from alerts.routing import Recipient, route
from app.delivery import dispatch, outbox, recipients
from app.delivery.recipients import AlertSettings
from app.lifecycle.due import reschedule
from app.lifecycle.threads import thread_of
from app.models import (
    Alert,
    AlertEscalation,
    AlertRecipient,
    AlertStatus,
    Device,
    OfficerStatus,
    Read,
    Role,
    User,
)
from app.officers import squads
from app.officers.beats import officers_on_beats
from app.officers.tracker import OfficerTracker
from app.reads.stored import COLUMNS, StoredRead, previous_sighting

log = logging.getLogger(__name__)


def start(alert: Alert, *, now: datetime, config: AlertSettings) -> None:
    """Start the ladder of a new hit pushed to phones: P1 and P2 only."""
    wait = config.lifecycle.escalation.wait(alert.priority)
    if wait is None or alert.is_covert or alert.kind != "hotlist_hit":
        return
    alert.escalation_due_at = now + wait
    alert.escalation_cause = Cause.NO_RESPONSE.value
    reschedule(alert)


def reconsider(session: Session, alert: Alert, *, now: datetime, config: AlertSettings) -> None:
    """After an officer's answer: pause the ladder while somebody is responding; otherwise
    bring the next step forward for those who refused (resuming a paused ladder first)."""
    assert alert.id is not None
    wait = config.lifecycle.escalation.wait(alert.priority)
    if (
        wait is None
        or alert.escalation_cause is None  # never started: not pushed, or raised before 0010
        or alert.status == AlertStatus.CLOSED
        or next_step(alert.escalation_level) is None
    ):
        return
    known = recipients.recipients_of(session, alert.id).values()
    if any(r.response in ACTIVE for r in known):
        alert.escalation_due_at = None
    else:
        refused = [r.user_id for r in known if r.response == Response.UNABLE]
        due = alert.escalation_due_at or now + wait
        if refused:
            told = [r.user_id for r in known]
            due = due_after_refusals(due_at=due, now=now, told=told, refused=refused)
            alert.escalation_cause = Cause.REFUSED.value
        alert.escalation_due_at = due
    reschedule(alert)


def step(
    session: Session,
    alert: Alert,
    *,
    now: datetime,
    config: AlertSettings,
    officers: OfficerTracker,
) -> list[AlertEscalation]:
    """Take the next step of the ladder (the worker, once `escalation_due_at` has passed);
    the steps taken. A next ring that finds nobody new goes straight on to the desk."""
    assert alert.id is not None
    alert.escalation_due_at = None
    reschedule(alert)
    wait = config.lifecycle.escalation.wait(alert.priority)
    known = recipients.recipients_of(session, alert.id)
    if wait is None or alert.status == AlertStatus.CLOSED:
        return []
    if any(r.response in ACTIVE for r in known.values()):
        return []  # somebody took it meanwhile
    cause = Cause(alert.escalation_cause or Cause.NO_RESPONSE)
    why = _why(alert, known.values(), now)
    taken: list[AlertEscalation] = []
    while (rung := next_step(alert.escalation_level)) is not None:
        alert.escalation_level += 1
        detail = why
        match rung:
            case Step.NEXT_RING:
                told = _next_ring(session, alert, known, why, now=now, config=config,
                                  officers=officers)  # fmt: skip
                detail = why if told else f"{why}; nobody else in range"
            case Step.DISPATCHER:
                told = []
                alert.escalated_at = now
            case Step.SUPERVISOR:
                told, whom = _supervisors(session, alert, known, why, now=now, config=config)
                detail = f"{why}; {whom}"
        row = AlertEscalation(
            alert_id=alert.id, level=alert.escalation_level, step=rung.value,
            reason=cause.value, detail=detail, told=told, at=now,
        )  # fmt: skip
        session.add(row)
        taken.append(row)
        log.info(
            "alert.escalated",
            extra={"alert_id": alert.id, "level": row.level, "step": rung.value,
                   "reason": cause.value, "told": len(told)},
        )  # fmt: skip
        if rung is not Step.NEXT_RING or told:
            break
    if next_step(alert.escalation_level) is not None:
        alert.escalation_due_at = now + wait
        alert.escalation_cause = Cause.NO_RESPONSE.value
    alert.updated_at = now
    reschedule(alert)
    session.add(alert)
    session.flush()
    return taken


def _why(alert: Alert, known: Iterable[AlertRecipient], now: datetime) -> str:
    """E.g. "nobody responding 1 min after the hit; 2 told, 1 unable"."""
    people = list(known)
    unable = sum(r.response == Response.UNABLE for r in people)
    since = updates.duration((now - alert.created_at).total_seconds())
    text = f"nobody responding {since} after the hit; {len(people)} told"
    return f"{text}, {unable} unable" if unable else text


def _next_ring(
    session: Session,
    alert: Alert,
    known: dict[int, AlertRecipient],
    why: str,
    *,
    now: datetime,
    config: AlertSettings,
    officers: OfficerTracker,
) -> list[int]:
    """Route the hit again without the officers already told, nor those the attention policy
    spares (busy elsewhere, over budget); push the ones found."""
    read = latest_read(session, alert)
    if read is None:
        return []
    spared = dispatch.spared_officers(
        session, priority=alert.priority, alert_id=alert.id, rules=config.attention, now=now
    )
    officers.sync(session, now)
    routing = route(
        read=read.sighting(), priority=alert.priority, officers=officers.index,
        config=config.routing, now=now,
        previous=previous_sighting(session, read) if read.point else None,
        beat_officers=officers_on_beats(session, [read.beat]), exclude=set(known) | set(spared),
    )  # fmt: skip
    thread = thread_of(alert)

    def message_for(chosen: Recipient, device: Device) -> PushMessage:
        update = updates.escalated(
            thread, Step.NEXT_RING, summary=alert.body, why=why,
            distance_m=chosen.distance_m, bearing_deg=chosen.bearing_deg,
        )  # fmt: skip
        return updates.message(
            thread, update, token=device.token, platform=outbox.platform(device),
            detail=config.detail, ttl_s=config.ttl_s,
        )  # fmt: skip

    told = []
    for chosen in routing.recipients:
        recipient = recipients.enlist(
            session, known, alert_id=alert.id or 0, officer_id=chosen.officer_id,
            reason=f"escalation:{chosen.reason.value}", distance_m=chosen.distance_m,
            eta_s=chosen.eta_s, now=now,
        )  # fmt: skip
        recipients.push(
            session, alert=alert, recipient=recipient, now=now, sighting=True,
            message_for=partial(message_for, chosen), action="escalation",
            why=Why(f"next ring: {policy.why_chosen(chosen, beat=read.beat)} among those "
                    "not told yet", f"escalated: {why}", "escalated: nobody is responding"),
        )  # fmt: skip
        told.append(chosen.officer_id)
    return told


def _supervisors(
    session: Session,
    alert: Alert,
    known: dict[int, AlertRecipient],
    why: str,
    *,
    now: datetime,
    config: AlertSettings,
) -> tuple[list[int], str]:
    """Push the on-duty supervisors of the alert's area (its commander, the sergeants of the
    squads working it) with a working phone, and say whom. When none of them is on duty, or
    the alert is in no area (beats or areas not imported), every on-duty supervisor is: the
    last step must reach somebody."""
    has_device = exists().where(col(Device.user_id) == OfficerStatus.user_id, col(Device.is_active))
    on_duty = session.scalars(
        select(col(OfficerStatus.user_id))
        .join(User, col(User.id) == OfficerStatus.user_id)
        .where(
            col(OfficerStatus.on_duty),
            col(User.role) == Role.SUPERVISOR,
            col(User.is_active),
            has_device,
        )
        .order_by(col(OfficerStatus.user_id))
    ).all()
    found = [user_id for user_id in on_duty if user_id is not None]
    whom, why_officer = "every on-duty supervisor", "an on-duty supervisor"
    area = squads.area_of_beat(session, alert.beat)
    if area is not None:
        theirs = squads.supervisors_of(session, area)
        if any(user_id in theirs for user_id in found):
            found = [user_id for user_id in found if user_id in theirs]
            whom = f"the supervisors of {area.name}"
            why_officer = f"an on-duty supervisor of {area.name}"
        else:
            whom = f"no supervisor of {area.name} on duty: every on-duty supervisor"
    if not found:
        whom = "no supervisor on duty"
    thread = thread_of(alert)
    update = updates.escalated(thread, Step.SUPERVISOR, summary=alert.body, why=why)

    def message_for(device: Device) -> PushMessage:
        return updates.message(
            thread, update, token=device.token, platform=outbox.platform(device),
            detail=config.detail, ttl_s=config.ttl_s,
        )  # fmt: skip

    told = []
    for user_id in found:
        recipient = recipients.enlist(
            session, known, alert_id=alert.id or 0, officer_id=user_id, reason="supervisor",
            now=now,
        )  # fmt: skip
        recipients.push(
            session, alert=alert, recipient=recipient, now=now, sighting=True,
            message_for=message_for, action="escalation",
            why=Why(why_officer, f"escalated to the supervisors: {why}",
                    "escalated: nobody is responding"),
        )  # fmt: skip
        told.append(user_id)
    return told, whom


def latest_read(session: Session, alert: Alert) -> StoredRead | None:
    read_id = (alert.details or {}).get("read_id")
    if not isinstance(read_id, int):
        return None
    row = session.execute(select(*COLUMNS).where(col(Read.id) == read_id)).first()
    return None if row is None else StoredRead.of(read_id, row._mapping)
