"""The live watch on the writer path: following bulletin changes, the reads stored between a
bulletin's retro search and the watch picking it up, and how often a phone rings."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from alerts.logsender import LogSender
from app.bulletins import service as bulletins
from app.bulletins.push import BulletinContext
from app.bulletins.watch import BulletinWatch
from app.clock import ManualClock
from app.db import transaction
from app.models import Bulletin, BulletinMatch, Role
from app.reads import rows
from app.reads.cameras import CameraRef
from app.reads.writer import IngestWriter
from app.runtime import Runtime
from app.schemas.bulletins import BulletinCreate
from app.settings import Settings
from lpr import Read
from tests import factories
from tests.app.bulletins.support import CAMERA, NEAR, body, dispatcher, post, queued
from tests.app.helpers import make_world, officer_on_duty


@contextmanager
def _process(settings: Settings, clock: ManualClock) -> Iterator[Runtime]:
    """A process whose watch hears of bulletin changes only when told: no LISTEN, no polling."""
    built = Runtime.build(
        settings.changed(hotlist_poll_s=3600), clock=clock, sender=LogSender(), worker=False
    )
    built.start(listen=False)
    try:
        yield built
    finally:
        built.stop()


@pytest.fixture
def runtime(settings: Settings, clock: ManualClock) -> Iterator[Runtime]:
    with _process(settings, clock) as built:
        yield built


@pytest.fixture
def context(runtime: Runtime) -> BulletinContext:
    return runtime.bulletins.context


@pytest.fixture
def watch(runtime: Runtime) -> BulletinWatch:
    return runtime.bulletins


@pytest.fixture
def writer(runtime: Runtime) -> IngestWriter:
    return runtime.writer


def _camera(engine: Engine, clock: ManualClock) -> CameraRef:
    with transaction(engine) as session:
        camera, _ = factories.make_camera(session, now=clock(), lat=CAMERA[0], lon=CAMERA[1])
        assert camera.id is not None
        return CameraRef(camera.id, camera.name, camera.lat, camera.lon, None)


def _post(engine: Engine, clock: ManualClock, context: BulletinContext, **overrides: object) -> int:
    with transaction(engine) as session:
        author, _ = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        row = bulletins.create(
            session=session, data=BulletinCreate.model_validate(body(**overrides)),
            author=author, now=clock(), ctx=context,
        )  # fmt: skip
        bulletins.search_back(session=session, row=row, actor=author, now=clock(), ctx=context)
        assert row.id is not None
        return row.id


def _read(camera: CameraRef, plate: str) -> dict[str, object]:
    return rows.row_of(Read(plate=plate, lat=CAMERA[0], lon=CAMERA[1]), camera, beats=None)


def _matches(engine: Engine, bulletin_id: int) -> list[tuple[str, str]]:
    """The bulletin's matches in the order their reads were stored (a catch-up may store its
    matches after a live one of a later read)."""
    with transaction(engine) as session:
        rows = session.scalars(
            select(BulletinMatch)
            .where(BulletinMatch.bulletin_id == bulletin_id)
            .order_by(col(BulletinMatch.read_id))
        )
        return [(m.plate, m.source) for m in rows]


def test_the_watch_follows_posts_changes_and_cancellations(
    engine: Engine, clock: ManualClock, context: BulletinContext, watch: BulletinWatch
) -> None:
    with transaction(engine) as session:
        assert watch.refresh(session, clock()) == 0 and len(watch) == 0
    bulletin_id = _post(engine, clock, context)
    with transaction(engine) as session:
        assert watch.refresh(session, clock()) == 0  # not told, and the poll is an hour away
        watch.invalidate()
        assert watch.refresh(session, clock()) == 1 and len(watch) == 1
        assert watch.refresh(session, clock(), force=True) == 0  # nothing changed since
    with transaction(engine) as session:
        stored = session.get(Bulletin, bulletin_id)
        assert stored is not None
        author, _ = factories.make_user(session, role=Role.DISPATCHER, now=clock())
        bulletins.cancel(session=session, row=stored, reason="vehicle located", actor=author,
                         now=clock(), ctx=context)  # fmt: skip
    with transaction(engine) as session:
        watch.invalidate()
        watch.refresh(session, clock())
        assert len(watch) == 0


def test_reads_stored_before_the_watch_saw_the_bulletin_are_caught_up_once(
    engine: Engine,
    clock: ManualClock,
    context: BulletinContext,
    watch: BulletinWatch,
    writer: IngestWriter,
) -> None:
    camera = _camera(engine, clock)
    writer.store(camera, [_read(camera, "5NOTHIN")])  # the watch has looked: no bulletins
    bulletin_id = _post(engine, clock, context)  # its retro search finds nothing yet
    writer.store(camera, [_read(camera, "7ABX001")])  # the watch has not been told: not matched
    assert _matches(engine, bulletin_id) == []
    watch.invalidate()
    writer.store(camera, [_read(camera, "7ABX002")])
    writer.store(camera, [_read(camera, "5NOTHIN")])
    assert _matches(engine, bulletin_id) == [("7ABX001", "live"), ("7ABX002", "live")]


def test_a_read_from_a_camera_with_a_slow_clock_is_caught_up_too(
    engine: Engine,
    clock: ManualClock,
    context: BulletinContext,
    watch: BulletinWatch,
    writer: IngestWriter,
) -> None:
    """The catch-up looks at what was stored lately, not at when the camera says it read: a
    read stamped minutes before the bulletin was posted, stored after, is found."""
    camera = _camera(engine, clock)
    writer.store(camera, [_read(camera, "5NOTHIN")])
    clock.advance(minutes=1)  # running a while: it keeps what it stores (CLOCK_SKEW before)
    occurred = clock() - timedelta(minutes=30)
    bulletin_id = _post(engine, clock, context, occurred_at=occurred.isoformat())
    clock.advance(seconds=2)
    slow = _read(camera, "7ABX001") | {"read_at": clock() - timedelta(minutes=4)}
    writer.store(camera, [slow])  # the watch has not been told: not matched
    assert _matches(engine, bulletin_id) == []
    watch.invalidate()
    writer.store(camera, [_read(camera, "5NOTHIN")])
    writer.store(camera, [_read(camera, "5NOTHIN")])
    assert _matches(engine, bulletin_id) == [("7ABX001", "live")]


def test_a_process_started_after_the_bulletin_searches_the_stored_reads(
    engine: Engine, settings: Settings, clock: ManualClock
) -> None:
    """A process that was not running when the reads were stored has none of them in memory:
    its catch-up reads them back from the database."""
    with _process(settings, clock) as first:
        camera = _camera(engine, clock)
        first.writer.store(camera, [_read(camera, "5NOTHIN")])
        bulletin_id = _post(engine, clock, first.bulletins.context)
        clock.advance(seconds=1)
        first.writer.store(camera, [_read(camera, "7ABX001")])  # never told: not matched
    assert _matches(engine, bulletin_id) == []

    clock.advance(seconds=10)
    with _process(settings, clock) as second:
        second.writer.store(camera, [_read(camera, "5NOTHIN")])
        second.writer.store(camera, [_read(camera, "5NOTHIN")])
    assert _matches(engine, bulletin_id) == [("7ABX001", "live")]


def test_an_officer_gets_at_most_one_match_push_per_bulletin_a_minute(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock, lat=CAMERA[0], lon=CAMERA[1])
    officer, _, _ = officer_on_duty(client, engine, clock, lat=NEAR[0], lon=NEAR[1])
    bulletin = post(client, dispatcher(engine, clock))
    for plate in ("7ABX101", "7ABX102"):
        client.post("/v1/reads", json={"plate": plate}, headers=world.camera)
        clock.advance(seconds=20)
    clock.advance(seconds=30)  # a minute after the first match
    client.post("/v1/reads", json={"plate": "7ABX103"}, headers=world.camera)

    matches = [p for p in queued(engine) if p.action == "match"]
    assert [(p.user_id, p.data["plate"]) for p in matches] == [
        (officer, "7ABX101"),
        (officer, "7ABX103"),
    ]
    trail = client.get(f"/v1/bulletins/{bulletin['id']}/trail", headers=world.admin).json()
    assert [p["plate"] for p in trail["points"]] == ["7ABX101", "7ABX102", "7ABX103"]


def test_a_description_only_bulletin_is_found_through_make_and_model(
    engine: Engine,
    clock: ManualClock,
    context: BulletinContext,
    watch: BulletinWatch,
    writer: IngestWriter,
) -> None:
    camera = _camera(engine, clock)
    bulletin_id = _post(
        engine, clock, context, vehicle={"make": "Audi", "model": "Q5", "color": "white"}
    )
    watch.invalidate()
    for plate, make, model in [("8AAA001", "AUDI", "Q"), ("8AAA002", "Audi", "Q5 Sportback"),
                               ("8AAA003", "Audi", "A4"), ("8AAA004", "VW", "Q5")]:  # fmt: skip
        writer.store(
            camera, [_read(camera, plate) | {"vehicle_make": make, "vehicle_model": model}]
        )
    assert [plate for plate, _ in _matches(engine, bulletin_id)] == ["8AAA001", "8AAA002"]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(BulletinMatch)) == 2
