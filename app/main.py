"""The application factory: one FastAPI app per Settings, built fresh for every test."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alerts import compose
from alerts.fcm import FcmSender
from alerts.logsender import LogSender
from alerts.push import PushSender
from alerts.routing import PriorityRouting, Tier
from app import api, errors, migrate
from app.api import reads as reads_api
from app.bulletins.push import BulletinContext
from app.bulletins.rules import Rules
from app.bulletins.watch import BULLETIN_CHANNEL, BulletinWatch
from app.clock import Clock, system_clock
from app.db import make_engine, transaction
from app.delivery.worker import Worker, WorkerConfig, new_worker_id
from app.deps import CameraKeyCache
from app.devfcm.credentials import write_dev_service_account
from app.devfcm.inbox import create_fcm_inbox
from app.hotlists.hits import AlertSettings
from app.hotlists.index import HotListIndex
from app.hotlists.service import NOTIFY_CHANNEL
from app.housekeeping import Housekeeper
from app.intake.images import ImageStore
from app.intake.service import Intake
from app.intake.sources import CameraSources
from app.officers import beats
from app.officers.tracker import OfficerTracker
from app.pg_listen import Listener
from app.reads.writer import IngestWriter
from app.schemas.common import Health
from app.settings import DEV_PROJECT_ID, Settings
from geo.areas import Growth

log = logging.getLogger(__name__)

INBOX_PATH = "/fcm"
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def make_sender(settings: Settings) -> PushSender:
    """FCM through firebase-admin (to Google, or to an FCM-compatible URL), or the log."""
    if settings.push_sender == "log":
        return LogSender()
    credentials = settings.fcm_credentials
    if credentials is None:
        if settings.fcm_url is None:
            log.warning("push.no_destination", extra={"detail": "no credentials and no FCM URL"})
            return LogSender()
        credentials = write_dev_service_account(
            settings.data_dir / "fcm-dev-service-account.json",
            token_uri=settings.fcm_url.rstrip("/") + "/token",
            project_id=DEV_PROJECT_ID,
        )
    return FcmSender(
        credentials_path=credentials,
        fcm_url=settings.fcm_url,
        timeout_s=settings.fcm_timeout_s,
        app_name=f"lookout-{uuid.uuid4().hex[:8]}",
    )


def priority_routing(settings: Settings) -> PriorityRouting:
    first, widest, most = (
        settings.routing_first_radius_m,
        settings.routing_radius_m,
        settings.routing_max_officers,
    )
    first = min(first, widest)
    return PriorityRouting(
        # A felony stop needs a second unit: P1 widens until two are found.
        p1=Tier(_radii(first, widest, 2 * widest), max_officers=most, min_officers=min(2, most)),
        p2=Tier(_radii(first, widest), max_officers=most),
        p3=Tier((widest,), max_officers=most),
        fresh_for=timedelta(seconds=settings.location_fresh_s),
    )


def _radii(*radii: float) -> tuple[float, ...]:
    return tuple(sorted(set(radii)))


def alert_settings(settings: Settings) -> AlertSettings:
    return AlertSettings(
        routing=priority_routing(settings),
        detail=compose.Detail(settings.notification_detail),
        ttl_s=settings.alert_ttl_s,
        tz=ZoneInfo(settings.agency_timezone),
        merge_window=timedelta(seconds=settings.alert_merge_window_s),
        push_interval=timedelta(seconds=settings.push_interval_s),
        retro_push_within=timedelta(seconds=settings.retro_push_within_s),
    )


def bulletin_rules(settings: Settings) -> Rules:
    return Rules(
        growth=Growth(
            speed_mps=settings.bulletin_speed_mps, max_reach_m=settings.bulletin_max_growth_m
        ),
        retro_margin=timedelta(seconds=settings.bulletin_retro_margin_s),
    )


def create_app(
    settings: Settings, *, clock: Clock = system_clock, sender: PushSender | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        push = sender or make_sender(settings)
        worker = None
        if settings.embedded_worker:
            config = WorkerConfig(
                worker_id=new_worker_id(),
                batch_size=settings.worker_batch_size,
                lease_s=settings.worker_lease_s,
                max_attempts=settings.max_push_attempts,
                poll_s=settings.worker_poll_s,
            )
            worker = Worker(engine, push, config=config, clock=clock).start()
        # The writer's own pool: no ping per checkout, which would cost a round trip per batch.
        writer_engine = make_engine(settings.database_url, pool_pre_ping=False)
        index = HotListIndex(poll_interval_s=settings.hotlist_poll_s)
        alerting = alert_settings(settings)
        officers = OfficerTracker(fresh_for=timedelta(seconds=settings.location_fresh_s))
        with transaction(engine) as session:
            beat_map, beats_from = beats.load(
                session, path=settings.beats_file, code_property=settings.beats_code_property
            )
        bulletin_watch = BulletinWatch(
            BulletinContext(
                rules=bulletin_rules(settings),
                alerts=alert_settings(settings),
                officers=officers,
                beats=beat_map,
                notify_margin_m=settings.bulletin_notify_margin_m,
                retro_max_reads=settings.bulletin_retro_max_reads,
            )
        )
        listener = None
        if engine.dialect.name == "postgresql":
            wake = {NOTIFY_CHANNEL: index.invalidate, BULLETIN_CHANNEL: bulletin_watch.invalidate}
            listener = Listener(settings.database_url, wake).start()
        writer = IngestWriter(
            engine=writer_engine,
            index=index,
            alert_settings=alerting,
            officers=officers,
            clock=clock,
            max_batch_rows=settings.ingest_max_batch,
            on_commit=worker.wake if worker else lambda: None,
            bulletins=bulletin_watch,
        )
        # Load the hot lists now, not on the first read: a million entries take seconds, and
        # the cameras' first posts should not wait for them.
        with transaction(writer_engine) as session:
            index.refresh(session, clock())
        writer.start()
        housekeeper = Housekeeper(
            engine,
            clock=clock,
            every_s=settings.housekeeping_every_s,
            breadcrumbs_keep=timedelta(seconds=settings.breadcrumbs_keep_s),
        ).start()
        app.state.engine, app.state.writer, app.state.sender = engine, writer, push
        app.state.index, app.state.officers, app.state.beats = index, officers, beat_map
        app.state.beat_tagger = beats.BeatTagger(beat_map)
        app.state.alert_settings = alerting
        app.state.worker = worker
        app.state.bulletins = bulletin_watch
        # Vendor intake (/v1/intake/..., `lookout mqtt-intake`) stores through the same writer.
        app.state.images = ImageStore(settings.data_dir / "images")
        app.state.intake = Intake(
            sources=CameraSources(engine),
            writer=writer,
            images=app.state.images,
            clock=clock,
            beats=lambda: getattr(app.state, "beat_tagger", None),
        )
        log.info(
            "lookout.started",
            extra={
                "database": make_url(settings.database_url).render_as_string(hide_password=True),
                "push": push.describe(),
                "worker": "embedded" if worker else "none (run `lookout worker`)",
                "beats": beats_from,
            },
        )
        try:
            yield
        finally:
            writer.stop()
            if listener:
                await asyncio.to_thread(listener.stop)
            await asyncio.to_thread(housekeeper.stop)
            if worker:
                await asyncio.to_thread(worker.stop)
            close = getattr(push, "close", None)
            if close and sender is None:
                await asyncio.to_thread(close)  # firebase-admin's close runs its own event loop
            writer_engine.dispose()
            engine.dispose()

    app = FastAPI(
        title="Lookout",
        version="0.1.0",
        summary="Plate reads, hot lists and bulletins become pushes on the right officer's phone.",
        lifespan=lifespan,
        # Lookout exports no OpenTelemetry; left on, FastAPI looks for a provider in the
        # environment on every request, a tenth of the cost of storing a read.
        telemetry=NO_TELEMETRY,
    )
    app.state.settings, app.state.clock = settings, clock
    app.state.camera_keys = CameraKeyCache()
    errors.add_exception_handlers(app)
    app.add_api_route(endpoint=reads_api.post_reads, **reads_api.POST_READS)  # for the docs
    # ...and served by a plain route ahead of everything: the endpoint parses and answers by
    # itself, so FastAPI's request handling would only add cost on the hottest path.
    app.router.routes.insert(0, Route("/v1/reads", reads_api.post_reads, methods=["POST"]))
    for router in api.ROUTERS:
        app.include_router(router, prefix="/v1")
    app.add_middleware(RequestLog)
    if settings.serves_inbox:
        app.mount(INBOX_PATH, create_fcm_inbox(clock=clock))

    @app.get("/healthz", tags=["health"])
    def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok")

    @app.get("/readyz", tags=["health"], responses={503: {"model": Health}})
    def readyz(request: Request) -> Any:
        """The database answers and its schema is at the latest migration."""
        try:
            with request.app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = migrate.current_revision(request.app.state.engine)
        except Exception as error:  # any database failure means "not ready", with the reason
            return JSONResponse(
                {"status": "unavailable", "detail": f"database: {error.__class__.__name__}"}, 503
            )
        head = migrate.head_revision(settings.database_url)
        if current != head:
            return JSONResponse(
                {
                    "status": "unavailable",
                    "detail": f"schema at {current}, expected {head}: run `lookout db upgrade`",
                },
                503,
            )
        return Health(status="ready")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app


class RequestLog:
    """One `http.request` line per request with the route template, never the raw path or
    query string, which may hold plates (uvicorn's access log is switched off for this).

    Successful requests log at DEBUG: cameras post thousands of reads a second, and a line for
    each would cost more than storing them. Client errors log at INFO, server errors at WARNING.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            level = (
                logging.DEBUG if status < 400 else logging.INFO if status < 500 else logging.WARNING
            )
            if log.isEnabledFor(level):
                self._log(level, scope, status, started)

    @staticmethod
    def _log(level: int, scope: Scope, status: int, started: float) -> None:
        route = scope.get("route")
        log.log(
            level,
            "http.request",
            extra={
                "method": scope["method"],
                "route": getattr(route, "path", None) or scope.get("root_path", "") or "-",
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
