"""Retention and evidence holds end to end: reads posted through the API, holds placed and
released through the API, enforcement run as the worker runs it (and by `lookout retention
run`), results seen through the API and the audit log."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.clock import ManualClock
from app.db import transaction
from app.intake.images import ImageStore
from app.main import create_app
from app.models import AuditLog, Read, Role
from app.retention.report import Report
from app.runtime import make_enforcer
from app.settings import Settings
from lpr.vendors import InlineImage
from tests import factories
from tests.app.helpers import World, bearer, hotlist_with_plate, make_world

ROOT = Path(__file__).resolve().parents[3]
DAY = timedelta(days=1)


def _read(client: TestClient, world: World, plate: str) -> int:
    answer = client.post("/v1/reads", json={"plate": plate, "state": "CA"}, headers=world.camera)
    assert answer.status_code == 202, answer.text
    return int(answer.json()["read_ids"][0])


def _person(engine: Engine, clock: ManualClock, role: Role) -> dict[str, str]:
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=role, now=clock())
    return bearer(token)


def _renewed(world: World, engine: Engine, clock: ManualClock) -> World:
    """The same world with an admin whose token is still valid (tokens last a year)."""
    with transaction(engine) as session:
        _, token = factories.make_user(session, role=Role.ADMIN, now=clock())
    return World(admin_token=token, camera_key=world.camera_key, camera_id=world.camera_id)


def _enforce(settings: Settings, engine: Engine, clock: ManualClock, **kw: Any) -> Report:
    """One run, as the worker's housekeeping thread does it."""
    return make_enforcer(settings, engine).run(clock(), **kw)


def _audit(client: TestClient, world: World, action: str) -> list[dict[str, Any]]:
    page = client.get("/v1/audit", params={"action": action}, headers=world.admin)
    assert page.status_code == 200, page.text
    return list(page.json()["data"])


def _chain_intact(client: TestClient, world: World) -> bool:
    page = client.get("/v1/audit", params={"verify": True, "limit": 1}, headers=world.admin)
    return bool(page.json()["chain_intact"])


