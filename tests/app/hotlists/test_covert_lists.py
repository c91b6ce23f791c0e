"""A covert list, its entries and its hits are seen only by the list's owner, supervisors and
admins; to dispatchers and auditors the list does not exist (DOMAIN.md 3.6)."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role, User
from tests import factories
from tests.app.helpers import bearer, make_world

PURPOSE = {"purpose": "weekly list review"}


def test_dispatchers_and_auditors_never_see_a_covert_list_or_its_entries(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    with transaction(engine) as session:
        _, owner_token = factories.make_user(session, role=Role.SUPERVISOR, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        _, auditor = factories.make_user(session, role=Role.AUDITOR, now=clock())
        _, supervisor = factories.make_user(session, role=Role.SUPERVISOR, now=clock())
    covert = client.post(
        "/v1/hotlists",
        json={"name": "Op Nightjar", "kind": "covert", "priority": 1},
        headers=bearer(owner_token),
    ).json()["id"]
    added = client.post(
        f"/v1/hotlists/{covert}/entries",
        json=[{"plate": "7COV123", "reason": "Subject of inquiry", "case_number": "24-9999"}],
        headers=bearer(owner_token),
    )
    assert added.status_code == 201, added.text
    stolen = client.post(
        "/v1/hotlists",
        json={"name": "Stolen", "kind": "stolen_vehicle", "priority": 2},
        headers=world.admin,
    ).json()["id"]

    for token in (dispatcher, auditor):
        listed = client.get("/v1/hotlists", headers=bearer(token))
        assert [h["id"] for h in listed.json()] == [stolen], listed.text
        assert "Nightjar" not in listed.text
        one = client.get(f"/v1/hotlists/{covert}", headers=bearer(token))
        assert one.status_code == 404
        assert one.json()["detail"] == f"no hot list with id {covert}"
        entries = client.get(
            f"/v1/hotlists/{covert}/entries", params=PURPOSE, headers=bearer(token)
        )
        assert entries.status_code == 404
        assert "7COV123" not in entries.text
        assert client.get(f"/v1/hotlists/{stolen}", headers=bearer(token)).status_code == 200

    for token in (owner_token, supervisor, world.admin_token):
        listed = client.get("/v1/hotlists", headers=bearer(token)).json()
        assert {h["id"] for h in listed} == {covert, stolen}
        assert client.get(f"/v1/hotlists/{covert}", headers=bearer(token)).json()["entries"] == 1
        entries = client.get(
            f"/v1/hotlists/{covert}/entries", params=PURPOSE, headers=bearer(token)
        ).json()
        assert [(e["plate"], e["case_number"]) for e in entries] == [("7COV123", "24-9999")]


def test_the_owner_keeps_seeing_their_covert_list_in_another_role(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    with transaction(engine) as session:
        owner, token = factories.make_user(session, role=Role.SUPERVISOR, now=clock())
    covert = client.post(
        "/v1/hotlists",
        json={"name": "Op Heron", "kind": "covert", "priority": 1},
        headers=bearer(token),
    ).json()["id"]
    with transaction(engine) as session:
        demoted = session.get(User, owner.id)
        assert demoted is not None
        demoted.role = Role.DISPATCHER
    assert client.get(f"/v1/hotlists/{covert}", headers=bearer(token)).status_code == 200
    assert [h["id"] for h in client.get("/v1/hotlists", headers=bearer(token)).json()] == [covert]
