"""The /v1 API: one router per resource, each included straight into the app (a router of
routers adds a matching step to every request, and /v1/reads is the hot path)."""

from fastapi import APIRouter

from app.api import (
    admin,
    alerts,
    audit,
    auth,
    beats,
    bulletins,
    cameras,
    confirmations,
    hotlists,
    intake,
    officers,
    reads,
    squads,
    stats,
)

ROUTERS: tuple[APIRouter, ...] = (
    reads.router,
    intake.router,
    cameras.router,
    hotlists.router,
    officers.router,
    alerts.router,
    confirmations.router,
    admin.router,
    auth.router,
    audit.router,
    beats.router,
    bulletins.router,
    squads.router,
    stats.router,
)
