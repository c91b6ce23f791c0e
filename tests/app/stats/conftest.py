"""Fixtures of the statistics tests: Oakland's beats and five police areas imported before
the service starts (so reads are tagged with real beats), short escalation timers, pushes
through the real firebase-admin SDK to the FCM inbox, and a scene around a camera in Area 1."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.main import create_app
from app.settings import Settings
from tests.app.helpers import import_oakland_command

ESCALATE_P1_S = 30


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.changed(escalate_p1_s=ESCALATE_P1_S, routing_max_officers=2, first_push_p2=2)


@pytest.fixture
def client(settings: Settings, clock: ManualClock, engine: Engine) -> Iterator[TestClient]:
    import_oakland_command(engine, clock)
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client
