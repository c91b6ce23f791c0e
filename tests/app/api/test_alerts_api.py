from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app import audit
from app.audit import keys
from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog
from app.settings import Settings
from tests.app.helpers import bearer, hotlist_with_plate, make_world, officer_on_duty


def test_officers_see_and_acknowledge_only_their_own_alerts(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=37.8044, lon=-122.2712)
    _, near, _ = officer_on_duty(client, engine, clock, lat=37.8050, lon=-122.2712)
    _, far, _ = officer_on_duty(client, engine, clock, lat=38.2, lon=-122.2712)
    hotlist_with_plate(client, world, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)

    mine = client.get("/v1/alerts", headers=bearer(near)).json()
    assert mine["count"] == 1
    alert_id = mine["data"][0]["id"]
    assert client.get("/v1/alerts", headers=bearer(far)).json()["count"] == 0
    assert client.get(f"/v1/alerts/{alert_id}", headers=bearer(far)).status_code == 404
    assert client.post(f"/v1/alerts/{alert_id}/ack", headers=bearer(far)).status_code == 404
    assert client.post(f"/v1/alerts/{alert_id}/ack", headers=world.admin).status_code == 403

    detail = client.get(f"/v1/alerts/{alert_id}", headers=bearer(near)).json()
    assert detail["details"]["plate_read"] == "7ABC123"
    assert detail["details"]["plate_listed"] == "7ABC123"
    assert detail["details"]["match_label"] == "EXACT"
    assert detail["details"]["list_kind"] == "stolen_vehicle"
    first = client.post(f"/v1/alerts/{alert_id}/ack", headers=bearer(near)).json()
    clock.advance(seconds=30)
    again = client.post(f"/v1/alerts/{alert_id}/ack", headers=bearer(near)).json()
    assert first["acknowledged_at"] == again["acknowledged_at"]
    assert client.get("/v1/alerts/424242", headers=world.admin).status_code == 404


def test_every_alert_view_is_audited_in_an_unbroken_chain(
    client: TestClient, engine: Engine, clock: ManualClock, settings: Settings
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123"}, headers=world.camera)
    alert_id = client.get("/v1/alerts", headers=world.admin).json()["data"][0]["id"]
    client.get(f"/v1/alerts/{alert_id}", headers=world.admin)
    with transaction(engine) as session:
        views = session.scalars(select(AuditLog).where(AuditLog.action == "alert.view")).all()
        assert [(v.object_id, v.plate, v.actor_role) for v in views] == [
            (str(alert_id), "7ABC123", "admin")
        ]
        key = keys.for_settings(settings)
        assert audit.verify(session, key=key, checkpoint_file=None).intact
        # Tampering with any row breaks the chain at that row.
        row = session.scalars(select(AuditLog).order_by("id")).first()
        assert row is not None
        row.purpose = "edited later"
        session.flush()
        assert audit.verify(session, key=key, checkpoint_file=None).first_bad_row_id == row.id
