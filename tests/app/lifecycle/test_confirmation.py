"""Confirmation before action: requested, answered by dispatch, or expired unanswered; every
change pushed on the alert's own thread to everyone who has it."""

from sqlalchemy import select

from app.db import transaction
from app.models import AlertConfirmation, AuditLog
from tests.app.lifecycle.conftest import CONFIRM_ROUTINE_S, CONFIRM_URGENT_S
from tests.app.lifecycle.support import Scene, titles


def test_a_confirmed_hit_reaches_every_holder_in_the_same_thread(scene: Scene) -> None:
    first, second = scene.officer(100), scene.officer(300)
    alert_id = scene.hit(priority=2, case_number="24-001234")
    scene.work()

    asked = scene.client.post(f"/v1/alerts/{alert_id}/confirmation",
                              json={"state": "requested"}, headers=first.headers)  # fmt: skip
    assert asked.status_code == 200, asked.text
    pending = asked.json()["details"]["confirmation"]
    assert (pending["state"], pending["urgent"], pending["seconds_left"]) == (
        "requested", True, CONFIRM_URGENT_S
    )  # fmt: skip
    scene.work()  # one update at a time: FCM keeps no order within a batch
    scene.clock.advance(seconds=45)
    queue = scene.client.get("/v1/confirmations", headers=scene.dispatcher).json()
    assert [(q["alert_id"], q["seconds_left"], q["requested_by"]["id"]) for q in queue["data"]] == [
        (alert_id, CONFIRM_URGENT_S - 45, first.user_id)
    ]
    assert queue["data"][0]["case_number"] == "24-001234"

    answer = scene.client.post(
        f"/v1/alerts/{alert_id}/confirmation",
        json={"state": "confirmed", "note": "ORI CA0010000 confirmed by teletype"},
        headers=scene.dispatcher,
    )
    assert answer.status_code == 200, answer.text
    scene.work()

    collapse = f"alert-{alert_id}"
    for officer in (first, second):
        messages = scene.messages(officer)
        said = titles(messages)
        assert said[1].startswith("(quiet) CONFIRMATION REQUESTED — answer due")
        assert said[2] == "CONFIRMED — still wanted (stolen, case 24-001234)"
        assert len(said) == 3
        assert {m["data"]["alert_id"] for m in messages} == {str(alert_id)}
        assert {m["android"]["collapse_key"] for m in messages} == {collapse}
        assert {m["apns"]["headers"]["apns-collapse-id"] for m in messages} == {collapse}
        shown = [m for m in messages if "notification" in m]  # the quiet one has no tag
        assert {m["android"]["notification"]["tag"] for m in shown} == {collapse}
        assert messages[2]["data"]["confirmation"] == "confirmed"
        assert "ORI CA0010000" in messages[2]["notification"]["body"]
    assert scene.client.get("/v1/confirmations", headers=scene.dispatcher).json()["count"] == 0

    done = scene.alert(alert_id)["details"]["confirmation"]
    assert done["state"] == "confirmed" and done["note"] == "ORI CA0010000 confirmed by teletype"
    assert [e["state"] for e in done["history"]] == ["requested", "confirmed"]
    assert done["history"][0]["by"]["id"] == first.user_id
    assert scene.alert(alert_id)["confirmation"] == "confirmed"
    with transaction(scene.engine) as session:
        audited = session.scalars(
            select(AuditLog.action).where(AuditLog.object_id == str(alert_id))  # type: ignore[arg-type]
        ).all()
        assert "alert.confirmation.confirmed" in audited
    # The answer stands: a contradicting one is refused, the same one changes nothing.
    url = f"/v1/alerts/{alert_id}/confirmation"
    again = scene.client.post(url, json={"state": "not_confirmed"}, headers=scene.dispatcher)
    assert again.status_code == 409
    same = scene.client.post(url, json={"state": "confirmed"}, headers=scene.dispatcher)
    assert same.status_code == 200


