import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.clock import ManualClock
from app.db import transaction
from app.models import Delivery, HotListEntry, Read
from tests.app.helpers import hits_of, hotlist_with_plate, make_world


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_read_is_stored_with_the_camera_position_by_default(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=37.79, lon=-122.25)
    response = client.post("/v1/reads", json={"plate": "7abc-123"}, headers=world.camera)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 1 and "hits" not in body  # cameras learn nothing of matches
    with transaction(engine) as session:
        read = session.get(Read, body["read_ids"][0])
        assert read is not None
        assert (read.plate, read.plate_key, read.camera_id) == (
            "7abc-123",
            "7ABC123",
            world.camera_id,
        )
        assert (read.lat, read.lon) == (37.79, -122.25)
        assert read.read_at == clock()  # no read_at: the time received


def test_a_batch_is_stored_in_order(client: TestClient, engine: Engine, clock: ManualClock) -> None:
    world = make_world(engine, clock)
    reads = [{"plate": f"8XYZ{i:03d}", "read_at": clock().isoformat()} for i in range(25)]
    response = client.post("/v1/reads", json={"reads": reads}, headers=world.camera)
    assert response.status_code == 202, response.text
    ids = response.json()["read_ids"]
    assert len(ids) == 25
    with transaction(engine) as session:
        stored = {r.id: r.plate for r in session.scalars(select(Read))}
    assert [stored[i] for i in ids] == [r["plate"] for r in reads]


def test_a_missing_or_unknown_key_is_401(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    make_world(engine, clock)
    missing = client.post("/v1/reads", json={"plate": "7ABC123"})
    wrong = client.post("/v1/reads", json={"plate": "7ABC123"}, headers={"X-API-Key": "lkc_nope"})
    assert missing.status_code == wrong.status_code == 401
    assert "X-API-Key" in missing.json()["detail"]
    assert _count(engine, Read) == 0


def test_a_malformed_read_is_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    batch = {
        "reads": [{"plate": "7ABC123"}, {"plate": "6DEF456", "read_at": "2026-11-25T21:40:00"}]
    }
    response = client.post("/v1/reads", json=batch, headers=world.camera)
    assert response.status_code == 422
    assert "reads[1].read_at" in response.json()["detail"]
    assert "timezone" in response.json()["detail"]
    assert _count(engine, Read) == 0


def test_bad_bodies_get_clear_4xx(client: TestClient, engine: Engine, clock: ManualClock) -> None:
    world = make_world(engine, clock)
    cases = {
        b"": (400, "empty body"),
        b"{not json": (400, "not valid JSON"),
        b"[1, 2]": (422, "JSON object"),
        b'{"plate": "###"}': (422, "no letters or digits"),
        b'{"plate": "7ABC123", "lat": 37.8}': (422, "lat and lon go together"),
        b'{"plate": "7ABC123", "lat": 137.8, "lon": 0}': (422, "lat"),
        b'{"plate": "7ABC123", "state": "ZZ"}': (422, "state"),
        b'{"plate": "7ABC123", "confidence": 93}': (422, "confidence"),
        b'{"reads": []}': (422, "reads"),
        b"[" * 100_000 + b"]" * 100_000: (400, "nested too deeply"),
        b'{"plate": "7ABC123", "lat": NaN, "lon": NaN}': (400, "NaN is not a JSON number"),
        b'{"plate": "7ABC123", "lat": 1' + b"0" * 5000 + b"}": (400, "too many digits"),
    }
    for body, (status, words) in cases.items():
        response = client.post(
            "/v1/reads", content=body, headers=world.camera | {"content-type": "application/json"}
        )
        assert response.status_code == status, (body, response.text)
        assert words in response.json()["detail"], (body, response.json())
    assert _count(engine, Read) == 0


def test_a_read_from_the_future_is_refused(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    future = (clock() + timedelta(hours=2)).isoformat()
    response = client.post(
        "/v1/reads", json={"plate": "7ABC123", "read_at": future}, headers=world.camera
    )
    assert response.status_code == 422
    assert "camera's clock" in response.json()["detail"]


def test_a_read_with_no_hit_is_stored_and_sends_nothing(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    response = client.post("/v1/reads", json={"plate": "4NOHIT4"}, headers=world.camera)
    assert response.status_code == 202
    assert hits_of(client, world.admin, response) == 0
    assert _count(engine, Read) == 1
    assert _count(engine, Delivery) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # a server to drop us
def test_a_dropped_database_connection_costs_no_read_and_no_503(
    client: TestClient, engine: Engine, clock: ManualClock, database_url: str
) -> None:
    world = make_world(engine, clock)
    assert (
        client.post("/v1/reads", json={"plate": "7AAA001"}, headers=world.camera).status_code == 202
    )
    # End every other session on this database, the writer's own included (waiting until they
    # are gone), as a restart or failover of the server would.
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    answers = [
        client.post("/v1/reads", json={"plate": f"7AAA00{i}"}, headers=world.camera)
        for i in range(2, 5)
    ]
    # The writer sees its connections were dropped before it uses them: the first read after
    # the database is back is stored like any other.
    assert [a.status_code for a in answers] == [202, 202, 202], [a.text for a in answers]
    with transaction(engine) as session:
        stored = {r.plate for r in session.scalars(select(Read))}
    assert stored == {f"7AAA00{i}" for i in range(1, 5)}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one transaction
def test_reads_that_hit_nothing_do_not_wait_for_a_hit_being_stored(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    """On PostgreSQL a request that hits is stored with its alert on a thread of its own. Here
    another transaction holds the listed car's alert lock (as a second process raising the
    same car's alert would), so the hit waits; a read of another car is stored and answered
    meanwhile, and the hit goes through once the lock is let go."""
    world = make_world(engine, clock)
    hotlist_with_plate(client, world, "7ABC123")
    with transaction(engine) as session:
        entry_id = session.scalar(
            select(col(HotListEntry.id)).where(col(HotListEntry.plate_key) == "7ABC123")
        )
    assert entry_id is not None
    lock = {"key": (0x4C4B << 32) | entry_id}  # app/hotlists/hits.py: serialise()
    with ThreadPoolExecutor(2) as pool, engine.connect() as other:
        try:
            other.execute(text("SELECT pg_advisory_lock(:key)"), lock)
            hit = pool.submit(client.post, "/v1/reads", json={"plate": "7ABC123"},
                              headers=world.camera)  # fmt: skip
            _wait_for_a_lock_wait(engine)
            quiet = pool.submit(client.post, "/v1/reads", json={"plate": "8XYZ999"},
                                headers=world.camera)  # fmt: skip
            assert quiet.result(timeout=30).status_code == 202
            assert not hit.done()
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
            other.commit()
        assert hits_of(client, world.admin, hit.result(timeout=30)) == 1
    assert _count(engine, Read) == 2


def _wait_for_a_lock_wait(engine: Engine) -> None:
    deadline = time.monotonic() + 30
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(query):
                return
        time.sleep(0.05)
    raise AssertionError("the hit never waited for the alert lock")
