"""The commanders' dashboard (/command): the numbers of the stats services (app/stats, as
GET /v1/stats) over a chosen window, for the caller's own command (the agency for admins,
auditors and command staff, an area for its commander, a squad for its sergeant), each level
listing the next one down with a small server-rendered chart: agency → area → squad →
officer → the officer's alerts with their answers and outcomes. Outside the caller's command
is a 403 page saying what they may see, as the API answers."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from app.deps import ClockDep, SessionDep
from app.errors import AppError, NotFound
from app.models import Beat, PoliceArea, Role, Squad, User
from app.pages import web
from app.pages.web import Command, PageRefused, Visitor
from app.schemas.stats import StatsPublic
from app.stats import drill, scope
from app.stats.figures import Window

router = APIRouter(include_in_schema=False)

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
ALERTS_LISTED = 200


@router.get("/command")
def dashboard(
    request: Request,
    session: SessionDep,
    visitor: Command,
    clock: ClockDep,
    window: Annotated[str, Query(pattern="^(24h|7d|30d)$")] = "24h",
    level: Annotated[str | None, Query(pattern="^(area|beat|squad|officer)$")] = None,
    id: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    now = clock()
    span = Window(since=now - WINDOWS[window], until=now)
    try:
        stats = _stats(session, visitor, span, level, id, now=now)
    except AppError as error:
        raise PageRefused(error.status, error.detail) from None
    return web.render(
        request, "command.html", visitor, stats=stats, window=window, windows=list(WINDOWS),
        level=level, id=id, numbers=_numbers(stats), chart=_chart(stats),
        up=_page_link(stats.up, window),
    )  # fmt: skip


def _stats(
    session: Session,
    visitor: Visitor,
    span: Window,
    level: str | None,
    key: str | None,
    *,
    now: Any,
) -> StatsPublic:
    """The level asked for, checked against the caller's command as GET /v1/stats/... is."""
    user = visitor.user
    command = scope.command_of(session, user)
    if level is None or key is None:
        if command.everything:
            return drill.agency(session, span)
        if command.areas:
            return drill.area(session, _get(session, PoliceArea, min(command.areas)), span,
                              command=command)  # fmt: skip
        return drill.squad(session, _get(session, Squad, min(command.squads)), span,
                           command=command)  # fmt: skip
    if level == "area":
        scope.check_area(command, key)
        return drill.area(session, _get(session, PoliceArea, key), span, command=command)
    if level == "beat":
        scope.check_beat(session, command, key)
        return drill.beat(session, _get(session, Beat, key), span, command=command)
    number = int(key) if key.isdigit() else 0
    if level == "squad":
        scope.check_squad(command, number)
        return drill.squad(session, _get(session, Squad, number), span, command=command)
    scope.check_officer(session, command, number)
    officer = session.get(User, number)
    if officer is None or officer.role != Role.OFFICER:
        raise NotFound(f"no officer with id {key}")
    return drill.officer(session, officer, span, command=command, viewer=user,
                         limit=ALERTS_LISTED, now=now)  # fmt: skip


def _get(session: Session, table: Any, key: object) -> Any:
    row = session.get(table, key)
    if row is None:
        raise NotFound(f"no {table.__name__.lower()} {key!r}")
    return row


def _page_link(api_href: str | None, window: str) -> str | None:
    """/v1/stats/squads/3 → /command?level=squad&id=3 (the page of the same level)."""
    if not api_href:
        return None
    parts = api_href.removeprefix("/v1/stats").strip("/").split("/")
    if len(parts) != 2:
        return f"/command?window={window}"
    kinds = {"areas": "area", "beats": "beat", "squads": "squad", "officers": "officer"}
    kind = kinds.get(parts[0])
    return f"/command?window={window}&level={kind}&id={parts[1]}" if kind else None


def _numbers(stats: StatsPublic) -> list[tuple[str, str]]:
    f = stats.figures
    return [
        ("Alerts", str(f.alerts)),
        ("Hot-list hits", str(f.hits)),
        ("Officers sent a push", str(f.officers_pushed)),
        ("Pushes sent", str(f.pushes)),
        ("Pushes per officer per hour", _number(f.pushes_per_officer_hour)),
        ("Median time to seen", _duration(f.time_to_seen.median_s)),
        ("Median time to responding", _duration(f.time_to_responding.median_s)),
        ("Escalated", str(f.escalations.escalated)),
        ("Confirmations asked", str(f.confirmations.requested)),
        ("Confirmed", str(f.confirmations.confirmed)),
        ("Not confirmed", str(f.confirmations.not_confirmed)),
        ("Closed with an outcome", str(f.outcomes.closed)),
        ("Located", str(f.outcomes.by_disposition.get("located", 0))),
        ("Misread rate", _rate(f.outcomes.misread_rate)),
        ("Wrong-vehicle rate", _rate(f.outcomes.wrong_vehicle_rate)),
    ]


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def _chart(stats: StatsPublic) -> dict[str, Any]:
    """The next level down as horizontal bars: alerts, and hits among them."""
    rows = [(child.name, child.figures.alerts, child.figures.hits) for child in stats.children]
    tallest = max((alerts for _, alerts, _ in rows), default=0) or 1
    width, row_h = 600, 22
    return {
        "width": width,
        "height": max(1, len(rows)) * row_h,
        "row_h": row_h,
        "bars": [
            {"y": i * row_h, "name": name, "alerts": alerts, "hits": hits,
             "w": round((width - 220) * alerts / tallest, 1),
             "hw": round((width - 220) * hits / tallest, 1)}
            for i, (name, alerts, hits) in enumerate(rows)
        ],
    }  # fmt: skip
