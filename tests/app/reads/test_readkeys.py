"""Dedup keys claimed in the ingest transaction: once per camera, across transactions and
processes, and within one batch."""

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import make_engine, transaction
from app.models import Read, ReadSourceKey
from app.reads import dedup as readkeys
from app.reads.bulk import insert_reads
from tests import factories


def _row(camera_id: int, clock: ManualClock, *keys: str, plate: str = "7ABC123") -> dict[str, Any]:
    return {
        "camera_id": camera_id, "plate": plate, "plate_key": plate, "read_at": clock(),
        "received_at": clock(), readkeys.SOURCE_KEYS: keys,
    }  # fmt: skip


def _store(session: Any, rows: list[dict[str, Any]]) -> tuple[readkeys.Dedup, list[int | None]]:
    dedup = readkeys.claim(session, rows)
    assert dedup is not None
    ids = dedup.link(session, insert_reads(session, [rows[i] for i in dedup.fresh]))
    return dedup, ids


def _camera(engine: Engine, clock: ManualClock) -> int:
    with transaction(engine) as session:
        camera, _ = factories.make_camera(session, now=clock())
        assert camera.id is not None
        return camera.id


def test_rows_without_keys_are_left_alone(engine: Engine, clock: ManualClock) -> None:
    camera_id = _camera(engine, clock)
    with transaction(engine) as session:
        assert readkeys.claim(session, [_row(camera_id, clock)]) is None


def test_within_one_batch_rows_sharing_an_id_are_one_read(
    engine: Engine, clock: ManualClock
) -> None:
    camera_id = _camera(engine, clock)
    rows = [
        _row(camera_id, clock, "frame-1#0"),
        _row(camera_id, clock, "group-1", "frame-1#0", "frame-2#0"),  # the group of that frame
        _row(camera_id, clock, "frame-2#0"),  # a later frame of it
        _row(camera_id, clock, "frame-9#0", plate="8XYZ999"),
    ]
    with transaction(engine) as session:
        dedup, ids = _store(session, rows)
    assert dedup.fresh == [0, 3]
    assert dedup.is_duplicate == [False, True, True, False]
    assert ids[1] == ids[2] == ids[0]
    with transaction(engine) as session:
        keys = dict(session.execute(select(ReadSourceKey.key, ReadSourceKey.read_id)).all())
    assert keys == {
        "frame-1#0|7ABC123": ids[0], "group-1|7ABC123": ids[0], "frame-2#0|7ABC123": ids[0],
        "frame-9#0|8XYZ999": ids[3],
    }  # fmt: skip


def test_an_id_shared_with_another_plate_is_a_read_of_its_own(
    engine: Engine, clock: ManualClock
) -> None:
    """An alert on the listed plate, or a better frame, shares the group's ids: still a read,
    and a retry of it is recognised."""
    camera_id = _camera(engine, clock)
    with transaction(engine) as session:
        _store(session, [_row(camera_id, clock, "group-1", "frame-1#0")])
    with transaction(engine) as session:
        dedup, ids = _store(session, [_row(camera_id, clock, "group-1", plate="7ABC128")])
    assert dedup.fresh == [0] and ids[0] is not None
    with transaction(engine) as session:
        again, again_ids = _store(session, [_row(camera_id, clock, "group-1", plate="7ABC128")])
    assert again.is_duplicate == [True] and again_ids == ids


def test_two_writers_storing_the_same_event_at_once_store_it_once(
    database_url: str, engine: Engine, clock: ManualClock
) -> None:
    """Two processes: each its own engine. The second claims while the first has claimed and
    not yet committed; on PostgreSQL it waits for that commit, on SQLite for the write lock."""
    camera_id = _camera(engine, clock)
    other = make_engine(database_url)
    second: list[list[int | None]] = []

    def second_writer() -> None:
        with transaction(other) as session:
            second.append(_store(session, [_row(camera_id, clock, "event-42", "frame-7#0")])[1])

    thread = threading.Thread(target=second_writer)
    try:
        with transaction(engine) as session:
            dedup = readkeys.claim(session, [_row(camera_id, clock, "frame-7#0", "event-42")])
            assert dedup is not None and dedup.fresh == [0]
            thread.start()
            [first_id] = dedup.link(session, insert_reads(session, [_row(camera_id, clock)]))
        thread.join(timeout=30)
    finally:
        other.dispose()
    assert second == [[first_id]]  # a duplicate of the first writer's read
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Read)) == 1


def test_the_same_id_on_another_camera_is_another_read(engine: Engine, clock: ManualClock) -> None:
    first, second = _camera(engine, clock), _camera(engine, clock)
    with transaction(engine) as session:
        dedup, _ = _store(session, [_row(first, clock, "uuid-1"), _row(second, clock, "uuid-1")])
    assert dedup.fresh == [0, 1]
