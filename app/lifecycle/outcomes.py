"""How a hit's alert ends: closed with a disposition (and, when located, a result) by an
officer who has it or a dispatcher, audited, pushed as a last update on its thread; or closed
by the system when its record is not confirmed or is cleared from its list.

Outcomes feed back: an entry whose hits ended as misread or wrong vehicle
`review_after_false_hits` times is flagged for its list owner's review (list hygiene).
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from alerts import updates
from alerts.errors import InvalidTransition
from alerts.lifecycle import FALSE_HITS, Disposition, Result
from app import audit
from app.delivery.recipients import AlertSettings
from app.lifecycle.due import stop_all
from app.lifecycle.threads import is_hit, tell, thread_of, unit_of
from app.models import Alert, AlertStatus, Hit, HotListEntry, User

log = logging.getLogger(__name__)


def close(
    session: Session,
    alert: Alert,
    *,
    disposition: Disposition,
    result: Result | None,
    note: str | None,
    user: User | None,
    now: datetime,
    config: AlertSettings,
    push: bool = True,
) -> None:
    """Close the alert with an outcome, stop its timers, audit it, count a false hit against
    its entry, and (`push`) tell everyone who has it. Raises InvalidTransition for a
    bulletin's alert (it ends with its bulletin) or an alert already closed."""
    assert alert.id is not None
    if not is_hit(alert):
        raise InvalidTransition(
            "a bulletin's alert ends with the bulletin: POST /v1/bulletins/{id}/cancel"
        )
    if alert.status == AlertStatus.CLOSED:
        raise InvalidTransition(f"the alert is already closed ({alert.disposition})")
    alert.status = AlertStatus.CLOSED
    alert.disposition, alert.outcome_note = disposition.value, note
    alert.result = result.value if result else None
    alert.closed_at, alert.closed_by, alert.updated_at = now, user.id if user else None, now
    stop_all(alert)
    session.add(alert)
    audit.record(
        session, actor=user, action="alert.outcome", now=now, object_type="alert",
        object_id=alert.id, plate=alert.plate,
        detail={"disposition": disposition.value, "result": result.value if result else None,
                "note": note},
    )  # fmt: skip
    if disposition in FALSE_HITS:
        _count_false_hit(session, alert, now=now, config=config)
    queued = 0
    if push:
        who = unit_of(user) if user else "Lookout"
        update = updates.closed(thread_of(alert), disposition, result, who=who, note=note)
        queued = tell(session, alert, update, config=config, now=now,
                      ttl_s=config.lifecycle.update_ttl_s)  # fmt: skip
    log.info(
        "alert.closed",
        extra={"alert_id": alert.id, "disposition": disposition.value,
               "user_id": user.id if user else None, "deliveries": queued},
    )  # fmt: skip


def close_cleared(
    session: Session,
    entry_ids: Iterable[int],
    *,
    list_name: str,
    reason: str | None,
    user: User | None,
    now: datetime,
    config: AlertSettings,
) -> int:
    """Close the open alerts of entries removed from their list ("record cleared"): nobody
    must chase a recovered car. The push rings. Returns how many alerts were closed."""
    keys = [f"entry:{entry_id}" for entry_id in entry_ids]
    if not keys:
        return 0
    open_alerts = session.scalars(
        select(Alert)
        .where(col(Alert.dedup_key).in_(keys), col(Alert.status) != AlertStatus.CLOSED)
        .order_by(col(Alert.id))
        .with_for_update()
    ).all()
    note = f"record cleared: {reason}" if reason else "record cleared"
    for alert in open_alerts:
        close(
            session, alert, disposition=Disposition.RECORD_INVALID, result=None, note=note,
            user=user, now=now, config=config, push=False,
        )  # fmt: skip
        update = updates.cleared(thread_of(alert), list_name=list_name, reason=reason)
        tell(session, alert, update, config=config, now=now, ttl_s=config.lifecycle.update_ttl_s)
    return len(open_alerts)


def _count_false_hit(
    session: Session, alert: Alert, *, now: datetime, config: AlertSettings
) -> None:
    entry_id = session.scalar(select(col(Hit.entry_id)).where(col(Hit.id) == alert.hit_id))
    entry = session.get(HotListEntry, entry_id, with_for_update=True) if entry_id else None
    if entry is None:
        return
    entry.false_hits += 1
    threshold = config.lifecycle.review_after_false_hits
    if entry.false_hits >= threshold and entry.review_flagged_at is None:
        entry.review_flagged_at = now
        entry.review_reason = (
            f"{entry.false_hits} hits ended as misread or wrong vehicle (the latest: alert "
            f"{alert.id}, {alert.disposition.replace('_', ' ') if alert.disposition else ''})"
        )
        log.info("hotlist.entry_flagged", extra={"entry_id": entry.id, "alert_id": alert.id})
    session.add(entry)
