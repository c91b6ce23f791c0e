"""A key's camera, remembered: after a start or a change, the first miss loads every active
camera in one query, so hundreds of cameras posting in the same second wait for one round trip,
not one each; a switched-off camera is not served from memory once a change was announced."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import Camera
from app.reads.cameras import CameraKeys, UnknownKey
from app.settings import DEV_SECRET
from tests import factories


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _cameras(engine: Engine, clock: ManualClock, n: int) -> list[tuple[int, str]]:
    with transaction(engine) as session:
        made = [factories.make_camera(session, now=clock()) for _ in range(n)]
        session.flush()
        return [(camera.id or 0, key) for camera, key in made]


def test_the_first_miss_loads_every_camera_at_once(
    engine: Engine, clock: ManualClock, statements: list[str]
) -> None:
    cameras = _cameras(engine, clock, 5)
    keys = CameraKeys(engine, pepper=DEV_SECRET)
    statements.clear()
    found = [keys.camera(key).id for _, key in cameras]
    assert found == [camera_id for camera_id, _ in cameras]
    assert len([s for s in statements if "camera" in s.lower()]) == 1


def test_a_camera_switched_off_is_refused_after_the_change(
    engine: Engine, clock: ManualClock
) -> None:
    (first, first_key), (second, second_key) = _cameras(engine, clock, 2)
    keys = CameraKeys(engine, pepper=DEV_SECRET)
    assert keys.camera(second_key).id == second
    with transaction(engine) as session:
        camera = session.get(Camera, second)
        assert camera is not None
        camera.is_active = False
    keys.forget()  # what the credential change feed does
    assert keys.camera(first_key).id == first
    with pytest.raises(UnknownKey):
        keys.camera(second_key)
    with pytest.raises(UnknownKey):
        keys.camera("not-a-key")
