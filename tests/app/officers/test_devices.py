"""A phone's FCM token belongs to one account: another account cannot take it over by
registering it again; it moves only when its owner retires it or a supervisor or admin moves
it, only to an officer, and every step is in the audit log."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog, Device, Role
from tests import factories
from tests.app.helpers import bearer, make_world

PHONE = {"token": "fcm-token-of-diaz-0001", "platform": "android"}


def _owner_of(engine: Engine, token: str) -> tuple[int, bool]:
    with transaction(engine) as session:
        device = session.scalars(select(Device).where(Device.token == token)).one()
        return device.user_id, device.is_active


def _audited(engine: Engine, action: str) -> list[AuditLog]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action).order_by("id"))
        return list(rows)


def test_another_account_cannot_take_over_a_phone_by_registering_its_token(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    with transaction(engine) as session:
        diaz, diaz_token = factories.make_user(session, role=Role.OFFICER, now=clock())
        _, intruder = factories.make_user(session, role=Role.OFFICER, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    assert client.post("/v1/devices", json=PHONE, headers=bearer(diaz_token)).status_code == 201
    for token in (intruder, dispatcher):
        taken = client.post("/v1/devices", json=PHONE, headers=bearer(token))
        assert taken.status_code == 409
        assert "registered to another account" in taken.json()["detail"]
    assert _owner_of(engine, PHONE["token"]) == (diaz.id, True)
    again = client.post("/v1/devices", json=PHONE, headers=bearer(diaz_token))
    assert again.status_code == 201  # the owner refreshing it is fine
    registered = _audited(engine, "device.register")
    assert [(r.actor_id, r.detail["outcome"]) for r in registered] == [
        (diaz.id, "new"),
        (diaz.id, "refreshed"),
    ]
    assert all(PHONE["token"] not in str(r.detail) for r in registered)  # only the hint


def test_a_phone_its_owner_retired_may_be_registered_by_another_officer_only(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    with transaction(engine) as session:
        _, first = factories.make_user(session, role=Role.OFFICER, now=clock())
        second, second_token = factories.make_user(session, role=Role.OFFICER, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    device_id = client.post("/v1/devices", json=PHONE, headers=bearer(first)).json()["id"]
    assert client.delete(f"/v1/devices/{device_id}", headers=bearer(first)).status_code == 204
    refused = client.post("/v1/devices", json=PHONE, headers=bearer(dispatcher))
    assert refused.status_code == 409
    assert "only to an officer" in refused.json()["detail"]
    taken = client.post("/v1/devices", json=PHONE, headers=bearer(second_token))
    assert taken.status_code == 201
    assert _owner_of(engine, PHONE["token"]) == (second.id, True)
    [retired] = _audited(engine, "device.retire")
    assert retired.object_id == str(device_id)
    last = _audited(engine, "device.register")[-1]
    assert (last.actor_id, last.detail["outcome"]) == (second.id, "taken over")


def test_a_supervisor_moves_a_phone_to_an_officer_with_a_reason(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    with transaction(engine) as session:
        first, first_token = factories.make_user(session, role=Role.OFFICER, now=clock())
        second, second_token = factories.make_user(session, role=Role.OFFICER, now=clock())
        gateway, _ = factories.make_user(session, role=Role.GATEWAY, now=clock())
        supervisor, supervisor_token = factories.make_user(
            session, role=Role.SUPERVISOR, now=clock()
        )
    device_id = client.post("/v1/devices", json=PHONE, headers=bearer(first_token)).json()["id"]
    move = {"user_id": second.id, "reason": "car 12 phone, shift change"}
    forbidden = client.post(f"/v1/devices/{device_id}/move", json=move, headers=bearer(first_token))
    assert forbidden.status_code == 403
    to_gateway = client.post(
        f"/v1/devices/{device_id}/move",
        json=move | {"user_id": gateway.id},
        headers=world.admin,
    )
    assert to_gateway.status_code == 409
    assert "only to an officer" in to_gateway.json()["detail"]
    moved = client.post(
        f"/v1/devices/{device_id}/move", json=move, headers=bearer(supervisor_token)
    )
    assert moved.status_code == 200, moved.text
    assert _owner_of(engine, PHONE["token"]) == (second.id, True)
    assert client.get("/v1/me/devices", headers=bearer(first_token)).json() == []
    assert [d["id"] for d in client.get("/v1/me/devices", headers=bearer(second_token)).json()] == [
        device_id
    ]
    [audited] = _audited(engine, "device.move")
    assert (audited.actor_id, audited.purpose) == (supervisor.id, "car 12 phone, shift change")
    assert (audited.detail["from_user_id"], audited.detail["to_user_id"]) == (first.id, second.id)
