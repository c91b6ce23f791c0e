"""The facts the statistics read from the alert and recipient rows (first `responding`, pushes
sent) are written as the answers, the pushes and the escalations happen through the API and
the worker: they always equal what the rows of every answer and push say, and the figures
built on them are those of the story told here."""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from alerts.lifecycle import ACTIVE
from app.db import transaction
from app.models import Alert, AlertRecipient, AlertResponse, Delivery, DeliveryStatus, Role
from tests.app.lifecycle.support import Scene
from tests.app.stats.support import fresh_position, person, squad, stats, window

OTHER_PLATE = "8XYZ987"


def test_stored_facts_follow_answers_pushes_and_escalations(scene: Scene) -> None:
    admin = scene.world.admin
    near, far, farther = scene.officer(100), scene.officer(300), scene.officer(900)
    sergeant_id, _ = person(scene, Role.SUPERVISOR)
    alpha = squad(scene, "Alpha", sergeant_id, "1", near.user_id, far.user_id, farther.user_id)
    span = window(scene.clock())

    first = scene.hit(priority=2)  # the two nearest are pushed (routing_max_officers=2)
    scene.work()
    _agrees_with_the_rows(scene)
    scene.clock.advance(seconds=30)
    _answer(scene, first, near.headers, {"status": "responding", "eta_s": 120})
    scene.clock.advance(seconds=30)
    _answer(scene, first, far.headers, {"status": "responding", "eta_s": 240})
    scene.clock.advance(seconds=30)
    _answer(scene, first, near.headers, {"status": "on_scene"})  # not a first responding
    scene.work()  # the quiet updates of the answers are pushes too
    _agrees_with_the_rows(scene)

    scene.clock.advance(minutes=11)
    for officer, metres in ((near, 100), (far, 300), (farther, 900)):
        fresh_position(scene, officer, metres)
    second = scene.hit(priority=1, plate=OTHER_PLATE)
    scene.work()
    scene.clock.advance(seconds=30)  # nobody responding to a P1 within 30 s: the next ring
    scene.work()
    assert scene.steps(second)[0][1] == "next_ring"
    _agrees_with_the_rows(scene)

    sent = _sent(scene)
    agency = stats(scene, "", admin, span)["figures"]
    assert (agency["alerts"], agency["alerts_pushed"]) == (2, 2)
    assert agency["pushes"] == sum(sent.values())
    assert agency["officers_pushed"] == 3 == len({user for _, user in sent})
    assert agency["time_to_responding"] == {"count": 1, "median_s": 30.0, "p90_s": 30.0}
    assert (agency["escalations"]["escalated"], agency["escalations"]["next_ring"]) == (1, 1)
    by_area = {child["id"]: child["figures"] for child in stats(scene, "", admin, span)["children"]}
    assert by_area["1"] == agency

    squad_level = stats(scene, f"/squads/{alpha}", admin, span)
    assert squad_level["figures"]["pushes"] == sum(sent.values())
    # Each officer's own first responding, from their push: 30 s and 60 s.
    assert squad_level["figures"]["time_to_responding"] == {
        "count": 2, "median_s": 45.0, "p90_s": 57.0,
    }  # fmt: skip
    officers = {int(child["id"]): child["figures"] for child in squad_level["children"]}
    assert officers[near.user_id]["time_to_responding"]["median_s"] == 30.0
    assert officers[farther.user_id]["alerts_pushed"] == 1  # the next ring only
    for user_id, figures in officers.items():
        mine = {alert: n for (alert, user), n in sent.items() if user == user_id}
        assert (figures["pushes"], figures["alerts_pushed"]) == (sum(mine.values()), len(mine))
    [alpha_child] = stats(scene, "/areas/1", admin, span)["children"]
    assert alpha_child["figures"] == squad_level["figures"]


def _answer(scene: Scene, alert_id: int, headers: dict[str, str], body: dict[str, Any]) -> None:
    answered = scene.client.post(f"/v1/alerts/{alert_id}/response", json=body, headers=headers)
    assert answered.status_code == 200, answered.text


def _sent(scene: Scene) -> dict[tuple[int, int], int]:
    """Pushes sent, per (alert, officer), from the delivery rows."""
    with transaction(scene.engine) as session:
        rows = session.execute(
            select(col(Delivery.alert_id), col(AlertRecipient.user_id), func.count())
            .join(AlertRecipient, col(AlertRecipient.id) == col(Delivery.recipient_id))
            .where(col(Delivery.status) == DeliveryStatus.SENT)
            .group_by(col(Delivery.alert_id), col(AlertRecipient.user_id))
        ).all()
    return {(alert_id, user_id): int(n) for alert_id, user_id, n in rows}


def _agrees_with_the_rows(scene: Scene) -> None:
    """Every alert's and recipient's stored facts are those of its answer and push rows."""
    sent = _sent(scene)
    with transaction(scene.engine) as session:
        for alert in session.scalars(select(Alert)):
            mine = {user: n for (alert_id, user), n in sent.items() if alert_id == alert.id}
            assert alert.pushes == sum(mine.values())
            assert alert.responding_at == _first_active(session, alert.id)
        for recipient in session.scalars(select(AlertRecipient)):
            assert recipient.pushes == sent.get((recipient.alert_id, recipient.user_id), 0)
            first = _first_active(session, recipient.alert_id, recipient.user_id)
            assert recipient.responding_at == first


def _first_active(session: Session, alert_id: int | None, user_id: int | None = None) -> Any:
    query = select(func.min(col(AlertResponse.at))).where(
        col(AlertResponse.alert_id) == alert_id,
        col(AlertResponse.status).in_(sorted(a.value for a in ACTIVE)),
    )
    if user_id is not None:
        query = query.where(col(AlertResponse.user_id) == user_id)
    return session.scalar(query)
