"""Pages for people, served by the service itself: /signin, the officer's phone view (/m/),
the dispatcher's console (/console), the commanders' dashboards (/command) and /admin.

Server-rendered (Jinja2) with a little plain JavaScript; live over Server-Sent Events
(app/pages/live.py); Leaflet from the xstatic-leaflet wheel, served here, so nothing comes
from the internet.
"""

from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.bodies import Refused
from app.deps import runtime_of
from app.pages import admin, command, console, maps, officer, signin
from app.pages.web import PageRefused, SignInNeeded, render, signin_url

body_limits = admin.body_limits  # a hot-list file (app/bodies.py)
ROUTERS = (signin.router, officer.router, console.router, command.router, admin.router, maps.router)
STATIC = Path(__file__).parent / "static"
PAGE_ENDPOINTS = frozenset(
    route.endpoint for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)
)


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/pages", StaticFiles(directory=STATIC), name="pages-static")

    @app.exception_handler(SignInNeeded)
    async def to_signin(request: Request, error: SignInNeeded) -> Response:
        if request.headers.get("accept", "").startswith("text/event-stream"):
            return Response("signed out", status_code=401)
        if error.next_path == "/signin/password":
            return RedirectResponse(error.next_path, status_code=303)
        return RedirectResponse(signin_url(error.next_path), status_code=303)

    @app.exception_handler(Refused)
    async def body_refused(request: Request, error: Refused) -> Response:
        """A body refused before it was read (too large): on a page, a page that says so."""
        if request.scope.get("endpoint") not in PAGE_ENDPOINTS:
            return await http_exception_handler(request, error)
        detail = str(error.detail)
        if error.status_code == 413 and request.scope.get("endpoint") is admin.import_hotlist:
            limit = runtime_of(request).settings.ingest.hotlist_import_max_bytes
            detail = admin.too_big("The file is too large", limit)
        return render(request, "refused.html", None, status_code=error.status_code,
                      detail=detail)  # fmt: skip

    @app.exception_handler(PageRefused)
    async def refused(request: Request, error: PageRefused) -> Response:
        return render(request, "refused.html", None, status_code=error.status, detail=error.detail)
