"""Officers answer, and the system escalates: the next ring, the dispatcher desk, the
supervisors, each step after the priority's wait with nobody responding; `unable` sooner."""

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db import transaction
from app.models import AlertResponse, Role
from tests.app.lifecycle.conftest import ESCALATE_P1_S, ESCALATE_P2_S
from tests.app.lifecycle.support import Person, Scene


def answer(client: TestClient, alert_id: int, person: Person, status: str, **more: object) -> None:
    response = client.post(f"/v1/alerts/{alert_id}/response", json={"status": status, **more},
                           headers=person.headers)  # fmt: skip
    assert response.status_code == 200, response.text


def test_an_unanswered_p1_climbs_ring_by_ring_to_the_desk_and_the_supervisor(
    scene: Scene,
) -> None:
    near = [scene.officer(100), scene.officer(200)]
    ring2 = [scene.officer(600), scene.officer(900)]
    supervisor = scene.officer(5_000, role=Role.SUPERVISOR)
    alert_id = scene.hit(priority=1)
    started = scene.clock()
    scene.work()
    assert [len(scene.messages(o)) for o in near + ring2] == [1, 1, 0, 0]

    scene.clock.advance(seconds=ESCALATE_P1_S - 1)
    scene.work()
    assert scene.steps(alert_id) == []

    scene.clock.advance(seconds=1)
    scene.work()
    assert scene.steps(alert_id) == [(1, "next_ring", "no_response")]
    for officer in ring2:
        [pushed] = scene.messages(officer)
        assert pushed["notification"]["title"].startswith("ESCALATED — P1 Look for this car")
        assert "nobody responding 30 s after the hit; 2 told" in pushed["notification"]["body"]
        assert pushed["android"]["collapse_key"] == f"alert-{alert_id}"
        assert pushed["data"]["action"] == "escalation"
    assert scene.client.get("/v1/alerts", params={"escalated": "true"},
                            headers=scene.dispatcher).json()["count"] == 0  # fmt: skip

    scene.clock.advance(seconds=ESCALATE_P1_S)
    scene.work()
    assert scene.steps(alert_id)[-1] == (2, "dispatcher", "no_response")
    desk = scene.client.get("/v1/alerts", params={"escalated": "true", "closed": "false"},
                            headers=scene.dispatcher).json()  # fmt: skip
    assert [a["id"] for a in desk["data"]] == [alert_id]
    assert desk["data"][0]["escalation_level"] == 2
    assert scene.messages(supervisor) == []

    scene.clock.advance(seconds=ESCALATE_P1_S)
    scene.work()
    assert scene.steps(alert_id)[-1] == (3, "supervisor", "no_response")
    [told] = scene.messages(supervisor)
    assert told["notification"]["title"].startswith("SUPERVISOR — P1 Look for this car")
    assert "4 told" in told["notification"]["body"]

    scene.clock.advance(seconds=10 * ESCALATE_P1_S)
    scene.work()
    shown = scene.alert(alert_id)["details"]["escalation"]
    assert (shown["level"], shown["next_step"], shown["due_at"]) == (3, None, None)
    assert [(s["step"], s["told"]) for s in shown["steps"]] == [
        ("next_ring", [o.user_id for o in ring2]),
        ("dispatcher", []),
        ("supervisor", [supervisor.user_id]),
    ]
    at = [s["at"] for s in shown["steps"]]
    offsets = [round((_parse(t) - started).total_seconds()) for t in at]
    assert offsets == [ESCALATE_P1_S, 2 * ESCALATE_P1_S, 3 * ESCALATE_P1_S]
    assert [len(scene.messages(o)) for o in near + ring2] == [1, 1, 1, 1]  # once each


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_unable_brings_the_next_step_forward_and_at_once_when_all_refuse(scene: Scene) -> None:
    first, second = scene.officer(100), scene.officer(200)
    third, fourth = scene.officer(600), scene.officer(900)
    alert_id = scene.hit(priority=2)
    scene.work()

    scene.clock.advance(seconds=10)
    answer(scene.client, alert_id, first, "unable", note="on another call")
    # Half of those told refused: the 80 s left become 40.
    shown = scene.alert(alert_id)["details"]["escalation"]
    assert shown["due_at"] is not None
    scene.clock.advance(seconds=39)
    scene.work()
    assert scene.steps(alert_id) == []
    scene.clock.advance(seconds=1)
    scene.work()
    assert scene.steps(alert_id) == [(1, "next_ring", "refused")]
    assert [len(scene.messages(o)) for o in (third, fourth)] == [1, 1]

    for officer in (second, third, fourth):
        answer(scene.client, alert_id, officer, "unable")
    scene.work()  # everyone told refused: the desk at once, not after another 90 s
    assert scene.steps(alert_id)[-1] == (2, "dispatcher", "refused")
    # Nobody was on it before or after each refusal: the ladder acts on them, and the other
    # officers told are not sent a message that asks nothing of them.
    assert len(scene.messages(second)) == 1


