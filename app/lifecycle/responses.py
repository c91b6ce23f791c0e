"""Officers answer an alert from the phone: seen, responding (with an ETA, given or computed
from their position and the car's), on scene, or unable. Every answer is an `alert_response`
row; the officer's latest is on their recipient row. The others who have the alert get a quiet
update ("Unit 4521 responding, ETA 4 min") when it concerns them (`alerts.lifecycle.
hears_of_answer`: units on it, so two cars do not race to one stop; the rest of a hit's
officers when the first unit takes it or the last one leaves), and the escalation ladder is
paused or brought forward (app/lifecycle/escalation.py).
"""

import logging
from datetime import datetime

from sqlmodel import Session

from alerts import updates
from alerts.errors import InvalidTransition
from alerts.lifecycle import ACTIVE, Response, hears_of_answer
from app.delivery.recipients import AlertSettings, recipients_of
from app.lifecycle import escalation
from app.lifecycle.due import wake_if_due
from app.lifecycle.threads import tell, thread_of, unit_of
from app.models import Alert, AlertRecipient, AlertResponse, AlertStatus, OfficerStatus, User
from geo import Point, Position
from geo.ranking import DEFAULT, score

log = logging.getLogger(__name__)


def respond(
    session: Session,
    alert: Alert,
    recipient: AlertRecipient,
    user: User,
    *,
    status: Response,
    eta_s: float | None,
    note: str | None,
    now: datetime,
    config: AlertSettings,
) -> AlertResponse | None:
    """Record the officer's answer; the row, or None for a `seen` that adds nothing (the
    officer had already answered). Raises InvalidTransition for anything but `seen` on a
    closed alert."""
    assert alert.id is not None and user.id is not None
    closed = alert.status == AlertStatus.CLOSED
    if closed and status is not Response.SEEN:
        raise InvalidTransition(f"the alert is closed ({alert.disposition})")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now
    if status is Response.SEEN and recipient.response is not None:
        session.add(recipient)
        return None  # seeing it again says nothing new
    covered_before = _covered(session, alert)
    source = "given" if eta_s is not None else None
    if status is Response.RESPONDING and eta_s is None:
        eta_s = _computed_eta(session, alert, user.id, now=now, config=config)
        source = "computed" if eta_s is not None else None
    row = AlertResponse(
        alert_id=alert.id, user_id=user.id, status=status.value,
        eta_s=None if eta_s is None else round(eta_s, 1), eta_source=source, note=note, at=now,
    )  # fmt: skip
    session.add(row)
    recipient.response, recipient.responded_at = status.value, now
    if status in ACTIVE:  # the statistics' time to responding, kept on the rows (app/stats)
        recipient.responding_at = _earlier(recipient.responding_at, now)
        alert.responding_at = _earlier(alert.responding_at, now)
    session.add(recipient)
    session.flush()
    # A first `seen` (the only answer a closed alert takes) moves nobody on or off the hit.
    covered_after = covered_before if status is Response.SEEN else _covered(session, alert)
    if not closed:
        _update_status(alert, covered=covered_after, now=now)
        escalation.reconsider(session, alert, now=now, config=config)
        wake_if_due(session, alert, now)
    queued = 0
    if status is not Response.SEEN and not closed:
        update = updates.response(thread_of(alert), unit=unit_of(user), status=status,
                                  eta_s=row.eta_s)  # fmt: skip

        def hears(holder: AlertRecipient) -> bool:
            return hears_of_answer(
                bulletin=alert.kind == "bulletin",
                own_answer=Response(holder.response) if holder.response else None,
                covered_before=covered_before, covered_after=covered_after,
            )  # fmt: skip

        queued = tell(session, alert, update, config=config, now=now, skip_user=user.id,
                      audience=hears)  # fmt: skip
    session.add(alert)
    log.info(
        "alert.response",
        extra={"alert_id": alert.id, "user_id": user.id, "status": status.value,
               "eta_source": source, "deliveries": queued},
    )  # fmt: skip
    return row


def _earlier(at: datetime | None, now: datetime) -> datetime:
    return now if at is None else min(at, now)


def _covered(session: Session, alert: Alert) -> bool:
    """Whether a unit is responding to the alert or on scene."""
    assert alert.id is not None
    answers = (r.response for r in recipients_of(session, alert.id).values())
    return any(answer in ACTIVE for answer in answers)


def _update_status(alert: Alert, *, covered: bool, now: datetime) -> None:
    """Responding while a unit is responding or on scene (`covered`); else acknowledged once
    seen."""
    if covered:
        alert.status = AlertStatus.RESPONDING
    else:
        alert.status = AlertStatus.ACKNOWLEDGED
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
    alert.updated_at = now


def _computed_eta(
    session: Session, alert: Alert, user_id: int, *, now: datetime, config: AlertSettings
) -> float | None:
    """Seconds from the officer's last fresh position to where the car is estimated to be
    (where routing put it, else its last read), ranked as routing ranks (geo.ranking)."""
    status = session.get(OfficerStatus, user_id)
    if status is None or status.lat is None or status.lon is None or status.recorded_at is None:
        return None
    if status.recorded_at < now - config.routing.fresh_for:
        return None
    car_at = (alert.details or {}).get("car_at")
    if isinstance(car_at, list | tuple) and len(car_at) == 2:
        target = Point(float(car_at[0]), float(car_at[1]))
    elif alert.lat is not None and alert.lon is not None:
        target = Point(alert.lat, alert.lon)
    else:
        return None
    position = Position(
        officer_id=user_id, point=Point(status.lat, status.lon), recorded_at=status.recorded_at,
        heading_deg=status.heading_deg, speed_mps=status.speed_mps,
    )  # fmt: skip
    return score(position, target, None, config.routing.ranking or DEFAULT).eta_s
