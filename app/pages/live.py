"""Live pages over Server-Sent Events. A page opens an EventSource on its feed; the feed looks
at what the page shows (a few aggregate columns: newest ids, states, times) every
`LIVE_POLL_S`, and sends a `change` event when that moved. The page then fetches itself again
and swaps in the new content, so every page renders one way, on the server, and a page
fed by changes made in any process (another API process, `lookout worker`, the ingest writer)
needs no other notification path. A feed ends after `LIVE_STREAM_S`; the browser reconnects.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Hashable

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
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

LIVE_POLL_S = 0.25
LIVE_STREAM_S = 300.0
KEEPALIVE_S = 15.0

Probe = Callable[[], Hashable]


def stream(request: Request, probe: Probe) -> StreamingResponse:
    """The event stream of one page: `change` whenever `probe()` answers something new."""

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        last = await asyncio.to_thread(probe)
        loop = asyncio.get_running_loop()
        started = quiet_since = loop.time()
        while loop.time() - started < LIVE_STREAM_S:
            await asyncio.sleep(LIVE_POLL_S)
            if await request.is_disconnected():
                return
            seen = await asyncio.to_thread(probe)
            if seen != last:
                last, quiet_since = seen, loop.time()
                digest = hashlib.sha256(repr(seen).encode()).hexdigest()[:16]
                yield f"event: change\ndata: {digest}\n\n"
            elif loop.time() - quiet_since > KEEPALIVE_S:
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
