"""Fixtures of the lifecycle tests: short timers set by settings, pushes through the real
firebase-admin SDK to the FCM inbox, and a scene around a camera."""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from alerts.fcm import FcmSender
from app.clock import ManualClock
from app.settings import Settings
from tests.app.lifecycle.support import Scene, make_scene
from tests.servers import FcmServer

ESCALATE_P1_S, ESCALATE_P2_S = 30, 90
CONFIRM_URGENT_S, CONFIRM_ROUTINE_S = 120, 600


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two officers per ring, so a third is there for the next one."""
    return settings.changed(
        escalate_p1_s=ESCALATE_P1_S, escalate_p2_s=ESCALATE_P2_S,
        confirm_urgent_s=CONFIRM_URGENT_S, confirm_routine_s=CONFIRM_ROUTINE_S,
        routing_max_officers=2,
    )  # fmt: skip


@pytest.fixture
def sender(fcm: FcmServer) -> Iterator[FcmSender]:
    sender = FcmSender(
        credentials_path=fcm.credentials_path, fcm_url=fcm.base_url, timeout_s=5,
        app_name=f"test-{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    yield sender
    sender.close()


@pytest.fixture
def scene(
    client: TestClient, engine: Engine, clock: ManualClock, sender: FcmSender, fcm: FcmServer
) -> Scene:
    return make_scene(client, engine, clock, sender, fcm)
