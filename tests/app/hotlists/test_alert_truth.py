"""Every alert tells the truth about time: an old read is never pushed as live, a read from a
wrong clock is refused, a late read never moves an alert backwards, and a merged read never
forgets what was known. Through the public API, on both databases."""

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Delivery
from tests.app.helpers import World, hits_of, hotlist_with_plate, make_world, officer_on_duty
from tests.app.intake.support import alpr_group, make_site

NEAR = (37.8050, -122.2712)  # beside the world's camera


def _deliveries(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Delivery)) or 0)


def _read(client: TestClient, world: World, **read: object) -> dict[str, object]:
    """The camera's answer, with `hits` as an admin sees them (the camera is told none)."""
    response = client.post("/v1/reads", json=read, headers=world.camera)
    return dict(response.json()) | {"hits": hits_of(client, world.admin, response)}


def _alerts(client: TestClient, world: World) -> list[dict[str, object]]:
    return list(client.get("/v1/alerts", headers=world.admin).json()["data"])


def _alert(client: TestClient, world: World, alert_id: object) -> dict[str, object]:
    return dict(client.get(f"/v1/alerts/{alert_id}", headers=world.admin).json())


def test_a_read_older_than_the_push_window_reaches_dispatch_but_no_phone(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    hotlist_with_plate(client, world, "7OLD001")
    three_hours_ago = (clock() - timedelta(hours=3)).isoformat()

    assert _read(client, world, plate="7OLD001", state="CA", read_at=three_hours_ago)["hits"] == 1

    [summary] = _alerts(client, world)
    assert summary["kind"] == "historical_hit"
    assert str(summary["title"]).startswith("P2 Historical hit, read 3 h ago: 7OLD001 (CA)")
    alert = _alert(client, world, summary["id"])
    assert alert["notified"] == [] and _deliveries(engine) == 0
    assert any("HISTORICAL HIT: read 3 h ago, received late" in w
               for w in alert["details"]["warnings"])  # type: ignore[index]  # fmt: skip


def test_a_read_within_the_push_window_is_still_pushed(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    hotlist_with_plate(client, world, "7NEW001")
    five_min_ago = (clock() - timedelta(minutes=5)).isoformat()
    assert _read(client, world, plate="7NEW001", state="CA", read_at=five_min_ago)["hits"] == 1
    assert _alerts(client, world)[0]["kind"] == "hotlist_hit"
    assert _deliveries(engine) == 1


def test_a_read_from_a_wrong_clock_is_refused_saying_why(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    for stamp in ("1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                  (clock() - timedelta(days=45)).isoformat()):  # fmt: skip
        response = client.post(
            "/v1/reads", json={"plate": "7CLK001", "read_at": stamp}, headers=world.camera
        )
        assert response.status_code == 422, stamp
        assert "more than 30 days ago" in response.json()["detail"]
    batch = {
        "reads": [{"plate": "7CLK002"}, {"plate": "7CLK003", "read_at": "1970-01-01T00:00:00Z"}]
    }
    refused = client.post("/v1/reads", json=batch, headers=world.camera)
    assert refused.status_code == 422 and "reads[1].read_at" in refused.json()["detail"]


def test_an_old_vendor_read_is_not_stored_and_the_answer_says_why(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """The OpenALPR documentation's group was read in 2019: with the default 30-day floor it
    is not stored, and the agent is told why (it must not retry)."""
    site = make_site(engine, clock)
    response = client.post(
        "/v1/intake/openalpr", content=json.dumps(alpr_group()).encode(),
        headers={"Content-Type": "application/json", **site.headers},
    )  # fmt: skip
    assert response.status_code == 202
    answer = response.json()
    assert answer["stored"] == 0
    assert any("not stored: read_at 2019-" in note and "more than 30 days ago" in note
               for note in answer["notes"])  # fmt: skip


def test_a_late_older_read_joins_the_trail_and_does_not_move_the_alert(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    hotlist_with_plate(client, world, "7LAT001")
    now, earlier = clock(), clock() - timedelta(minutes=2)
    _read(client, world, plate="7LAT001", state="CA", read_at=now.isoformat(), lat=37.80,
          lon=-122.27, heading=90)  # fmt: skip
    pushed = _deliveries(engine)

    _read(client, world, plate="7LAT001", state="CA", read_at=earlier.isoformat(), lat=37.70,
          lon=-122.17, heading=270)  # fmt: skip

    [summary] = _alerts(client, world)
    alert = _alert(client, world, summary["id"])
    assert (alert["lat"], alert["lon"]) == (37.80, -122.27)
    assert alert["read_at"].startswith(now.isoformat()[:19])  # type: ignore[union-attr]
    assert alert["details"]["heading_deg"] == 90  # type: ignore[index]
    trail = alert["details"]["trail"]  # type: ignore[index]
    assert [p["lat"] for p in trail] == [37.70, 37.80]  # in the order they were read
    assert summary["sightings"] == 2
    assert _deliveries(engine) == pushed  # nothing new to do: no phone rings


def test_a_merged_read_never_clears_what_was_known(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7KEP001", state=None)
    _read(client, world, plate="7KEP001", state="CA")
    clock.advance(seconds=30)
    _read(client, world, plate="7KEP001")  # no state read this time
    [summary] = _alerts(client, world)
    assert (summary["state"], summary["sightings"]) == ("CA", 2)


def test_two_reads_days_apart_are_two_events(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """Merging uses the time of the reads, not when they arrived."""
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7TWO001")
    two_days_ago = (clock() - timedelta(days=2)).isoformat()
    _read(client, world, plate="7TWO001", state="CA")
    _read(client, world, plate="7TWO001", state="CA", read_at=two_days_ago)
    kinds = sorted(str(a["kind"]) for a in _alerts(client, world))
    assert kinds == ["historical_hit", "hotlist_hit"]


def test_state_codes_are_upper_case_wherever_they_come_from(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    hotlist_id = hotlist_with_plate(client, world, "7STA001", state="mo")
    csv = b"plate,state,reason\n7STA002,mo,Stolen vehicle\n"
    client.post(f"/v1/hotlists/{hotlist_id}/import", files={"file": ("l.csv", csv, "text/csv")},
                headers=world.admin)  # fmt: skip
    for plate in ("7STA001", "7STA002"):
        assert _read(client, world, plate=plate)["hits"] == 1
    for summary in _alerts(client, world):
        warnings = _alert(client, world, summary["id"])["details"]["warnings"]  # type: ignore[index]
        assert "State not read — record is MO" in warnings
    assert _read(client, world, plate="7STA001", state="mo")["hits"] == 1
    [merged] = [a for a in _alerts(client, world) if a["plate"] == "7STA001"]
    assert merged["state"] == "MO"
