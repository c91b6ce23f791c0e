"""A camera key is no hot-list oracle: the answer to a read of a listed plate, covert lists
included, is the answer to any read (the hit shows only to people, through the alerts)."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from tests.app.helpers import World, bearer, hits_of, hotlist_with_plate, make_world
from tests.app.intake.support import alpr_group, make_site, post


def _covert_list(client: TestClient, world: World, plate: str) -> None:
    listed = client.post(
        "/v1/hotlists",
        json={"name": "Op Kestrel", "kind": "covert", "priority": 1},
        headers=world.admin,
    ).json()
    added = client.post(
        f"/v1/hotlists/{listed['id']}/entries", json=[{"plate": plate}], headers=world.admin
    )
    assert added.status_code == 201, added.text


def test_a_read_of_a_listed_plate_is_answered_like_any_other(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7LST123")
    _covert_list(client, world, "7COV456")
    answers = {
        plate: client.post("/v1/reads", json={"plate": plate}, headers=world.camera)
        for plate in ("7LST123", "7COV456", "7NOT789")
    }
    shapes = {plate: sorted(a.json()) for plate, a in answers.items()}
    assert shapes == {plate: ["accepted", "read_ids"] for plate in answers}
    assert [hits_of(client, world.admin, a) for a in answers.values()] == [1, 1, 0]


def test_vendor_intake_tells_a_camera_nothing_of_matches(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    site = make_site(engine, clock)
    world = World(site.admin_token, site.key, site.camera_id)
    _covert_list(client, world, "D2651BF")  # the plate of the OpenALPR sample
    answer = post(client, "openalpr", alpr_group(), site)
    assert answer.status_code == 202, answer.text
    assert "hits" not in answer.json()
    assert hits_of(client, bearer(site.admin_token), answer) == 1


def test_the_api_schema_promises_cameras_no_match_count(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "hits" not in schemas["ReadsAccepted"]["properties"]
    assert "hits" not in schemas["IntakeAccepted"]["properties"]
