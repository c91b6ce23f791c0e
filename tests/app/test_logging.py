import logging

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.auth.credentials import hash_secret
from app.clock import ManualClock
from app.db import transaction
from app.logs import JsonFormatter
from app.main import create_app
from app.settings import DEV_SECRET, Settings
from tests import factories
from tests.app.helpers import hits_of, hotlist_with_plate, make_world, officer_on_duty
from tests.servers import serve_in_thread


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


def _refuse_inserts(engine: Engine, *tables: str) -> None:
    """Make every new row of `tables` fail in the database, as a full disk or a broken
    constraint would: PostgreSQL then quotes the row in its error ("Failing row contains")."""
    with engine.begin() as connection:
        for table in tables:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(
                    f"ALTER TABLE {table} ADD CONSTRAINT refuse_{table} CHECK (false) NOT VALID"
                )
            else:
                connection.exec_driver_sql(
                    f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )


def test_database_errors_log_no_plate_token_key_or_hash(
    settings: Settings,
    engine: Engine,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real server whose database refuses writes, then loses the tables that hold people
    and cameras: every line logged at INFO and above, tracebacks included, is free of the
    plate, the device token, the credentials, their hashes and their hints."""
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name.startswith(("app", "alerts", "uvicorn")):
            monkeypatch.setattr(logger, "disabled", False)
    world = make_world(engine, clock)
    plate, phone = "7LEAK77", "fcm-registration-token-XK42QZ"
    with (
        serve_in_thread(create_app(settings, clock=clock)) as base,
        # uvicorn closes a connection whose request ended in a 500: one connection each.
        httpx.Client(base_url=base, timeout=30, headers={"Connection": "close"}) as api,
        caplog.at_level(logging.INFO),
    ):
        # The server has loaded the cameras it knows (one read); this one it must look up.
        assert api.post("/v1/reads", json={"plate": "5OTHER5"}, headers=world.camera).is_success
        with transaction(engine) as session:
            _, second_key = factories.make_camera(session, now=clock())
        secrets = [plate, phone, phone[-6:], world.admin_token, world.camera_key, second_key,
                   "lku_", "lkc_"]  # fmt: skip
        secrets += [hash_secret(s, pepper=DEV_SECRET) for s in (world.admin_token, second_key)]
        _refuse_inserts(engine, "plate_read", "audit_log", "app_user")
        read = api.post("/v1/reads", json={"plate": plate}, headers=world.camera)
        assert read.status_code == 503  # the writer's failure: retry later
        search = {"plate": plate, "purpose": "stolen car report"}
        assert api.get("/v1/reads", params=search, headers=world.admin).status_code == 500
        device = {"token": phone, "platform": "android"}
        assert api.post("/v1/devices", json=device, headers=world.admin).status_code == 500
        person = {"name": "Officer Diaz", "role": "officer"}
        assert api.post("/v1/users", json=person, headers=world.admin).status_code == 500
        with engine.begin() as connection:  # where credentials are looked up
            connection.exec_driver_sql("ALTER TABLE app_user RENAME TO app_user_gone")
            connection.exec_driver_sql("ALTER TABLE camera RENAME TO camera_gone")
        assert api.get("/v1/alerts", headers=world.admin).status_code == 500
        second = api.post("/v1/reads", json={"plate": plate}, headers={"X-API-Key": second_key})
        assert second.status_code == 500
    formatter = JsonFormatter()
    # Not the service's lines: this test's HTTP client, and uvicorn's access log, which
    # `lookout serve` switches off (tests/servers.py leaves it on).
    theirs = ("httpx", "httpcore", "uvicorn.access")
    lines = [
        formatter.format(r)
        for r in caplog.records
        if r.levelno >= logging.INFO and not r.name.startswith(theirs)
    ]
    assert sum('"exc": ' in line for line in lines) >= 5, lines  # the failures were logged
    leaks = {secret: [line for line in lines if secret in line] for secret in secrets}
    assert {secret: found for secret, found in leaks.items() if found} == {}
