"""Day partitions of reads on PostgreSQL, seen from outside: the worker makes the days ahead
(and ingest never fails for want of one), and `lookout retention run` drops an expired day as a
partition while the hit read and the held read of that day survive, audited."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.housekeeping import Housekeeper
from app.main import create_app
from app.models import Role
from app.runtime import make_enforcer
from app.settings import Settings
from tests import factories
from tests.app.helpers import World, bearer, hotlist_with_plate, make_world, officer_on_duty

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

ROOT = Path(__file__).resolve().parents[3]


def _settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=database_url, data_dir=tmp_path, fcm_inbox=False,
                    embedded_worker=False, push_sender="log")  # fmt: skip


def _read(client: TestClient, world: World, plate: str) -> int:
    answer = client.post("/v1/reads", json={"plate": plate, "state": "CA"}, headers=world.camera)
    assert answer.status_code == 202, answer.text
    return int(answer.json()["read_ids"][0])


def _home(engine: Engine, read_id: int) -> str:
    """The partition a read is stored in."""
    with engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT tableoid::regclass::text FROM plate_read WHERE id = :id"),
                {"id": read_id},
            ).scalar_one()
        )


def _partitions(engine: Engine, parent: str = "plate_read") -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " WHERE i.inhparent = to_regclass(:parent)"
                ),
                {"parent": parent},
            ).scalars()
        )


def _table_exists(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None


def test_an_expired_day_is_dropped_as_a_partition_its_hit_and_held_reads_survive_audited(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    past = ManualClock()
    past.advance(days=-61)  # the day's reads were posted 61 days ago: California keeps 60
    settings = _settings(database_url, tmp_path)
    day = f"plate_read_p{past():%Y%m%d}"
    Housekeeper(make_enforcer(settings, engine), clock=past, every_s=60).run_once()
    assert day in _partitions(engine)  # the worker made that day (and the days after it)

    world = make_world(engine, past)
    with TestClient(create_app(settings, clock=past)) as client:
        with transaction(engine) as session:
            _, supervisor = factories.make_user(session, role=Role.SUPERVISOR, now=past())
        listed, held = factories.unique_plate(), factories.unique_plate()
        hotlist_with_plate(client, world, listed)
        placed = client.post(
            "/v1/holds",
            json={"case_number": "24-000777", "reason": "Robbery: the getaway car",
                  "plate": held},
            headers=bearer(supervisor),
        )  # fmt: skip
        assert placed.status_code == 201, placed.text
        gone = [_read(client, world, factories.unique_plate()) for _ in range(3)]
        hit_read, held_read = _read(client, world, listed), _read(client, world, held)
    assert {_home(engine, i) for i in [*gone, hit_read, held_read]} == {day}

    env = os.environ | {"LOOKOUT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                        "LOOKOUT_DATA_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "retention", "run"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "plate_read (no hit)    removed 3" in done.stdout
    assert f"day partitions dropped: {day} (2 reads kept" in done.stdout

    assert day not in _partitions(engine) and not _table_exists(engine, day)
    now = ManualClock()
    with TestClient(create_app(settings, clock=now)) as client:
        admin = World(
            admin_token=_admin(engine, now), camera_key=world.camera_key,
            camera_id=world.camera_id,
        )  # fmt: skip
        for read_id in gone:
            assert client.get(f"/v1/reads/{read_id}", headers=admin.admin).status_code == 404
        for read_id in (hit_read, held_read):
            assert client.get(f"/v1/reads/{read_id}", headers=admin.admin).status_code == 200
        [alert] = client.get("/v1/alerts", headers=admin.admin).json()["data"]
        assert alert["plate"] == listed
        runs = client.get("/v1/audit", params={"action": "retention.run"}, headers=admin.admin)
        [run] = runs.json()["data"]
    assert run["detail"]["removed"] == {"plate_read (no hit)": 3}
    assert run["detail"]["partitions_dropped"] == [day]
    assert run["detail"]["reads_kept_from_dropped"] == 2
    assert {_home(engine, i) for i in (hit_read, held_read)} == {"plate_read_default"}


def _admin(engine: Engine, clock: ManualClock) -> str:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.ADMIN, now=clock())
    return token


def test_ingest_never_waits_for_a_partition_and_the_workers_make_the_days_ahead_once(
    settings: Settings, engine: Engine
) -> None:
    ahead = ManualClock()
    ahead.advance(days=40)  # no partition exists that far ahead
    day = f"plate_read_p{ahead():%Y%m%d}"
    world = make_world(engine, ahead)
    with TestClient(create_app(settings, clock=ahead)) as client:
        stray = _read(client, world, factories.unique_plate())
    assert _home(engine, stray) == "plate_read_default"

    workers = [Housekeeper(make_enforcer(settings, engine), clock=ahead, every_s=60)
               for _ in range(3)]  # fmt: skip
    threads = [threading.Thread(target=w.make_partitions) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:  # again: nothing left to do
        worker.make_partitions()
    days = {f"plate_read_p{ahead() + timedelta(days=n):%Y%m%d}" for n in range(4)}
    assert days <= _partitions(engine)
    assert _home(engine, stray) == day  # moved out of the default partition into its day
    with TestClient(create_app(settings, clock=ahead)) as client:
        answer = client.get(f"/v1/reads/{stray}", headers=world.admin)
    assert answer.status_code == 200


def test_a_day_a_stopped_run_left_detached_is_counted_and_dropped_by_the_next(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    past = ManualClock()
    past.advance(days=-61)
    settings = _settings(database_url, tmp_path)
    day = f"plate_read_p{past():%Y%m%d}"
    aside = day.replace("plate_read_", "plate_read_detached_")
    Housekeeper(make_enforcer(settings, engine), clock=past, every_s=60).run_once()
    world = make_world(engine, past)
    with TestClient(create_app(settings, clock=past)) as client:
        for _ in range(2):
            _read(client, world, factories.unique_plate())
    with engine.begin() as connection:  # where a run that stopped after its detach left it
        connection.execute(text(f"ALTER TABLE plate_read DETACH PARTITION {day}"))
        connection.execute(text(f"ALTER TABLE {day} RENAME TO {aside}"))

    report = make_enforcer(settings, engine).run(ManualClock()())
    assert report.removed["plate_read (no hit)"] == 2
    assert not _table_exists(engine, aside)


def test_an_expired_day_of_breadcrumbs_is_dropped_whole_and_the_rest_go_at_the_exact_cutoff(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    """Breadcrumbs (revision 0017) by the positions clock (24 h): a day three days old is
    detached and dropped as a partition, a fix 25 hours old in a day still partly kept goes
    row by row, a fix an hour old stays; the run is audited with the day it dropped."""
    settings = _settings(database_url, tmp_path).changed(breadcrumbs=True)
    now = ManualClock()
    past = ManualClock(now() - timedelta(days=3))
    day = f"officer_location_p{past():%Y%m%d}"
    Housekeeper(make_enforcer(settings, engine), clock=past, every_s=60).make_partitions()
    assert day in _partitions(engine, "officer_location")
    with TestClient(create_app(settings, clock=past)) as client:
        _, token, _ = officer_on_duty(client, engine, past, lat=37.80, lon=-122.27)
        past.advance(minutes=1)
        fix = {"lat": 37.81, "lon": -122.27}
        assert client.put("/v1/me/location", json=fix, headers=bearer(token)).status_code == 200
    with TestClient(create_app(settings, clock=now)) as client:
        for hours_ago, lat in ((25, 37.82), (1, 37.83)):
            at = (now() - timedelta(hours=hours_ago)).isoformat()
            answer = client.put(
                "/v1/me/location",
                json={"lat": lat, "lon": -122.27, "recorded_at": at},
                headers=bearer(token),
            )
            assert answer.status_code == 200, answer.text

    report = make_enforcer(settings, engine).run(now())

    assert day in report.partitions
    assert report.removed["officer_location"] == 3  # two with their day, one row by row
    with engine.connect() as connection:
        left = connection.execute(text("SELECT lat FROM officer_location")).scalars().all()
    assert left == [37.83]
    assert not _table_exists(engine, day)
    with TestClient(create_app(settings, clock=now)) as client:
        runs = client.get(
            "/v1/audit", params={"action": "retention.run"}, headers=bearer(_admin(engine, now))
        )
        [run] = runs.json()["data"]
    assert run["detail"]["removed"]["officer_location"] == 3
    assert day in run["detail"]["partitions_dropped"]
