"""The application factory: one FastAPI app per Settings, built fresh for every test."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alerts.fcm import FcmSender
from alerts.logsender import LogSender
from alerts.push import PushSender
from app import api, errors, logs, migrate, openapi, pages
from app.api import hotlists as hotlists_api
from app.api import intake as intake_api
from app.api import officers as officers_api
from app.api import reads as reads_api
from app.bodies import BodyGuard
from app.clock import Clock, system_clock
from app.deps import runtime_of
from app.devfcm.credentials import write_dev_service_account
from app.devfcm.inbox import create_fcm_inbox
from app.heap import freeze_startup_heap
from app.parameters import NulGuard, nul_problem
from app.runtime import Runtime
from app.schemas.common import Health
from app.settings import DEV_PROJECT_ID, Settings

log = logging.getLogger(__name__)

INBOX_PATH = "/fcm"
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def make_sender(settings: Settings) -> PushSender:
    """FCM through firebase-admin (to Google, or to an FCM-compatible URL), or the log."""
    push = settings.push
    if push.sender == "log":
        return LogSender()
    credentials = push.fcm_credentials
    if credentials is None:
        if push.fcm_url is None:
            log.warning("push.no_destination", extra={"detail": "no credentials and no FCM URL"})
            return LogSender()
        credentials = write_dev_service_account(
            settings.data_dir / "fcm-dev-service-account.json",
            token_uri=push.fcm_url.rstrip("/") + "/token",
            project_id=DEV_PROJECT_ID,
        )
    return FcmSender(
        credentials_path=credentials,
        fcm_url=push.fcm_url,
        timeout_s=push.fcm_timeout_s,
        app_name=f"lookout-{uuid.uuid4().hex[:8]}",
        public_url=settings.public_url,
    )


class Lookout(FastAPI):
    """The app, with `POST /v1/reads` taken before Starlette's and FastAPI's middleware
    stack (`ReadsFastPath`)."""

    fast_reads: "ReadsFastPath | None" = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.fast_reads is not None
            and scope["type"] == "http"
            and scope["path"] == "/v1/reads"
            and scope["method"] == "POST"
        ):
            await self.fast_reads(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class ReadsFastPath:
    """`POST /v1/reads`, the route every camera calls thousands of times a second, served past
    the eleven layers of middleware and routing every other request goes through. It gives the
    route what those layers give it, and nothing else: the request log line (`RequestLog`),
    the refusal of a NUL in the query (`NulGuard`), the body cap while it streams
    (`BodyGuard`), and the answers the app's exception handlers give (app/errors.py); anything
    else is a 500, re-raised for the server to log, as Starlette does."""

    def __init__(self, app: FastAPI, guard: BodyGuard) -> None:
        self._app, self._guard = app, guard
        self._route = Route("/v1/reads", reads_api.post_reads, methods=["POST"])
        self._logged = RequestLog(self._handle)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"], scope["route"] = self._app, self._route
        scope["endpoint"] = reads_api.post_reads  # the body cap is looked up by endpoint
        await self._logged(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = nul_problem(scope.get("path", ""), scope.get("query_string", b""))
        unmapped: Exception | None = None
        response: Response
        if problem is not None:
            response = JSONResponse({"detail": problem}, 422)
        else:
            try:
                request = Request(scope, self._guard.guarded(scope, receive))
                response = await reads_api.post_reads(request)
            except HTTPException as error:  # the body cap's 413
                response = JSONResponse(
                    {"detail": error.detail}, error.status_code, headers=error.headers
                )
            except RecursionError:
                response = JSONResponse({"detail": errors.NESTED_TOO_DEEPLY}, 400)
            except Exception as error:
                answer = errors.answer_of(error)
                if answer is None:
                    unmapped, response = error, PlainTextResponse("Internal Server Error", 500)
                else:
                    status, detail, headers = answer
                    response = JSONResponse({"detail": detail}, status, headers=headers)
        await response(scope, receive, send)
        if unmapped is not None:
            raise unmapped


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    sender: PushSender | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """The app. `freeze_heap`: a served process's startup heap leaves the garbage collector's
    scans once it has started (app/heap.py); tests, which start many apps in one process,
    leave it off."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        push = sender or make_sender(settings)
        runtime = Runtime.build(settings, clock=clock, sender=push)
        await asyncio.to_thread(runtime.start)
        app.state.runtime = runtime
        if freeze_heap:
            freeze_startup_heap()
        log.info(
            "lookout.started",
            extra={
                "database": make_url(settings.database_url).render_as_string(hide_password=True),
                "push": push.describe(),
                "worker": "embedded" if runtime.worker else "none (run `lookout worker`)",
                "beats": runtime.beats_from,
            },
        )
        try:
            yield
        finally:
            await asyncio.to_thread(runtime.stop)
            close = getattr(push, "close", None)
            if close and sender is None:
                await asyncio.to_thread(close)  # firebase-admin's close runs its own event loop

    app = Lookout(
        title="Lookout",
        version="0.1.0",
        summary="Plate reads, hot lists and bulletins become pushes on the right officer's phone.",
        lifespan=lifespan,
        docs_url=None,  # served by app/openapi.py from local assets
        redoc_url=None,
        # Lookout exports no OpenTelemetry; left on, FastAPI looks for a provider in the
        # environment on every request, a tenth of the cost of storing a read.
        telemetry=NO_TELEMETRY,
    )
    app.state.settings, app.state.clock = settings, clock
    errors.add_exception_handlers(app)
    openapi.install(app)
    # For the docs (and a request the fast path does not take, under a root path): served
    # by ReadsFastPath ahead of everything, the endpoint parsing and answering by itself.
    app.add_api_route(endpoint=reads_api.post_reads, **reads_api.POST_READS)
    for router in api.ROUTERS:
        app.include_router(router, prefix="/v1")
    pages.install(app)
    limits = body_limits(settings)
    app.add_middleware(BodyGuard, default_bytes=settings.max_body_bytes, limits=limits)
    app.fast_reads = ReadsFastPath(
        app, BodyGuard(app, default_bytes=settings.max_body_bytes, limits=limits)
    )
    app.add_middleware(NulGuard)
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
        engine = runtime_of(request).engine
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = migrate.current_revision(engine)
        except Exception as error:  # any database failure means "not ready", with the reason
            return JSONResponse(
                {"status": "unavailable", "detail": f"database: {error.__class__.__name__}"},
                503,
                headers={"Retry-After": str(errors.DATABASE_RETRY_AFTER_S)},
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


def create_app_from_environment() -> FastAPI:
    """The app of one of `lookout serve --workers N`'s processes: its settings from the
    environment, which `serve` has completed with what it decided (push inbox, worker)."""
    logs.configure()
    return create_app(Settings(), freeze_heap=True)


def body_limits(settings: Settings) -> dict[object, int]:
    """The routes with a cap of their own on request bodies, by endpoint; the others take
    `settings.max_body_bytes` (app/bodies.py)."""
    return (
        reads_api.BODY_LIMITS
        | hotlists_api.body_limits(settings.ingest.hotlist_import_max_bytes)
        | officers_api.BODY_LIMITS
        | intake_api.body_limits(settings.ingest.intake_max_body_bytes)
        | pages.body_limits(settings.ingest.hotlist_import_max_bytes)
    )


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
