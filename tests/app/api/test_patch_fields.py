"""A change sends only the fields it changes. A field that always has a value (a list's name,
a bulletin's kind, a person's role) may be left out but not sent as null: a clear 422 naming
it, and nothing changed (found by the API fuzzing, where null gave a 500)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.bulletins import support as bulletins
from tests.app.helpers import make_world


@pytest.mark.parametrize("field", ["name", "priority", "is_active"])
def test_a_hot_list_field_that_always_has_a_value_cannot_be_cleared(
    client: TestClient, engine: Engine, clock: ManualClock, field: str
) -> None:
    world = make_world(engine, clock)
    created = client.post(
        "/v1/hotlists", json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
        headers=world.admin,
    ).json()  # fmt: skip
    answer = client.patch(f"/v1/hotlists/{created['id']}", json={field: None}, headers=world.admin)
    assert answer.status_code == 422
    assert f"{field} cannot be null" in answer.json()["detail"]
    after = client.get(f"/v1/hotlists/{created['id']}", headers=world.admin).json()
    assert after[field] == created[field]
    # Clearing what may be empty still works.
    cleared = client.patch(
        f"/v1/hotlists/{created['id']}", json={"description": None, "priority": 3},
        headers=world.admin,
    )  # fmt: skip
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["priority"] == 3


@pytest.mark.parametrize("field", ["name", "is_active", "may_create_cameras"])
def test_a_camera_field_that_always_has_a_value_cannot_be_cleared(
    client: TestClient, engine: Engine, clock: ManualClock, field: str
) -> None:
    world = make_world(engine, clock)
    answer = client.patch(f"/v1/cameras/{world.camera_id}", json={field: None}, headers=world.admin)
    assert answer.status_code == 422
    assert f"{field} cannot be null" in answer.json()["detail"]
    unplaced = client.patch(
        f"/v1/cameras/{world.camera_id}", json={"lat": None, "lon": None}, headers=world.admin
    )
    assert unplaced.status_code == 200, unplaced.text


@pytest.mark.parametrize("field", ["role", "is_active"])
def test_a_person_field_that_always_has_a_value_cannot_be_cleared(
    client: TestClient, engine: Engine, clock: ManualClock, field: str
) -> None:
    world = make_world(engine, clock)
    with transaction(engine) as session:
        officer, _ = factories.make_user(session, role=Role.OFFICER, now=clock())
    change: dict[str, Any] = {field: None, "reason": "fuzzed"}
    answer = client.patch(f"/v1/users/{officer.id}", json=change, headers=world.admin)
    assert answer.status_code == 422
    assert f"{field} cannot be null" in answer.json()["detail"]


@pytest.mark.parametrize("field", ["kind", "priority", "occurred_at", "area"])
def test_a_bulletin_field_that_always_has_a_value_cannot_be_cleared(
    client: TestClient, engine: Engine, clock: ManualClock, field: str
) -> None:
    headers = bulletins.dispatcher(engine, clock)
    posted = bulletins.post(client, headers)
    answer = client.patch(f"/v1/bulletins/{posted['id']}", json={field: None}, headers=headers)
    assert answer.status_code == 422
    assert f"{field} cannot be null" in answer.json()["detail"]
    after = client.get(f"/v1/bulletins/{posted['id']}", headers=headers).json()
    assert after["version"] == posted["version"]
