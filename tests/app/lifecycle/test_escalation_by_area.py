"""The ladder's last step goes to the on-duty supervisors of the hit's area (its commander, the
sergeants of the squads working it), Oakland's beats and areas imported; to every on-duty
supervisor when none of the area's is on duty, so the step still reaches somebody."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.main import create_app
from app.models import Role
from app.settings import Settings
from tests.app.helpers import import_oakland_command
from tests.app.lifecycle.conftest import ESCALATE_P1_S
from tests.app.lifecycle.support import Scene
from tests.app.stats.support import person, squad


@pytest.fixture
def client(settings: Settings, clock: ManualClock, engine: Engine) -> Iterator[TestClient]:
    import_oakland_command(engine, clock)
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def _command(scene: Scene, code: str, user_id: int) -> None:
    made = scene.client.put(f"/v1/areas/{code}/commander", json={"user_id": user_id},
                            headers=scene.world.admin)  # fmt: skip
    assert made.status_code == 200, made.text


def _climb_to_the_supervisors(scene: Scene, alert_id: int) -> dict[str, object]:
    """Nobody responds: the next ring finds nobody new and goes on to the desk, then the
    supervisors, one P1 wait each; the supervisor step as the alert shows it."""
    scene.work()
    scene.clock.advance(seconds=ESCALATE_P1_S)
    scene.work()
    assert scene.steps(alert_id) == [(1, "next_ring", "no_response"),
                                     (2, "dispatcher", "no_response")]  # fmt: skip
    scene.clock.advance(seconds=ESCALATE_P1_S)
    scene.work()
    assert scene.steps(alert_id)[-1] == (3, "supervisor", "no_response")
    step: dict[str, object] = scene.alert(alert_id)["details"]["escalation"]["steps"][-1]
    return step


def test_the_supervisor_step_reaches_the_supervisors_of_the_hits_area(scene: Scene) -> None:
    near = [scene.officer(100), scene.officer(200)]
    sergeant = scene.officer(3_000, role=Role.SUPERVISOR)  # a squad working Area 1
    commander = scene.officer(4_000, role=Role.SUPERVISOR)  # Area 1's commander
    elsewhere = scene.officer(5_000, role=Role.SUPERVISOR)  # a squad working Area 5
    squad(scene, "Area 1 day watch", sergeant.user_id, "1", *(o.user_id for o in near))
    squad(scene, "Area 5 day watch", elsewhere.user_id, "5")
    _command(scene, "1", commander.user_id)
    alert_id = scene.hit(priority=1)  # Broadway & 14th: beat 04X, Area 1
    assert scene.alert(alert_id)["beat"] == "04X"

    step = _climb_to_the_supervisors(scene, alert_id)
    assert step["told"] == sorted([sergeant.user_id, commander.user_id])
    assert str(step["detail"]).endswith("; the supervisors of Area 1")
    for supervisor in (sergeant, commander):
        [told] = scene.messages(supervisor)
        assert told["notification"]["title"].startswith("SUPERVISOR — P1 Look for this car")
        assert told["android"]["collapse_key"] == f"alert-{alert_id}"
    assert scene.messages(elsewhere) == []
    notified = {n["user_id"]: n for n in scene.alert(alert_id)["notified"]}
    [push] = notified[commander.user_id]["pushes"]
    assert push["why_officer"] == "an on-duty supervisor of Area 1"


def test_with_none_of_the_areas_supervisors_on_duty_every_on_duty_one_is_told(
    scene: Scene,
) -> None:
    scene.officer(100)
    off_duty_id, _ = person(scene, Role.SUPERVISOR)  # Area 1's commander, not on duty
    _command(scene, "1", off_duty_id)
    elsewhere = scene.officer(5_000, role=Role.SUPERVISOR)
    squad(scene, "Area 5 day watch", elsewhere.user_id, "5")
    alert_id = scene.hit(priority=1)

    step = _climb_to_the_supervisors(scene, alert_id)
    assert step["told"] == [elsewhere.user_id]
    assert str(step["detail"]).endswith(
        "; no supervisor of Area 1 on duty: every on-duty supervisor"
    )
    [told] = scene.messages(elsewhere)
    assert told["notification"]["title"].startswith("SUPERVISOR — P1 Look for this car")
