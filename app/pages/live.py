"""Live pages over Server-Sent Events. A page opens an EventSource on its feed; when what the
page shows has changed, the feed sends a `change` event, and the page fetches itself again and
swaps in the new content: every page renders one way, on the server.

One `Pulse` per process looks at the alert tables every `LIVE_POLL_S` (one query of a few
aggregates: newest ids, latest times), whichever process made the change (another API process,
`lookout worker`, the ingest writer), and wakes the feeds when they moved; each feed then asks
its own narrower question (this officer's alerts, this alert) and tells its page only when the
answer changed. So the database sees one query per process per tick however many pages are
open, and a page hears of a change within a tick. A feed ends after `LIVE_STREAM_S`; the
browser reconnects.
"""

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Hashable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from app.db import transaction
from app.models import (
    Alert,
    AlertConfirmation,
    AlertEscalation,
    AlertRecipient,
    AlertResponse,
    Bulletin,
    Hit,
    OfficerStatus,
)

log = logging.getLogger(__name__)

LIVE_POLL_S = 0.25
LIVE_STREAM_S = 300.0
KEEPALIVE_S = 15.0

Probe = Callable[[], Hashable]


class Pulse:
    """The process's one look at the alert tables, shared by every open page's feed: `beat`
    is raised each time what they show changed."""

    def __init__(self, engine: Engine) -> None:
        self._probe = desk(engine)
        self.beat = 0
        self._changed: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._listeners = 0

    async def wait(self, seen: int, timeout_s: float) -> int:
        """The beat once it is past `seen`, or after `timeout_s` whatever it is."""
        self._ensure_running()
        self._listeners += 1
        try:
            while self.beat == seen:
                assert self._changed is not None
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout_s)
                except TimeoutError:
                    break
            return self.beat
        finally:
            self._listeners -= 1

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._changed = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        last: Hashable = None
        idle_ticks = 0
        while idle_ticks < 40:  # nobody listening for 10 s: stop; the next feed restarts it
            await asyncio.sleep(LIVE_POLL_S)
            idle_ticks = idle_ticks + 1 if self._listeners == 0 else 0
            try:
                seen = await asyncio.to_thread(self._probe)
            except SQLAlchemyError as error:  # the database is away: the pages wait for it
                log.info("pages.pulse.unavailable", extra={"error": type(error).__name__})
                await asyncio.sleep(1.0)
                continue
            if seen != last:
                last = seen
                self.beat += 1
                assert self._changed is not None
                self._changed.set()
                self._changed.clear()


def pulse_of(request: Request, engine: Engine) -> Pulse:
    state = request.app.state
    pulse: Pulse | None = getattr(state, "page_pulse", None)
    if pulse is None:
        pulse = state.page_pulse = Pulse(engine)
    return pulse


def stream(request: Request, probe: Probe, pulse: Pulse) -> StreamingResponse:
    """The event stream of one page: `change` whenever `probe()` answers something new,
    asked when the process's pulse beats."""

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        heard = pulse.beat
        last = await asyncio.to_thread(probe)
        loop = asyncio.get_running_loop()
        started = quiet_since = loop.time()
        while loop.time() - started < LIVE_STREAM_S:
            beat = await pulse.wait(heard, timeout_s=1.0)
            if await request.is_disconnected():
                return
            if beat != heard:
                heard = beat
                seen = await asyncio.to_thread(probe)
                if seen != last:
                    last, quiet_since = seen, loop.time()
                    digest = hashlib.sha256(repr(seen).encode()).hexdigest()[:16]
                    yield f"event: change\ndata: {digest}\n\n"
            if loop.time() - quiet_since > KEEPALIVE_S:
                quiet_since = loop.time()
                yield ": keepalive\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def officer_alerts(engine: Engine, user_id: int) -> Probe:
    """What an officer's list shows: their alerts and each one's state."""

    def probe() -> Hashable:
        mine = select(col(AlertRecipient.alert_id)).where(col(AlertRecipient.user_id) == user_id)
        with transaction(engine) as session:
            return tuple(
                session.execute(
                    select(
                        col(Alert.id), col(Alert.status), col(Alert.confirmation),
                        col(Alert.sightings), col(Alert.closed_at), col(Alert.last_seen_at),
                        col(Alert.updated_at),
                    )
                    .where(col(Alert.id).in_(mine))
                    .order_by(col(Alert.id).desc())
                    .limit(50)
                ).all()
            )  # fmt: skip

    return probe


def one_alert(engine: Engine, alert_id: int) -> Probe:
    """What an alert's page shows: its row's state and its life after the push."""

    def probe() -> Hashable:
        with transaction(engine) as session:
            row = session.execute(
                select(
                    col(Alert.status), col(Alert.confirmation), col(Alert.sightings),
                    col(Alert.last_seen_at), col(Alert.updated_at), col(Alert.escalation_level),
                    col(Alert.closed_at), col(Alert.title),
                ).where(col(Alert.id) == alert_id)
            ).first()  # fmt: skip
            answers = session.scalar(
                select(func.max(AlertResponse.id)).where(col(AlertResponse.alert_id) == alert_id)
            )
            return (tuple(row) if row else None, answers)

    return probe


def desk(engine: Engine) -> Probe:
    """What the console shows: alerts, answers, confirmations, escalations, bulletins, hits
    and officers' positions."""

    def probe() -> Hashable:
        with transaction(engine) as session:
            return tuple(
                session.execute(
                    select(
                        select(func.max(Alert.id)).scalar_subquery(),
                        select(func.max(Alert.last_seen_at)).scalar_subquery(),
                        select(func.count()).where(col(Alert.closed_at).is_not(None))
                        .scalar_subquery(),
                        select(func.max(AlertResponse.id)).scalar_subquery(),
                        select(func.max(AlertConfirmation.id)).scalar_subquery(),
                        select(func.max(AlertEscalation.id)).scalar_subquery(),
                        select(func.max(Hit.id)).scalar_subquery(),
                        select(func.max(Bulletin.updated_at)).scalar_subquery(),
                        select(func.max(OfficerStatus.received_at)).scalar_subquery(),
                        select(func.max(OfficerStatus.duty_changed_at)).scalar_subquery(),
                    )
                ).one()
            )  # fmt: skip

    return probe
