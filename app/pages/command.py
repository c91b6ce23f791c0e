"""The commanders' dashboard (/command): the numbers of a chosen window (hits, bulletins,
pushes per officer per hour, time to seen and to responding, escalations, confirmations,
outcomes, misread and wrong-vehicle rates), a small server-rendered SVG chart, and the
drill-down: beat → officer → the officer's timeline of alerts, answers and outcomes.

Counted here from the alert tables over the window; a supervisor sees the whole department
(the data model has no squads yet)."""

from collections import Counter
from datetime import datetime, timedelta
from statistics import median
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts.lifecycle import FALSE_HITS
from alerts.lifecycle import Response as Answer
from app import audit
from app.deps import ClockDep, RuntimeDep, SessionDep
from app.hotlists import covert
from app.lifecycle.threads import HIT_KINDS
from app.models import (
    Alert,
    AlertEscalation,
    AlertRecipient,
    AlertResponse,
    Bulletin,
    Delivery,
    User,
)
from app.pages import web
from app.pages.web import Command, PageRefused
from app.schemas.common import RowId

router = APIRouter(include_in_schema=False)

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
MOST_ALERTS = 20_000


@router.get("/command")
def dashboard(
    request: Request,
    session: SessionDep,
    visitor: Command,
    clock: ClockDep,
    runtime: RuntimeDep,
    window: Annotated[str, Query(pattern="^(24h|7d|30d)$")] = "24h",
    beat: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    now = clock()
    since = now - WINDOWS[window]
    query = (
        select(Alert)
        .where(col(Alert.created_at) >= since, covert.visible_alerts(visitor.user))
        .order_by(col(Alert.id).desc())
        .limit(MOST_ALERTS)
    )
    if beat:
        query = query.where(col(Alert.beat) == beat)
    alerts = list(session.scalars(query))
    ids = [a.id for a in alerts if a.id is not None]
    numbers = _numbers(session, alerts, ids, since=since, now=now)
    audit.record(
        session, actor=visitor.user, action="stats.view", now=now, object_type="alert",
        detail={"window": window, "beat": beat, "alerts": len(ids)},
    )  # fmt: skip
    return web.render(
        request, "command.html", visitor, window=window, windows=list(WINDOWS), beat=beat,
        numbers=numbers,
        chart=_chart(alerts, since=since, now=now, window=window, tz=runtime.alerting.tz),
        beats=_by_beat(alerts), officers=_by_officer(session, ids),
    )  # fmt: skip


@router.get("/command/officers/{user_id}")
def officer_timeline(
    request: Request,
    user_id: RowId,
    session: SessionDep,
    visitor: Command,
    clock: ClockDep,
    window: Annotated[str, Query(pattern="^(24h|7d|30d)$")] = "7d",
) -> Response:
    """One officer's alerts in the window, each with their answers and its outcome."""
    officer = session.get(User, user_id)
    if officer is None:
        raise PageRefused(404, f"no user with id {user_id}")
    now = clock()
    since = now - WINDOWS[window]
    rows = session.execute(
        select(Alert, AlertRecipient)
        .join(AlertRecipient, col(AlertRecipient.alert_id) == Alert.id)
        .where(col(AlertRecipient.user_id) == user_id, col(Alert.created_at) >= since,
               covert.visible_alerts(visitor.user))
        .order_by(col(Alert.id).desc())
        .limit(500)
    ).all()  # fmt: skip
    answers: dict[int, list[AlertResponse]] = {}
    for response in session.scalars(
        select(AlertResponse)
        .where(col(AlertResponse.user_id) == user_id, col(AlertResponse.at) >= since)
        .order_by(col(AlertResponse.at))
    ):
        answers.setdefault(response.alert_id, []).append(response)
    audit.record(
        session, actor=visitor.user, action="stats.officer.view", now=now, object_type="user",
        object_id=user_id, detail={"window": window, "alerts": len(rows)},
    )  # fmt: skip
    return web.render(
        request, "command_officer.html", visitor, officer=officer, rows=rows, answers=answers,
        window=window, windows=list(WINDOWS),
    )  # fmt: skip


def _numbers(
    session: Session, alerts: list[Alert], ids: list[int], *, since: datetime, now: datetime
) -> list[tuple[str, str]]:
    hits = [a for a in alerts if a.kind in HIT_KINDS]
    closed = [a for a in hits if a.disposition is not None]
    dispositions = Counter(a.disposition for a in closed)
    created = {a.id: a.created_at for a in alerts}
    to_seen, to_responding = [], []
    pushes = 0
    people: set[int] = set()
    escalations = 0
    if ids:
        for recipient in session.scalars(
            select(AlertRecipient).where(col(AlertRecipient.alert_id).in_(ids))
        ):
            people.add(recipient.user_id)
            if recipient.acknowledged_at is not None:
                to_seen.append(recipient.acknowledged_at - created[recipient.alert_id])
        first: dict[int, datetime] = {}
        for response in session.scalars(
            select(AlertResponse).where(
                col(AlertResponse.alert_id).in_(ids),
                col(AlertResponse.status).in_([Answer.RESPONDING, Answer.ON_SCENE]),
            )
        ):
            first[response.alert_id] = min(first.get(response.alert_id, response.at), response.at)
        to_responding = [at - created[alert_id] for alert_id, at in first.items()]
        pushes = session.scalar(
            select(func.count()).where(col(Delivery.alert_id).in_(ids))
        ) or 0  # fmt: skip
        escalations = session.scalar(
            select(func.count()).where(col(AlertEscalation.alert_id).in_(ids))
        ) or 0  # fmt: skip
    officers = session.scalar(
        select(func.count(func.distinct(AlertRecipient.user_id))).where(
            col(AlertRecipient.created_at) >= since
        )
    ) or 0  # fmt: skip
    hours = max(1.0, (now - since).total_seconds() / 3600)
    bulletins = session.scalar(
        select(func.count()).where(col(Bulletin.created_at) >= since)
    ) or 0  # fmt: skip
    confirmations = Counter(a.confirmation for a in hits)
    false_hits = sum(dispositions.get(d.value, 0) for d in FALSE_HITS)
    return [
        ("Hits", str(len(hits))),
        ("Bulletins posted", str(bulletins)),
        ("Officers told", str(len(people))),
        ("Pushes per officer per hour", f"{pushes / max(1, officers) / hours:.2f}"),
        ("Median time to seen", _duration(to_seen)),
        ("Median time to responding", _duration(to_responding)),
        ("Escalation steps", str(escalations)),
        (
            "Confirmations asked",
            str(sum(v for k, v in confirmations.items() if k != "unconfirmed")),
        ),
        ("Confirmed", str(confirmations.get("confirmed", 0))),
        ("Not confirmed", str(confirmations.get("not_confirmed", 0))),
        ("Closed with an outcome", str(len(closed))),
        ("Located", str(dispositions.get("located", 0))),
        ("Misread rate", _rate(dispositions.get("misread", 0), len(closed))),
        ("Wrong-vehicle rate", _rate(dispositions.get("wrong_vehicle", 0), len(closed))),
        ("False hits", str(false_hits)),
    ]


def _duration(spans: list[timedelta]) -> str:
    if not spans:
        return "—"
    seconds = median(span.total_seconds() for span in spans)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _rate(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{100 * part / whole:.0f} %"


def _chart(
    alerts: list[Alert], *, since: datetime, now: datetime, window: str, tz: ZoneInfo
) -> dict[str, Any]:
    """Alerts per hour (24 h) or per day, as bars for an inline SVG."""
    step = timedelta(hours=1) if window == "24h" else timedelta(days=1)
    count = max(1, int((now - since) / step))
    buckets = [0] * count
    for alert in alerts:
        index = int((alert.created_at - since) / step)
        if 0 <= index < count:
            buckets[index] += 1
    tallest = max(buckets) or 1
    width, height = 720, 140
    bar = width / count
    bars = [
        {"x": round(i * bar + 1, 1), "w": round(max(1.0, bar - 2), 1),
         "h": round((height - 4) * n / tallest, 1), "n": n,
         "label": (since + i * step).astimezone(tz).strftime(
             "%a %H:%M" if window == "24h" else "%a %b %d")}
        for i, n in enumerate(buckets)
    ]  # fmt: skip
    return {"bars": bars, "width": width, "height": height, "tallest": tallest,
            "unit": "hour" if window == "24h" else "day"}  # fmt: skip


def _by_beat(alerts: list[Alert]) -> list[tuple[str, int, int]]:
    """Per beat: alerts and hits, busiest first."""
    total: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for alert in alerts:
        key = alert.beat or "—"
        total[key] += 1
        hits[key] += alert.kind in HIT_KINDS
    return [(beat, n, hits[beat]) for beat, n in total.most_common(30)]


def _by_officer(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = session.execute(
        select(AlertRecipient, User)
        .join(User, col(User.id) == AlertRecipient.user_id)
        .where(col(AlertRecipient.alert_id).in_(ids))
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for recipient, person in rows:
        entry = found.setdefault(
            recipient.user_id,
            {"id": recipient.user_id, "name": person.name, "told": 0, "seen": 0, "responding": 0},
        )
        entry["told"] += 1
        entry["seen"] += recipient.acknowledged_at is not None
        entry["responding"] += recipient.response in (Answer.RESPONDING, Answer.ON_SCENE)
    return sorted(found.values(), key=lambda e: (-e["told"], e["name"]))
