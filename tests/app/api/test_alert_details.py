"""`alert.details` is one typed model per alert kind: documented in the OpenAPI schema, and read
back from the stored JSON, alerts raised before a key was added included."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Alert
from tests.app.helpers import hotlist_with_plate, make_world

# The keys a hit's details had when alerts were first raised; later ones came with routing
# (beat, motion, trail ...) and with the matching engine (explanation, matching).
FIRST_HIT_KEYS = {
    "kind", "read_id", "hit_id", "entry_id", "hotlist_id", "list", "list_kind", "reason",
    "case_number", "plate_read", "plate_listed", "entry_state", "read_state", "match",
    "match_label", "warnings", "record_vehicle", "camera_vehicle", "camera", "heading_deg",
    "note",
}  # fmt: skip


def _schema(spec: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    name = ref["$ref"].removeprefix("#/components/schemas/")
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def test_openapi_documents_the_details_of_each_kind_of_alert(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    details = spec["components"]["schemas"]["AlertPublic"]["properties"]["details"]
    assert details["discriminator"]["propertyName"] == "kind"
    assert set(details["discriminator"]["mapping"]) == {"hotlist_hit", "bulletin"}
    hit, bulletin = (_schema(spec, ref) for ref in details["oneOf"])

    assert hit["title"] == "HotListHitDetails" and bulletin["title"] == "BulletinDetails"
    assert {"plate_read", "plate_listed", "match", "match_label", "warnings"} <= set(
        hit["required"]
    )
    assert hit["properties"]["plate_listed"]["type"] == "string"
    assert hit["properties"]["match"]["$ref"].endswith("/Quality")
    hit_point = _schema(spec, hit["properties"]["trail"]["items"])
    assert hit_point["properties"]["read_at"] == {
        "type": "string",
        "format": "date-time",
        "title": "Read At",
    }
    assert bulletin["properties"]["bulletin_id"]["type"] == "integer"
    assert "bulletin_id" in bulletin["required"]
    bulletin_point = _schema(spec, bulletin["properties"]["trail"]["items"])
    assert "description" in bulletin_point["properties"]["unknown"]


def test_an_alert_stored_before_newer_details_keys_still_loads_and_updates(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123")
    client.post("/v1/reads", json={"plate": "7ABC123", "state": "CA"}, headers=world.camera)
    alert_id = client.get("/v1/alerts", headers=world.admin).json()["data"][0]["id"]
    with transaction(engine) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.details = {k: v for k, v in alert.details.items() if k in FIRST_HIT_KEYS}
        session.add(alert)

    response = client.get(f"/v1/alerts/{alert_id}", headers=world.admin)
    assert response.status_code == 200, response.text
    details = response.json()["details"]
    assert (details["plate_listed"], details["match"]) == ("7ABC123", "exact")
    assert (details["explanation"], details["matching"], details["covert"]) == (None, None, None)
    assert details["trail"] == []
    assert client.get("/v1/alerts", headers=world.admin).json()["data"][0]["match"] == "exact"

    # The car is read again: the old alert takes the sighting and starts a trail.
    clock.advance(seconds=30)
    client.post("/v1/reads", json={"plate": "7ABC123", "state": "CA"}, headers=world.camera)
    again = client.get(f"/v1/alerts/{alert_id}", headers=world.admin).json()
    assert again["sightings"] == 2
    assert [p["plate"] for p in again["details"]["trail"]] == ["7ABC123"]
    assert again["details"]["matching"]["quality"] == "exact"
