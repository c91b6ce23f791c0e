"""A bulletin's pushes, written in the caller's transaction (the outbox), as recipients and
deliveries of its one alert (app/bulletins/alert.py). Who is pushed:

- on posting: every on-duty officer with a fresh fix and a working device inside the area
  grown to now (`geo.areas`; for telling officers, by at most `notify_max_growth_m`) plus
  `notify_margin_m`, and the officers assigned to its beats;
- on an update: everyone already told, and whoever the changed (or grown) area now covers;
- on a cancellation: everyone already told (ringing only for the units responding to it);
- on a match: the best-placed officers around the read (`alerts.routing.route`, as for a hit).

All of them on the thread `bulletin-<id>`, so each push replaces the last on the phone.
Priority 4 is never pushed.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from alerts import bulletins as text
from alerts import policy
from alerts.bulletins import Action, Audience, BulletinFacts
from alerts.lifecycle import ACTIVE
from alerts.policy import Notice, Why
from alerts.push import PushMessage
from alerts.routing import PRIORITY_INFO, Routing, route
from app.bulletins.alert import TrailPoint
from app.bulletins.rules import Rules, Watched
from app.delivery import outbox, recipients
from app.delivery.recipients import AlertSettings
from app.models import Alert, AlertRecipient, Bulletin, Device
from app.officers.beats import officers_on_beats
from app.officers.tracker import OfficerTracker
from app.reads.stored import StoredRead
from geo import Sighting, bearing_deg
from geo.areas import Growth
from geo.motion import describe
from geo.zones import BeatMap

log = logging.getLogger(__name__)

MAX_BROADCAST = 500  # officers told at once about one bulletin; more is a region, not an area
CANCEL_TTL_S = 24 * 3600  # a cancellation must still reach a phone that was off for hours
NO_EXPIRY_TTL_S = 24 * 3600
MAX_TTL_S = 28 * 24 * 3600  # FCM's limit


@dataclass(frozen=True, slots=True)
class BulletinContext:
    """What bulletin services need from the running app."""

    rules: Rules
    alerts: AlertSettings
    officers: OfficerTracker
    beats: BeatMap | None
    notify_margin_m: float = 500.0
    # Officers are told as the area grows only this far: a car further off is found by the
    # cameras (a match routes it to the best placed), not by every patrol in the city.
    notify_max_growth_m: float = 3000.0
    retro_max_reads: int = 200_000

    def notify_growth(self) -> Growth:
        growth = self.rules.growth
        return replace(growth, max_reach_m=min(growth.max_reach_m, self.notify_max_growth_m))


# Why an update or cancellation to an officer who has the bulletin rings or not, by
# (cancellation, quiet).
_SOUND_WHY = {
    (False, False): "it changes what to look for",
    (False, True): "quiet: nothing new to look for",
    (True, False): "responding to it: stand down",
    (True, True): "quiet: nothing to look for any more",
}


def broadcast(
    session: Session,
    row: Bulletin,
    watched: Watched,
    alert: Alert,
    described: BulletinFacts,
    ctx: BulletinContext,
    now: datetime,
    *,
    action: Action,
    change: str = "",
    quiet: bool = False,
) -> int:
    """Push `action` (UPDATE or CANCEL) to everyone already told, quietly when `quiet` (the
    change asks nothing new of them: a narrative, a new last sighting), and the bulletin as
    it now stands (NEW, ringing) to the officers the area (grown to now) newly covers: each
    officer gets the bulletin as new once, whatever changes after. `change` says in words
    what changed, for the pushes' explanations. Returns the deliveries queued."""
    if row.priority >= PRIORITY_INFO:
        return 0
    assert alert.id is not None
    known = recipients.recipients_of(session, alert.id)
    told_before = len(known)
    queued = 0
    if action is not Action.NEW:
        for recipient in list(known.values()):
            # A cancellation rings only for the units on their way: the others' phones swap
            # the bulletin for "CANCELLED" silently, and nobody is stopped on it.
            hush = quiet or (action is Action.CANCEL and recipient.response not in ACTIVE)
            why = Why(
                "has the bulletin",
                f"{action.value}: {change}" if change else action.value,
                _SOUND_WHY[action is Action.CANCEL, hush],
            )
            audience = _audience_of(ctx, watched, recipient.user_id)
            queued += _deliver(session, alert, recipient, described, action, audience, ctx,
                               now, why=why, quiet=hush)  # fmt: skip
    if action is Action.CANCEL:
        return queued
    grown = watched.reach(now, ctx.notify_growth())
    grown_m = grown.bounding_circle()[1]
    reach = grown.buffer(ctx.notify_margin_m)
    newcomers = [
        (officer_id, audience, reason)
        for officer_id, audience, reason in _covered(session, reach, watched, ctx, now)
        if officer_id not in known
    ]
    for officer_id, audience, reason in newcomers:
        recipient = recipients.enlist(
            session, known, alert_id=alert.id, officer_id=officer_id, reason=reason,
            distance_m=audience.distance_m, now=now,
        )  # fmt: skip
        why = Why(
            "assigned to one of the bulletin's beats" if reason == "beat"
            else f"inside the search area (grown to within {grown_m / 1000:.1f} km of its "
            "centre since the incident)",
            "posted" if action is Action.NEW
            else f"the bulletin as it stands ({action.value}: {change or 'changed'}); "
            "this officer had not been told",
            "new to this officer: told once, as the bulletin",
        )  # fmt: skip
        queued += _deliver(session, alert, recipient, described, Action.NEW, audience, ctx,
                           now, why=why)  # fmt: skip
    log.info(
        "bulletin.pushed",
        extra={"bulletin_id": row.id, "alert_id": alert.id, "action": action.value,
               "told_before": told_before, "newly_covered": len(newcomers),
               "deliveries": queued},
    )  # fmt: skip
    return queued


