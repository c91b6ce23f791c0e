"""A dispatcher sends a hit from the dispatcher queue to officers (POST
/v1/dispatch/queue/{id}/promote), or confirms the record of a held one: it is routed as a new
hit (the few best placed, sparing the busy and the over-budget), rings with who sent it, and
starts its escalation ladder like any P1/P2 hit pushed to phones."""

import logging
from datetime import datetime

from sqlmodel import Session

from alerts import policy, updates
from alerts.policy import Notice
from alerts.push import PushMessage
from alerts.routing import Recipient, route
from app.delivery import dispatch, outbox, recipients
from app.delivery.recipients import AlertSettings
from app.errors import Conflict
from app.lifecycle import escalation
from app.lifecycle.threads import is_hit, thread_of, unit_of
from app.models import Alert, AlertStatus, Device, User
from app.officers.beats import officers_on_beats
from app.officers.tracker import OfficerTracker
from app.reads.stored import previous_sighting

log = logging.getLogger(__name__)

PROMOTED_PRIORITY_MAX = 3  # a P4 hit a dispatcher sends out is routed as a P3 notice


def promote(
    session: Session,
    alert: Alert,
    *,
    actor: User,
    note: str | None,
    now: datetime,
    config: AlertSettings,
    officers: OfficerTracker,
    must_reach: bool = True,
) -> list[int]:
    """Send a queued hit to the best-placed officers; the officers told. Raises Conflict for
    an alert not in the queue or closed, and (when `must_reach`) when nobody on duty is in
    range: the hit then stays in the queue."""
    assert alert.id is not None
    if not is_hit(alert) or alert.is_covert:
        raise Conflict(f"alert {alert.id} is not a hit that can be sent to officers")
    if alert.status == AlertStatus.CLOSED:
        raise Conflict(f"alert {alert.id} is closed ({alert.disposition})")
    if not dispatch.is_queued(alert):
        raise Conflict(f"alert {alert.id} is not in the dispatcher queue")
    read = escalation.latest_read(session, alert)
    known = recipients.recipients_of(session, alert.id)
    priority = min(alert.priority, PROMOTED_PRIORITY_MAX)
    spared = dispatch.spared_officers(
        session, priority=priority, alert_id=alert.id, rules=config.attention, now=now
    )
    found: tuple[Recipient, ...] = ()
    if read is not None and read.point is not None:
        officers.sync(session, now)
        found = route(
            read=read.sighting(), priority=priority, officers=officers.index,
            config=config.routing, now=now, previous=previous_sighting(session, read),
            beat_officers=officers_on_beats(session, [read.beat]),
            exclude=set(known) | set(spared),
        ).recipients  # fmt: skip
    if not found:
        if must_reach:
            raise Conflict(
                f"nobody on duty in range of alert {alert.id} (or all busy or over their "
                "attention budget); it stays in the dispatcher queue"
            )
        return []
    who = unit_of(actor)
    notices = policy.first_push(
        found, beat=alert.beat, action="promoted",
        why_now=f"sent by dispatch ({who})" + (f": {note}" if note else ""),
    )  # fmt: skip
    thread = thread_of(alert)

    def message_for(notice: Notice, device: Device) -> PushMessage:
        chosen = notice.chosen
        update = updates.promoted(
            thread, summary=alert.body, who=who, note=note,
            distance_m=chosen.distance_m if chosen else None,
            bearing_deg=chosen.bearing_deg if chosen else None,
        )  # fmt: skip
        return updates.message(
            thread, update, token=device.token, platform=outbox.platform(device),
            detail=config.detail, ttl_s=config.ttl_s,
        )  # fmt: skip

    recipients.tell(
        session, alert=alert, notices=notices, message_for=message_for, now=now, known=known
    )
    dispatch.clear(alert, now=now, by=actor.id)
    if alert.escalation_cause is None:
        escalation.start(alert, now=now, config=config)
    alert.updated_at = now
    session.add(alert)
    session.flush()
    told = [chosen.officer_id for chosen in found]
    log.info("alert.promoted", extra={"alert_id": alert.id, "told": len(told)})
    return told
