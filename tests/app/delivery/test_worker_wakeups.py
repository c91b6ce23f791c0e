"""Every commit that queues a push wakes the embedded push worker: a bulletin, a historical hit
found when an entry is added, not only the ingest writer. The worker here polls once a minute,
so a push that reaches the FCM inbox within seconds was sent because the worker was woken."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.main import create_app
from app.settings import Settings
from tests.app.bulletins.support import NEAR, dispatcher, post
from tests.app.helpers import hits_of, hotlist_with_plate, make_world, officer_on_duty
from tests.servers import FcmServer

WAKE_DEADLINE_S = 10.0  # far below the 60 s poll


@pytest.fixture
def slow_poll_client(
    settings: Settings, fcm: FcmServer, clock: ManualClock
) -> Iterator[TestClient]:
    settings = settings.changed(embedded_worker=True, worker_poll_s=60)
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client


def test_a_bulletins_first_push_goes_out_without_waiting_for_the_poll(
    slow_poll_client: TestClient, engine: Engine, clock: ManualClock, fcm: FcmServer
) -> None:
    _, _, phone = officer_on_duty(slow_poll_client, engine, clock, lat=NEAR[0], lon=NEAR[1])

    bulletin = post(slow_poll_client, dispatcher(engine, clock))

    [message] = fcm.wait_for(1, timeout_s=WAKE_DEADLINE_S)
    assert message["message"]["token"] == phone  # type: ignore[index]
    assert message["message"]["data"]["action"] == "new"  # type: ignore[index]
    assert message["message"]["data"]["bulletin_id"] == str(bulletin["id"])  # type: ignore[index]


def test_a_historical_hit_found_when_an_entry_is_added_goes_out_at_once(
    slow_poll_client: TestClient, engine: Engine, clock: ManualClock, fcm: FcmServer
) -> None:
    world = make_world(engine, clock)
    _, _, phone = officer_on_duty(slow_poll_client, engine, clock, lat=37.8050, lon=-122.2712)
    seen_at = (clock() - timedelta(minutes=3)).isoformat()
    read = slow_poll_client.post(
        "/v1/reads", json={"plate": "6HIS001", "state": "CA", "read_at": seen_at},
        headers=world.camera,
    )  # fmt: skip
    assert hits_of(slow_poll_client, world.admin, read) == 0

    hotlist_with_plate(slow_poll_client, world, "6HIS001")  # the retro check finds the read

    [message] = fcm.wait_for(1, timeout_s=WAKE_DEADLINE_S)
    assert message["message"]["token"] == phone  # type: ignore[index]
    assert message["message"]["data"]["plate"] == "6HIS001"  # type: ignore[index]
