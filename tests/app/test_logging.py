import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.logs import JsonFormatter
from tests.app.helpers import hits_of, hotlist_with_plate, make_world, officer_on_duty


def test_a_hit_logs_no_plate_at_info(
    client: TestClient,
    engine: Engine,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tools run earlier in the same process (import-linter) may configure logging with
    # disable_existing_loggers; this test needs ours on.
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name.startswith(("app", "alerts")):
            monkeypatch.setattr(logger, "disabled", False)
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    hotlist_with_plate(client, world, "7QPL555")
    with caplog.at_level(logging.INFO):
        response = client.post("/v1/reads", json={"plate": "7QPL555"}, headers=world.camera)
        client.get("/v1/alerts", headers=world.admin)
    assert hits_of(client, world.admin, response) == 1
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert any('"event": "alert.created"' in line for line in lines)
    assert not [line for line in lines if "7QPL555" in line]