def push_match(
    session: Session,
    *,
    watched: Watched,
    alert: Alert,
    described: BulletinFacts,
    read: StoredRead,
    point: TrailPoint,
    previous: Sighting | None,
    ctx: BulletinContext,
    now: datetime,
) -> int:
    """Push "possible match for bulletin #N" to the best placed around the read, except to an
    officer pushed a match of this bulletin within the push interval: a description-only
    bulletin in a busy city must not ring a phone for every silver Civic. The alert and its
    trail hold every match."""
    if watched.priority >= PRIORITY_INFO or read.point is None:
        return 0
    assert alert.id is not None
    routing = _route(session, watched, read, previous, ctx, now)
    motion = describe(routing.motion, (now - read.read_at).total_seconds())
    sighting = text.Sighting(**{**_fields(point.sighting()), "motion": motion})
    ttl_s = _ttl_s(described, Action.MATCH, ctx, now)

    def message_for(notice: Notice, device: Device) -> PushMessage:
        chosen = notice.chosen
        audience = Audience(chosen.distance_m, chosen.bearing_deg) if chosen else Audience()
        return _message(described, Action.MATCH, audience, device, ctx, ttl_s, sighting)

    known = recipients.recipients_of(session, alert.id)
    notices = policy.match_push(
        routing.recipients, recipients.holders(known), interval=ctx.alerts.push_interval, now=now
    )
    return recipients.tell(
        session, alert=alert, notices=notices, message_for=message_for, now=now, known=known
    )


def _fields(sighting: text.Sighting) -> dict[str, Any]:
    return {name: getattr(sighting, name) for name in text.Sighting.__dataclass_fields__}


