from datetime import timedelta

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.migrate import alembic_config
from app.models import Role
from tests import factories
from tests.app.helpers import bearer, make_world


def test_a_plate_search_needs_a_purpose_and_is_audited(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    for minutes in (3, 2, 1):
        read_at = (clock() - timedelta(minutes=minutes)).isoformat()
        client.post(
            "/v1/reads", json={"plate": "7ABC123", "read_at": read_at}, headers=world.camera
        )
    client.post("/v1/reads", json={"plate": "6OTHER6"}, headers=world.camera)
    with transaction(engine) as session:
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        _, officer = factories.make_user(session, role=Role.OFFICER, now=clock())

    no_purpose = client.get("/v1/reads", params={"plate": "7ABC123"}, headers=bearer(dispatcher))
    assert no_purpose.status_code == 422 and "purpose" in no_purpose.json()["detail"]
    assert (
        client.get(
            "/v1/reads", params={"plate": "7ABC123", "purpose": "x" * 5}, headers=bearer(officer)
        ).status_code
        == 403
    )

    found = client.get(
        "/v1/reads",
        params={"plate": "7abc 123", "purpose": "robbery follow-up", "case_number": "24-0099"},
        headers=bearer(dispatcher),
    )
    assert found.status_code == 200
    times = [r["read_at"] for r in found.json()]
    assert len(times) == 3 and times == sorted(times, reverse=True)

    log = client.get(
        "/v1/audit", params={"action": "read.search", "verify": True}, headers=world.admin
    ).json()
    assert log["chain_intact"] is True
    [search] = log["data"]
    assert (search["plate"], search["purpose"], search["actor_role"]) == (
        "7ABC123",
        "robbery follow-up",
        "dispatcher",
    )
    assert search["detail"]["case_number"] == "24-0099" and search["detail"]["results"] == 3
    assert client.get("/v1/audit", headers=bearer(dispatcher)).status_code == 403
    views = client.get("/v1/audit", params={"action": "audit.view"}, headers=world.admin).json()
    assert views["count"] == 1  # the first look at the log was itself recorded


def test_readiness_reports_the_schema(client: TestClient, database_url: str) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").json()["status"] == "ready"
    command.downgrade(alembic_config(database_url), "base")
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert "lookout db upgrade" in behind.json()["detail"]
