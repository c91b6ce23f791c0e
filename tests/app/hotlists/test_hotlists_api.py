from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.helpers import bearer, hits_of, make_world

CSV = b"""Plate,State,Reason,Case,Expires,Make,Model,Color,Year
7ABC123,CA,Stolen vehicle,24-0001,2099-01-31,Honda,Civic,silver,2016
###,CA,Bad plate,24-0002,,,,,
6DEF456,ZZ,Bad state,24-0003,,,,,
5GHI789,,No state,24-0004,2000-01-01,,,,
4JKL012,NV,Armed robbery,24-0005,,Toyota,Camry,white,2012
"""


def _new_list(client: TestClient, headers: dict[str, str], **body: object) -> int:
    response = client.post(
        "/v1/hotlists",
        json={"name": factories.unique("list"), "kind": "stolen_vehicle", "priority": 2} | body,
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_csv_import_keeps_valid_rows_and_reports_each_problem(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/import",
        files={"file": ("stolen.csv", CSV, "text/csv")},
        headers=world.admin,
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["rows"], report["added"], report["expired"]) == (5, 3, 1)
    problems = {(p["kind"], tuple(p["lines"])) for p in report["problems"]}
    assert ("unparseable_plate", (3,)) in problems
    assert ("bad_state", (4,)) in problems  # kept, with no state
    assert ("expired", (5,)) in problems
    assert ("no_state", (5,)) in problems
    look = {"purpose": "check import"}
    entries = client.get(f"/v1/hotlists/{hotlist_id}/entries", params=look, headers=world.admin)
    assert [(e["plate"], e["state"], e["vehicle"]["make"]) for e in entries.json()] == [
        ("7ABC123", "CA", "Honda"),
        ("6DEF456", None, None),
        ("4JKL012", "NV", "Toyota"),
    ]
    assert entries.json()[0]["expires_at"].startswith("2099-02-01T07:59:59")  # end of day, PST
    hit = client.post("/v1/reads", json={"plate": "4JKL012", "state": "NV"}, headers=world.camera)
    assert hits_of(client, world.admin, hit) == 1


def test_a_csv_without_a_plate_column_is_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/import",
        files={"file": ("x.csv", b"tag_number,state\nABC,CA\n", "text/csv")},
        headers=world.admin,
    )
    assert response.status_code == 422
    assert "no plate column" in response.json()["detail"]


def test_json_entries_are_all_or_nothing(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    response = client.post(
        f"/v1/hotlists/{hotlist_id}/entries",
        json=[{"plate": "7ABC123"}, {"plate": "7ABC124", "expires_at": "2020-01-01T00:00:00Z"}],
        headers=world.admin,
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("[1]")
    assert client.get(f"/v1/hotlists/{hotlist_id}", headers=world.admin).json()["entries"] == 0


def test_bad_hot_lists_get_422_and_duplicates_409(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    bad = client.post(
        "/v1/hotlists",
        json={"name": "x", "kind": "stolen_vehicle", "priority": 7},
        headers=world.admin,
    )
    assert bad.status_code == 422 and "priority" in bad.json()["detail"]
    client.post(
        "/v1/hotlists", json={"name": "Dup", "kind": "local", "priority": 3}, headers=world.admin
    )
    dup = client.post(
        "/v1/hotlists", json={"name": "Dup", "kind": "local", "priority": 3}, headers=world.admin
    )
    assert dup.status_code == 409
    assert client.get("/v1/hotlists/999", headers=world.admin).status_code == 404


def test_only_admins_and_supervisors_manage_hot_lists(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    with transaction(engine) as session:
        _, officer = factories.make_user(session, role=Role.OFFICER, now=clock())
        _, supervisor = factories.make_user(session, role=Role.SUPERVISOR, now=clock())
        _, dispatcher = factories.make_user(session, role=Role.DISPATCHER, now=clock())
    body = {"name": factories.unique("list"), "kind": "local", "priority": 3}
    refused = client.post("/v1/hotlists", json=body, headers=bearer(officer))
    assert refused.status_code == 403 and "officer" in refused.json()["detail"]
    assert client.post("/v1/hotlists", json=body, headers=bearer(dispatcher)).status_code == 403
    assert client.post("/v1/hotlists", json=body, headers=bearer(supervisor)).status_code == 201
    assert client.get("/v1/hotlists", headers=bearer(dispatcher)).status_code == 200
    assert client.get("/v1/hotlists", headers=bearer(officer)).status_code == 403
    assert client.get("/v1/hotlists").status_code == 401


def test_a_plate_already_listed_is_not_added_twice(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = _new_list(client, world.admin)
    url = f"/v1/hotlists/{hotlist_id}/entries"
    first = client.post(url, json=[{"plate": "7ABC123", "state": "CA"}], headers=world.admin).json()
    again = client.post(
        url,
        json=[{"plate": "7abc-123", "state": "CA"}, {"plate": "7ABC123", "state": "NV"}],
        headers=world.admin,
    ).json()
    assert (again["added"], again["already_listed"]) == (1, first["entry_ids"])
    hits = client.post("/v1/reads", json={"plate": "7ABC123", "state": "CA"}, headers=world.camera)
    assert hits_of(client, world.admin, hits) == 1  # one car, one alert