def test_a_unit_responding_pauses_the_ladder_and_tells_the_others_quietly(scene: Scene) -> None:
    first, second = scene.officer(100), scene.officer(1_500)
    alert_id = scene.hit(priority=2)
    scene.work()
    answer(scene.client, alert_id, first, "responding", eta_s=240)
    scene.work()
    [hit, update] = scene.messages(second)
    assert "notification" not in update  # quiet: data only, no sound
    assert update["data"]["title"].endswith("responding, ETA 4 min")
    assert (update["data"]["action"], update["data"]["response"]) == ("response", "responding")
    assert update["android"]["collapse_key"] == hit["android"]["collapse_key"]
    assert update["apns"]["headers"]["apns-push-type"] == "background"
    assert len(scene.messages(first)) == 1  # not told of their own answer

    answer(scene.client, alert_id, second, "responding")  # ETA from positions
    shown = scene.alert(alert_id)
    assert shown["status"] == "responding"
    assert shown["details"]["escalation"]["due_at"] is None
    responses = shown["details"]["responses"]
    assert [(r["user_id"], r["status"], r["eta_source"]) for r in responses] == [
        (first.user_id, "responding", "given"),
        (second.user_id, "responding", "computed"),
    ]
    assert 60 < responses[1]["eta_s"] < 300  # about 1.5 km at 50 km/h
    scene.clock.advance(seconds=10 * ESCALATE_P2_S)
    scene.work()
    assert scene.steps(alert_id) == []

    # Both give up: the ladder resumes, at once, as everyone told refused.
    answer(scene.client, alert_id, first, "unable")
    answer(scene.client, alert_id, second, "unable")
    scene.work()
    assert scene.steps(alert_id) == [(1, "next_ring", "refused"), (2, "dispatcher", "refused")]


def test_ack_is_seen_and_answers_are_kept(scene: Scene) -> None:
    officer = scene.officer(100)
    alert_id = scene.hit(priority=3, dispatch_first="never")
    first = scene.client.post(f"/v1/alerts/{alert_id}/ack", headers=officer.headers)
    assert first.status_code == 200
    answer(scene.client, alert_id, officer, "on_scene")
    scene.client.post(f"/v1/alerts/{alert_id}/ack", headers=officer.headers)
    shown = scene.alert(alert_id)
    assert [r["status"] for r in shown["details"]["responses"]] == ["seen", "on_scene"]
    assert shown["status"] == "responding"
    assert shown["details"]["escalation"]["escalates"] is False  # P3
    with transaction(scene.engine) as session:
        count = session.scalar(select(func.count()).select_from(AlertResponse))
        assert count == 2
    bad = scene.client.post(f"/v1/alerts/{alert_id}/response", json={"status": "napping"},
                            headers=officer.headers)  # fmt: skip
    assert bad.status_code == 422
    dispatcher = scene.client.post(f"/v1/alerts/{alert_id}/response",
                                   json={"status": "seen"}, headers=scene.dispatcher)  # fmt: skip
    assert dispatcher.status_code == 403