def test_an_expired_read_goes_a_held_one_stays_until_released_and_both_are_audited(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    supervisor = _person(engine, clock, Role.SUPERVISOR)
    expired, held = factories.unique_plate(), factories.unique_plate()
    expired_id, held_id = _read(client, world, expired), _read(client, world, held)
    placed = client.post(
        "/v1/holds",
        json={"case_number": "24-001234", "reason": "Homicide: car seen near the scene",
              "plate": held.lower()},
        headers=supervisor,
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert (hold["kind"], hold["plate_key"], hold["is_active"]) == ("plate", held, True)

    clock.advance(days=61)  # California: reads that hit nothing are kept 60 days
    report = _enforce(settings, engine, clock)
    assert report.removed["plate_read (no hit)"] == 1
    assert client.get(f"/v1/reads/{expired_id}", headers=world.admin).status_code == 404
    assert client.get(f"/v1/reads/{held_id}", headers=world.admin).status_code == 200

    [run] = _audit(client, world, "retention.run")
    assert run["detail"]["policy"] == "california"
    assert run["detail"]["removed"] == {"plate_read (no hit)": 1}
    assert run["detail"]["periods_s"]["nonhit_reads"] == 60 * 86_400
    [placement] = _audit(client, world, "hold.place")
    assert (placement["plate"], placement["detail"]["case_number"]) == (held, "24-001234")

    listed = client.get("/v1/holds", headers=world.admin).json()
    assert [h["id"] for h in listed["data"]] == [hold["id"]]
    released = client.delete(
        f"/v1/holds/{hold['id']}", params={"reason": "case closed"}, headers=supervisor
    )
    assert released.status_code == 200, released.text
    assert released.json()["is_active"] is False
    assert client.get("/v1/holds", headers=world.admin).json()["count"] == 0
    assert client.get("/v1/holds?status=released", headers=world.admin).json()["count"] == 1

    assert _enforce(settings, engine, clock).removed["plate_read (no hit)"] == 1
    assert client.get(f"/v1/reads/{held_id}", headers=world.admin).status_code == 404
    assert [r["purpose"] for r in _audit(client, world, "hold.release")] == ["case closed"]
    assert len(_audit(client, world, "retention.run")) == 2
    assert _chain_intact(client, world)


def test_a_dry_run_removes_nothing_and_says_what_would_go(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    read_id = _read(client, world, factories.unique_plate())
    clock.advance(days=61)
    report = _enforce(settings, engine, clock, dry_run=True)
    assert report.removed["plate_read (no hit)"] == 1 and report.total == 1
    assert client.get(f"/v1/reads/{read_id}", headers=world.admin).status_code == 200
    [dry] = _audit(client, world, "retention.dry_run")
    assert dry["detail"]["removed"] == {"plate_read (no hit)": 1}
    assert _audit(client, world, "retention.run") == []


def test_nothing_expired_nothing_removed_and_no_audit_noise(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    read_id = _read(client, world, factories.unique_plate())
    clock.advance(days=59)
    assert _enforce(settings, engine, clock).total == 0
    assert client.get(f"/v1/reads/{read_id}", headers=world.admin).status_code == 200
    assert _audit(client, world, "retention.run") == []


def test_a_hit_read_outlives_non_hit_reads_and_goes_with_its_alert(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    plate = factories.unique_plate()
    hotlist_with_plate(client, world, plate)
    hit_read = _read(client, world, plate)
    [alert] = client.get("/v1/alerts", headers=world.admin).json()["data"]

    clock.advance(days=366)  # past the hit clock (365 days); the alert (730) still cites it
    assert _enforce(settings, engine, clock).removed["plate_read (hit)"] == 0
    world = _renewed(world, engine, clock)  # tokens last a year
    assert client.get(f"/v1/reads/{hit_read}", headers=world.admin).status_code == 200

    clock.advance(days=365)  # past the alerts clock: the alert goes, then its read
    report = _enforce(settings, engine, clock)
    world = _renewed(world, engine, clock)
    assert (report.removed["alert"], report.removed["hit"], report.removed["plate_read (hit)"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert client.get(f"/v1/alerts/{alert['id']}", headers=world.admin).status_code == 404
    assert client.get(f"/v1/reads/{hit_read}", headers=world.admin).status_code == 404
    assert _chain_intact(client, world)


def test_an_alert_hold_keeps_the_alert_and_its_read(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    plate = factories.unique_plate()
    hotlist_with_plate(client, world, plate)
    hit_read = _read(client, world, plate)
    [alert] = client.get("/v1/alerts", headers=world.admin).json()["data"]
    placed = client.post(
        "/v1/holds", json={"case_number": "24-7", "reason": "evidence", "alert_id": alert["id"]},
        headers=world.admin,
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    clock.advance(days=800)
    report = _enforce(settings, engine, clock)
    world = _renewed(world, engine, clock)
    assert report.removed["alert"] == 0 and report.removed["plate_read (hit)"] == 0
    assert client.get(f"/v1/alerts/{alert['id']}", headers=world.admin).status_code == 200
    assert client.get(f"/v1/reads/{hit_read}", headers=world.admin).status_code == 200


def test_a_camera_hold_keeps_that_cameras_reads_in_its_time_range_only(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    before = _read(client, world, factories.unique_plate())
    clock.advance(hours=1)
    since = clock()
    inside = _read(client, world, factories.unique_plate())
    clock.advance(hours=1)
    until = clock()
    after = _read(client, world, factories.unique_plate())
    placed = client.post(
        "/v1/holds",
        json={"case_number": "24-8", "reason": "shooting on the corner",
              "camera_id": world.camera_id, "since": since.isoformat(),
              "until": until.isoformat()},
        headers=world.admin,
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    clock.advance(days=90)
    assert _enforce(settings, engine, clock).removed["plate_read (no hit)"] == 2
    kept = {i: client.get(f"/v1/reads/{i}", headers=world.admin).status_code
            for i in (before, inside, after)}  # fmt: skip
    assert kept == {before: 404, inside: 200, after: 404}


def test_images_go_with_their_read_and_earlier_on_their_own_clock(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    settings = settings.changed(retention_images_s=int((30 * DAY).total_seconds()))
    world = make_world(engine, clock)
    store = ImageStore(settings.data_dir / "images")
    ids = [_read(client, world, factories.unique_plate()) for _ in range(2)]
    refs = []
    with transaction(engine) as session:
        for read_id in ids:
            ref = store.save(InlineImage(0, "vehicle", "image/jpeg", b"\xff\xd8jpeg"), now=clock())
            session.execute(update(Read).where(Read.id == read_id).values(image_url=ref))  # type: ignore[arg-type]
            refs.append(ref)
    clock.advance(days=31)  # past the images clock, not the reads'
    report = _enforce(settings, engine, clock)
    assert (report.removed["image_file"], report.removed["plate_read (no hit)"]) == (2, 0)
    assert store.load(refs[0]) is None and store.load(refs[1]) is None
    image = client.get(f"/v1/reads/{ids[0]}/image", headers=world.admin)
    assert image.status_code == 404 and "no image" in image.json()["detail"]
    assert client.get(f"/v1/reads/{ids[0]}", headers=world.admin).status_code == 200


def test_a_read_and_its_image_file_go_together(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    store = ImageStore(settings.data_dir / "images")
    read_id = _read(client, world, factories.unique_plate())
    ref = store.save(InlineImage(0, "vehicle", "image/jpeg", b"\xff\xd8jpeg"), now=clock())
    with transaction(engine) as session:
        session.execute(update(Read).where(Read.id == read_id).values(image_url=ref))  # type: ignore[arg-type]
    clock.advance(days=61)
    report = _enforce(settings, engine, clock)
    assert (report.removed["image_file"], report.removed["plate_read (no hit)"]) == (1, 1)
    assert store.load(ref) is None


def test_audit_rows_go_after_their_clock_from_the_start_and_the_chain_still_verifies(
    client: TestClient, settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    year_s = 365 * 86_400
    settings = settings.changed(
        retention_policy="custom", retention_nonhit_reads_s=year_s, retention_hit_reads_s=year_s,
        retention_alerts_s=year_s, retention_deliveries_s=year_s, retention_audit_s=year_s,
    )  # fmt: skip
    world = make_world(engine, clock)
    checkpointer = client.app.state.runtime.checkpointer  # type: ignore[attr-defined]
    for _ in range(3):
        client.get("/v1/audit", headers=world.admin)  # audit.view rows
    old = len(_audit(client, world, "audit.view"))
    assert checkpointer.run_once() is not None  # a checkpoint sees the rows about to go
    clock.advance(days=366)
    report = _enforce(settings, engine, clock)
    world = _renewed(world, engine, clock)
    assert report.removed["audit_log"] >= old  # the views, and the users' creation
    assert _chain_intact(client, world)  # against the checkpoint of the rows now gone
    pruned = _audit(client, world, "audit.pruned")
    assert pruned and pruned[0]["detail"]["removed"] == report.removed["audit_log"]
    client.get("/v1/audit", headers=world.admin)
    assert checkpointer.run_once() is not None  # counts on from the first row ever written
    assert _chain_intact(client, world)
    # Retention's pruning is no cover for a row cut from the end: the checkpoint notices.
    assert checkpointer.run_once() is not None
    with transaction(engine) as session:
        newest = session.scalars(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
        session.delete(newest)
    assert not _chain_intact(client, world)


def test_holds_are_placed_by_supervisors_and_admins_and_refused_clearly(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    dispatcher = _person(engine, clock, Role.DISPATCHER)
    auditor = _person(engine, clock, Role.AUDITOR)
    body = {"case_number": "24-9", "reason": "robbery", "plate": "7ABC123"}
    assert client.post("/v1/holds", json=body, headers=dispatcher).status_code == 403
    assert client.post("/v1/holds", json=body, headers=auditor).status_code == 403
    assert client.get("/v1/holds", headers=auditor).status_code == 200
    assert client.get("/v1/holds", headers=dispatcher).status_code == 403

    two = client.post("/v1/holds", json=body | {"alert_id": 5}, headers=world.admin)
    assert two.status_code == 422 and "exactly one of" in two.json()["detail"]
    none = client.post("/v1/holds", json={"case_number": "1", "reason": "abc"}, headers=world.admin)
    assert none.status_code == 422 and "exactly one of" in none.json()["detail"]
    camera = {"case_number": "1", "reason": "abc", "camera_id": world.camera_id}
    backwards = client.post(
        "/v1/holds",
        json=camera | {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        headers=world.admin,
    )
    assert backwards.status_code == 422 and "until must be after since" in backwards.text
    naive = client.post("/v1/holds", json=camera | {"since": "2026-01-02T00:00:00"},
                        headers=world.admin)  # fmt: skip
    assert naive.status_code == 422 and "since" in naive.json()["detail"]
    unknown = client.post("/v1/holds", json=camera | {"camera_id": 999_999}, headers=world.admin)
    assert unknown.status_code == 404 and "no camera" in unknown.json()["detail"]
    unknown_alert = client.post(
        "/v1/holds", json={"case_number": "1", "reason": "abc", "alert_id": 424242},
        headers=world.admin,
    )  # fmt: skip
    assert unknown_alert.status_code == 404
    bad_plate = client.post("/v1/holds", json=body | {"plate": "!!"}, headers=world.admin)
    assert bad_plate.status_code == 422 and "plate" in bad_plate.json()["detail"]

    hold = client.post("/v1/holds", json=body, headers=world.admin).json()
    assert client.delete(f"/v1/holds/{hold['id']}", headers=world.admin).status_code == 422
    gone = client.delete(f"/v1/holds/{hold['id']}?reason=done", headers=world.admin)
    assert gone.status_code == 200
    again = client.delete(f"/v1/holds/{hold['id']}?reason=done", headers=world.admin)
    assert again.status_code == 409 and "already released" in again.json()["detail"]
    assert client.delete("/v1/holds/777777?reason=done", headers=world.admin).status_code == 404
    assert client.get(f"/v1/holds/{hold['id']}", headers=auditor).json()["release_reason"] == "done"
    assert len(_audit(client, world, "hold.list")) == 1  # the refused one wrote nothing


def test_the_worker_enforces_by_itself(
    settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """`lookout serve` with its embedded worker runs retention every housekeeping interval."""
    settings = settings.changed(embedded_worker=True, housekeeping_every_s=0.05)
    world = make_world(engine, clock)
    with TestClient(create_app(settings, clock=clock)) as client:
        read_id = _read(client, world, factories.unique_plate())
        clock.advance(days=61)
        deadline = 200  # polls of what a person would see: the run's audit row
        while not _audit(client, world, "retention.run"):
            deadline -= 1
            assert deadline > 0, "the worker never enforced retention"
            threading.Event().wait(0.05)
        assert client.get(f"/v1/reads/{read_id}", headers=world.admin).status_code == 404


def test_lookout_retention_run_prints_what_it_removes(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    past = ManualClock()
    past.advance(days=-61)  # reads posted 61 days ago, by a clock set back
    settings = Settings(env="test", database_url=database_url, data_dir=tmp_path,
                        fcm_inbox=False, embedded_worker=False, push_sender="log")  # fmt: skip
    world = make_world(engine, past)
    with TestClient(create_app(settings, clock=past)) as client:
        read_id = _read(client, world, factories.unique_plate())
    env = os.environ | {"LOOKOUT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                        "LOOKOUT_DATA_DIR": str(tmp_path)}  # fmt: skip

    def lookout(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "retention", "run", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
        )  # fmt: skip

    dry = lookout("--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "plate_read (no hit)    would remove 1" in dry.stdout
    with transaction(engine) as session:
        assert session.get(Read, read_id) is not None
    done = lookout()
    assert done.returncode == 0, done.stderr
    assert "plate_read (no hit)    removed 1" in done.stdout
    assert "policy california" in done.stdout
    with transaction(engine) as session:
        assert session.get(Read, read_id) is None
        assert session.scalars(select(Read)).all() == []
    bad = subprocess.run(
        [sys.executable, "-m", "app.cli", "retention", "run"], capture_output=True, text=True,
        env=env | {"LOOKOUT_RETENTION_POLICY": "atlantis"}, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1 and "atlantis" in bad.stderr and "california" in bad.stderr
