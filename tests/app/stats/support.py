"""Helpers of the statistics tests: people made through the factories, squads and
commanders set up through the admin API, and statistics asked for through the public API."""

from datetime import datetime, timedelta
from typing import Any

from app.db import transaction
from app.models import Role
from tests import factories
from tests.app.helpers import bearer
from tests.app.lifecycle.support import Person, Scene, north_of


def person(scene: Scene, role: Role) -> tuple[int, dict[str, str]]:
    with transaction(scene.engine) as session:
        user, token = factories.make_user(session, role=role, now=scene.clock())
    assert user.id is not None
    return user.id, bearer(token)


def squad(scene: Scene, name: str, sergeant_id: int, area: str | None, *officers: int) -> int:
    made = scene.client.post(
        "/v1/squads", json={"name": name, "sergeant_id": sergeant_id, "area": area},
        headers=scene.world.admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    squad_id = int(made.json()["id"])
    for officer_id in officers:
        put = scene.client.put(f"/v1/officers/{officer_id}/squad", json={"squad_id": squad_id},
                               headers=scene.world.admin)  # fmt: skip
        assert put.status_code == 200, put.text
    return squad_id


def window(start: datetime) -> dict[str, str]:
    return {
        "since": (start - timedelta(hours=1)).isoformat(),
        "until": (start + timedelta(hours=2)).isoformat(),
    }


def stats(
    scene: Scene, path: str, headers: dict[str, str], params: dict[str, str]
) -> dict[str, Any]:
    answer = scene.client.get(f"/v1/stats{path}", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def fresh_position(scene: Scene, officer: Person, metres_north: float) -> None:
    """The officer reports where they are again: a position goes stale after 5 minutes."""
    lat, lon = north_of(metres_north)
    moved = scene.client.put("/v1/me/location", json={"lat": lat, "lon": lon, "accuracy_m": 10},
                             headers=officer.headers)  # fmt: skip
    assert moved.status_code == 200, moved.text
