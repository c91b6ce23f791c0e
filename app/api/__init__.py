"""The /v1 API: one router per resource."""

from fastapi import APIRouter

from app.api import (
    admin,
    alerts,
    audit,
    beats,
    bulletins,
    cameras,
    hotlists,
    intake,
    officers,
    reads,
)

router = APIRouter()
router.include_router(reads.router)
router.include_router(intake.router)
router.include_router(cameras.router)
router.include_router(hotlists.router)
router.include_router(officers.router)
router.include_router(alerts.router)
router.include_router(admin.router)
router.include_router(audit.router)
router.include_router(beats.router)
router.include_router(bulletins.router)