def test_a_hit_not_confirmed_closes_for_officers_at_once(scene: Scene) -> None:
    first, second = scene.officer(100), scene.officer(300)
    alert_id = scene.hit(priority=1)
    scene.work()
    answer = scene.client.post(
        f"/v1/alerts/{alert_id}/confirmation",
        json={"state": "not_confirmed", "note": "record cleared by the owner agency"},
        headers=scene.dispatcher,
    )
    assert answer.status_code == 200, answer.text
    closed = answer.json()
    assert (closed["status"], closed["disposition"]) == ("closed", "record_invalid")
    assert (
        closed["details"]["outcome"]["note"] == "not confirmed: record cleared by the owner agency"
    )
    assert closed["details"]["escalation"]["due_at"] is None
    scene.work()
    for officer in (first, second):
        last = scene.messages(officer)[-1]
        assert last["notification"]["title"] == "NOT CONFIRMED — do not stop on this hit"
        assert (last["data"]["action"], last["data"]["alert_id"]) == ("close", str(alert_id))
        assert last["android"]["collapse_key"] == f"alert-{alert_id}"

    # Closed: no officer answers it, no timer fires, and the car read again rings nobody.
    refused = scene.client.post(f"/v1/alerts/{alert_id}/response",
                                json={"status": "responding"}, headers=first.headers)  # fmt: skip
    assert refused.status_code == 409
    scene.clock.advance(seconds=600)
    scene.read()
    scene.work()
    assert scene.steps(alert_id) == []
    assert [len(scene.messages(o)) for o in (first, second)] == [2, 2]
    assert scene.alert(alert_id)["sightings"] == 2


def test_an_unanswered_request_expires_and_may_be_asked_again(scene: Scene) -> None:
    officer = scene.officer(100)
    alert_id = scene.hit(priority=3, dispatch_first="never")  # routine, straight to officers
    asked = scene.client.post(f"/v1/alerts/{alert_id}/confirmation",
                              json={"state": "requested"}, headers=officer.headers)  # fmt: skip
    assert asked.json()["details"]["confirmation"]["urgent"] is False
    scene.clock.advance(seconds=CONFIRM_ROUTINE_S - 1)
    scene.work()
    assert scene.alert(alert_id)["confirmation"] == "requested"

    scene.clock.advance(seconds=1)
    scene.work()
    expired = scene.alert(alert_id)["details"]["confirmation"]
    assert (expired["state"], expired["seconds_left"]) == ("expired", None)
    assert [e["state"] for e in expired["history"]] == ["requested", "expired"]
    assert expired["history"][1]["by"] is None
    assert expired["note"] == "no answer within 10 min"
    assert titles(scene.messages(officer))[-1] == "(quiet) NO ANSWER — confirmation request expired"
    waiting = scene.client.get("/v1/confirmations", params={"state": "expired"},
                               headers=scene.dispatcher).json()  # fmt: skip
    assert [q["alert_id"] for q in waiting["data"]] == [alert_id]
    scene.work()  # fires nothing twice
    with transaction(scene.engine) as session:
        rows = session.scalars(
            select(AlertConfirmation.state).where(AlertConfirmation.alert_id == alert_id)  # type: ignore[arg-type]
        ).all()
        assert rows == ["requested", "expired"]

    again = scene.client.post(f"/v1/alerts/{alert_id}/confirmation",
                              json={"state": "requested"}, headers=scene.dispatcher)  # fmt: skip
    assert again.json()["details"]["confirmation"]["state"] == "requested"


def test_officers_may_only_ask_and_only_about_their_own_alerts(scene: Scene) -> None:
    officer = scene.officer(100)
    stranger = scene.officer(30_000)  # far away: not told
    alert_id = scene.hit()
    url = f"/v1/alerts/{alert_id}/confirmation"
    answer = scene.client.post(url, json={"state": "confirmed"}, headers=officer.headers)
    assert answer.status_code == 403
    assert "only request" in answer.json()["detail"]
    assert scene.client.post(url, json={"state": "requested"},
                             headers=stranger.headers).status_code == 404  # fmt: skip
    assert scene.client.post(url, json={"state": "expired"},
                             headers=scene.dispatcher).status_code == 422  # fmt: skip
    assert scene.client.get("/v1/confirmations", headers=officer.headers).status_code == 403