def _route(
    session: Session,
    watched: Watched,
    read: StoredRead,
    previous: Sighting | None,
    ctx: BulletinContext,
    now: datetime,
) -> Routing:
    assert read.point is not None
    heading = read.heading_deg if read.heading_deg is not None else watched.heading_deg
    ctx.officers.sync(session, now)
    return route(
        read=Sighting(read.point, read.read_at, heading_deg=heading),
        priority=watched.priority,
        officers=ctx.officers.index,
        config=ctx.alerts.routing,
        now=now,
        previous=previous,
        beat_officers=officers_on_beats(session, [read.beat]),
    )


def _covered(
    session: Session, reach: Any, watched: Watched, ctx: BulletinContext, now: datetime
) -> list[tuple[int, Audience, str]]:
    """Officers inside `reach` (a geo.areas.Reach), nearest to the area first, then the
    officers assigned to the bulletin's beats."""
    ctx.officers.sync(session, now)
    center, radius_m = reach.bounding_circle()
    found = ctx.officers.index.nearest(
        center, now=now, radius_m=radius_m, fresh_for=ctx.alerts.routing.fresh_for,
        limit=MAX_BROADCAST, ranking=None,
    )  # fmt: skip
    if len(found) == MAX_BROADCAST:
        log.warning("bulletin.broadcast_capped", extra={"bulletin_id": watched.id})
    covered: list[tuple[int, Audience, str]] = []
    for nearby in found:
        position = ctx.officers.index.get(nearby.officer_id)
        if position is None or not reach.contains(position.point):
            continue
        to_area = watched.area.distance_m(position.point)
        covered.append(
            (nearby.officer_id, Audience(to_area, nearby.bearing_deg, to_area == 0.0), "area")
        )
    covered.sort(key=lambda c: (c[1].distance_m or 0.0, c[0]))
    chosen = {officer_id for officer_id, _, _ in covered}
    for officer_id in officers_on_beats(session, watched.area.codes):
        if officer_id not in chosen:
            covered.append((officer_id, _audience_of(ctx, watched, officer_id), "beat"))
    return covered


def _audience_of(ctx: BulletinContext, watched: Watched, officer_id: int) -> Audience:
    position = ctx.officers.index.get(officer_id)
    if position is None:
        return Audience()
    to_area = watched.area.distance_m(position.point)
    return Audience(to_area, bearing_deg(position.point, watched.area.center), to_area == 0.0)


def _deliver(
    session: Session,
    alert: Alert,
    recipient: AlertRecipient,
    described: BulletinFacts,
    action: Action,
    audience: Audience,
    ctx: BulletinContext,
    now: datetime,
    *,
    why: Why,
    quiet: bool = False,
) -> int:
    """The bulletin itself (new, updated, cancelled) to every working device of the recipient."""
    ttl_s = _ttl_s(described, action, ctx, now)

    def message_for(device: Device) -> PushMessage:
        built = _message(described, action, audience, device, ctx, ttl_s)
        return replace(built, quiet=True) if quiet else built

    return recipients.push(
        session, alert=alert, recipient=recipient, now=now, sighting=False,
        message_for=message_for, why=why, action=action.value,
    )  # fmt: skip


def _message(
    described: BulletinFacts,
    action: Action,
    audience: Audience,
    device: Device,
    ctx: BulletinContext,
    ttl_s: int,
    sighting: text.Sighting | None = None,
) -> PushMessage:
    return text.message(
        described, action, audience, token=device.token, platform=outbox.platform(device),
        detail=ctx.alerts.detail, ttl_s=ttl_s, tz=ctx.alerts.tz, sighting=sighting,
    )  # fmt: skip


def _ttl_s(described: BulletinFacts, action: Action, ctx: BulletinContext, now: datetime) -> int:
    """A match is stale after minutes; a cancellation must arrive; a bulletin lasts until it
    expires."""
    if action is Action.MATCH:
        return ctx.alerts.ttl_s
    if action is Action.CANCEL:
        return CANCEL_TTL_S
    if described.expires_at is None:
        return NO_EXPIRY_TTL_S
    left = (described.expires_at - now).total_seconds()
    return int(max(60.0, min(left, MAX_TTL_S)))
