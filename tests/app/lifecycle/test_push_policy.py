"""Fewer, better pushes, through the API and the real firebase-admin SDK to the FCM inbox: a
repeat sighting updates quietly, busy and over-budget officers are spared, doubtful hits wait
for a dispatcher, and every push says why it went out as it did."""

from typing import Any

import pytest

from app.db import transaction
from app.settings import Settings
from tests import factories
from tests.app.lifecycle.conftest import ESCALATE_P2_S
from tests.app.lifecycle.support import CAMERA, Person, Scene, north_of

QUIET_INTERVAL_S = 20


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Quiet updates at most every 20 s; one loud push an hour before P3 hits pass an officer
    by (the lifecycle fixture's two officers a ring stand)."""
    return settings.changed(quiet_update_interval_s=QUIET_INTERVAL_S, attention_budget_per_hour=1)


def _pushes(scene: Scene, alert_id: int, person: Person) -> list[dict[str, Any]]:
    """The explanations of every push of the alert to `person`, as a supervisor sees them."""
    [mine] = [n for n in scene.alert(alert_id)["notified"] if n["user_id"] == person.user_id]
    pushes: list[dict[str, Any]] = mine["pushes"]
    return pushes


def _is_quiet(message: dict[str, Any]) -> bool:
    return (
        "notification" not in message
        and message["data"].get("quiet") == "1"
        and message["apns"]["headers"]["apns-priority"] == "5"
        and message["apns"]["headers"]["apns-push-type"] == "background"
    )


def test_two_sightings_close_together_ring_once_then_update_quietly(scene: Scene) -> None:
    near, second, third = scene.officer(100), scene.officer(250), scene.officer(400)
    alert_id = scene.hit(priority=2)
    scene.work()
    for officer in (near, second):
        [first] = scene.messages(officer)
        assert first["notification"]["title"].startswith("P2 Look for this car")
    assert scene.messages(third) == []  # the first push goes to the two best placed only

    scene.clock.advance(seconds=QUIET_INTERVAL_S + 10)
    assert scene.read() == alert_id  # the same car, at the same corner: one alert
    scene.work()
    for officer in (near, second):
        loud, update = scene.messages(officer)
        assert _is_quiet(update)
        assert update["data"]["title"].endswith("— seen again")
        assert update["data"]["action"] == "sighting"
        # The same notification on the phone: its collapse key, tag and APNs collapse id.
        assert loud["android"]["collapse_key"] == update["android"]["collapse_key"]
        assert loud["android"]["notification"]["tag"] == f"alert-{alert_id}"
        assert update["android"]["collapse_key"] == f"alert-{alert_id}"
        assert update["apns"]["headers"]["apns-collapse-id"] == f"alert-{alert_id}"
    assert scene.messages(third) == []

    scene.clock.advance(seconds=QUIET_INTERVAL_S - 5)
    scene.read()  # within the quiet interval: nothing at all
    scene.work()
    assert [len(scene.messages(o)) for o in (near, second, third)] == [2, 2, 0]

    pushes = _pushes(scene, alert_id, near)
    assert [(p["action"], p["loud"]) for p in pushes] == [("hit", True), ("sighting", False)]
    assert pushes[0]["why_officer"].startswith("best placed (1st): ")
    assert " m away, about " in pushes[0]["why_officer"]
    assert pushes[0]["why_now"] == "a new hit"
    assert pushes[1]["why_sound"].startswith("quiet: the same officers are best placed")
    assert pushes[0]["deliveries"] == 1


def test_the_car_moving_rings_only_the_newly_best_placed(scene: Scene) -> None:
    here = [scene.officer(100), scene.officer(250)]
    lat, lon = north_of(6_000)
    there = scene.officer(6_050)
    with transaction(scene.engine) as session:
        _, far_camera = factories.make_camera(session, now=scene.clock(), lat=lat, lon=lon)
    alert_id = scene.hit(priority=2)
    scene.work()
    scene.clock.advance(seconds=QUIET_INTERVAL_S + 10)
    answer = scene.client.post("/v1/reads", json={"plate": "7ABC123"},
                               headers={"X-API-Key": far_camera})  # fmt: skip
    assert answer.status_code == 202
    scene.work()
    [rang] = scene.messages(there)
    assert rang["notification"]["title"].startswith("P2 Look for this car")
    assert rang["data"]["action"] == "sighting"
    for officer in here:
        assert [_is_quiet(m) for m in scene.messages(officer)] == [False, True]
    [why] = _pushes(scene, alert_id, there)
    assert why["why_sound"].startswith("newly best placed: the car moved")


def test_officers_responding_get_new_positions_quietly_and_nobody_new_rings(
    scene: Scene,
) -> None:
    responding, other = scene.officer(100), scene.officer(250)
    alert_id = scene.hit(priority=2)
    scene.work()
    scene.client.post(f"/v1/alerts/{alert_id}/response", json={"status": "responding"},
                      headers=responding.headers)  # fmt: skip
    scene.clock.advance(seconds=5)  # well within the quiet interval: a responder gets each one
    scene.read()
    scene.work()
    assert _is_quiet(scene.messages(responding)[-1])
    assert scene.messages(responding)[-1]["data"]["action"] == "sighting"
    assert [p["why_officer"] for p in _pushes(scene, alert_id, responding)][-1] == (
        "responding to this alert"
    )
    # The other officer heard (quietly) that a unit is responding; the sighting 5 s later is
    # within their quiet interval, and the car has its unit: nothing more.
    assert [m["data"].get("action") for m in scene.messages(other)] == [None, "response"]
    assert [_is_quiet(m) for m in scene.messages(other)] == [False, True]


def test_another_units_answer_reaches_the_others_only_when_it_changes_who_is_on_it(
    scene: Scene,
) -> None:
    first, second = scene.officer(100), scene.officer(250)
    alert_id = scene.hit(priority=2)
    scene.work()

    def answer(person: Person, status: str) -> None:
        answered = scene.client.post(f"/v1/alerts/{alert_id}/response",
                                     json={"status": status}, headers=person.headers)  # fmt: skip
        assert answered.status_code == 200, answered.text
        scene.work()

    def heard(person: Person) -> list[str]:
        return [m["data"]["response"] for m in scene.messages(person)
                if m["data"].get("action") == "response"]  # fmt: skip

    answer(first, "responding")  # the car has its unit: the other officer may stand down
    assert heard(second) == ["responding"]
    answer(first, "on_scene")  # still covered: nothing asks anything new of the other
    assert heard(second) == ["responding"]
    answer(first, "unable")  # nobody on it any more: the other officer is told it is open
    assert heard(second) == ["responding", "unable"]
    assert all(_is_quiet(m) for m in scene.messages(second)[1:])
    answer(second, "responding")  # the unit that said unable is out of it
    assert heard(first) == []


def test_an_officer_responding_elsewhere_is_skipped(scene: Scene) -> None:
    busy, second, third = scene.officer(100), scene.officer(250), scene.officer(400)
    first_alert = scene.hit(priority=2)
    answered = scene.client.post(f"/v1/alerts/{first_alert}/response",
                                 json={"status": "responding"}, headers=busy.headers)  # fmt: skip
    assert answered.status_code == 200, answered.text
    other_alert = scene.hit(priority=2, plate="8DEF456")
    shown = scene.alert(other_alert)
    assert [n["user_id"] for n in shown["notified"]] == [second.user_id, third.user_id]
    assert shown["details"]["spared"] == [
        {"user_id": busy.user_id, "why": "responding to another alert"}
    ]
    # A P1 is everyone's business: the busy officer is told.
    critical = scene.hit(priority=1, plate="9GHI789")
    assert busy.user_id in [n["user_id"] for n in scene.alert(critical)["notified"]]


def test_an_over_budget_p3_goes_to_the_next_officer_then_the_dispatcher_queue(
    scene: Scene,
) -> None:
    near, next_best = scene.officer(100), scene.officer(300)
    first = scene.hit(priority=3, dispatch_first="never")
    assert [n["user_id"] for n in scene.alert(first)["notified"]] == [near.user_id]
    second = scene.hit(priority=3, plate="8DEF456", dispatch_first="never")
    shown = scene.alert(second)
    assert [n["user_id"] for n in shown["notified"]] == [next_best.user_id]
    [spared] = shown["details"]["spared"]
    assert spared["user_id"] == near.user_id
    assert spared["why"].startswith("over the attention budget: 1 loud pushes in the last hour")

    third = scene.hit(priority=3, plate="9GHI789", dispatch_first="never")
    assert scene.alert(third)["notified"] == []  # both spent: never silently nowhere
    queue = scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher).json()
    assert [(q["alert_id"], q["hold"]) for q in queue["data"]] == [(third, False)]
    assert "over their attention budget" in queue["data"][0]["reason"]

    scene.clock.advance(minutes=61)  # an hour later the budget is back
    lat, lon = north_of(100)
    moved = scene.client.put("/v1/me/location", json={"lat": lat, "lon": lon, "accuracy_m": 10},
                             headers=near.headers)  # fmt: skip
    assert moved.status_code == 200
    fourth = scene.hit(priority=3, plate="5JKL012", dispatch_first="never")
    assert [n["user_id"] for n in scene.alert(fourth)["notified"]] == [near.user_id]


def test_a_possible_misread_waits_for_a_dispatcher_then_promotion_rings_an_officer(
    scene: Scene,
) -> None:
    officer = scene.officer(100)
    held_id = scene.hit(priority=2, plate="6XYZ001", read_as="6XYZ0O1")  # O for 0
    scene.work()
    assert scene.messages(officer) == []
    queue = scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher)
    assert queue.status_code == 200
    [waiting] = queue.json()["data"]
    assert (waiting["alert_id"], waiting["hold"], waiting["match"]) == (held_id, True, "confusable")
    assert waiting["reason"].startswith("possible misread")
    assert scene.client.get("/v1/dispatch/queue", headers=officer.headers).status_code == 403

    promoted = scene.client.post(f"/v1/dispatch/queue/{held_id}/promote",
                                 json={"note": "plate checked on the camera image"},
                                 headers=scene.dispatcher)  # fmt: skip
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["told"] == [officer.user_id]
    scene.work()
    [rang] = scene.messages(officer)
    assert rang["notification"]["title"].startswith("FROM DISPATCH — P2 Look for this car")
    assert "POSSIBLE MISREAD" in rang["notification"]["title"]
    assert "plate checked on the camera image" in rang["notification"]["body"]
    assert rang["data"]["action"] == "promoted"
    assert scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher).json()["count"] == 0
    shown = scene.alert(held_id)
    assert shown["details"]["dispatch"]["cleared_by"] is not None
    [why] = _pushes(scene, held_id, officer)
    assert why["why_now"].startswith("sent by dispatch")
    again = scene.client.post(f"/v1/dispatch/queue/{held_id}/promote", headers=scene.dispatcher)
    assert again.status_code == 409
    assert "not in the dispatcher queue" in again.json()["detail"]

    # A promoted P2 climbs the ladder from its promotion, as a hit pushed at once does.
    assert shown["details"]["escalation"]["due_at"] is not None
    scene.clock.advance(seconds=ESCALATE_P2_S - 1)
    scene.work()
    assert scene.steps(held_id) == []
    scene.clock.advance(seconds=1)
    scene.work()  # nobody else in range: the next ring goes straight on to the desk
    assert scene.steps(held_id) == [(1, "next_ring", "no_response"),
                                    (2, "dispatcher", "no_response")]  # fmt: skip


def test_p3_hits_wait_for_dispatch_by_default_and_a_confirmed_record_reaches_officers(
    scene: Scene,
) -> None:
    officer = scene.officer(100)
    alert_id = scene.hit(priority=3)
    scene.work()
    assert scene.messages(officer) == []
    [waiting] = scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher).json()["data"]
    assert (waiting["alert_id"], waiting["reason"]) == (alert_id, "P3: a dispatcher looks first")
    scene.clock.advance(seconds=QUIET_INTERVAL_S + 10)
    scene.read()  # seen again while held: the trail grows, nobody is pushed
    scene.work()
    assert scene.messages(officer) == []
    confirmed = scene.client.post(f"/v1/alerts/{alert_id}/confirmation",
                                  json={"state": "confirmed", "note": "CHP teletype"},
                                  headers=scene.dispatcher)  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    scene.work()
    assert [m["data"]["action"] for m in scene.messages(officer)] == ["promoted"]
    assert scene.alert(alert_id)["details"]["dispatch"]["hold"] is False


def test_nobody_in_range_puts_the_hit_in_the_queue(scene: Scene) -> None:
    alert_id = scene.hit(priority=2)
    [waiting] = scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher).json()["data"]
    assert (waiting["alert_id"], waiting["hold"], waiting["reason"]) == (
        alert_id, False, "nobody on duty in range",
    )  # fmt: skip
    refused = scene.client.post(f"/v1/dispatch/queue/{alert_id}/promote",
                                headers=scene.dispatcher)  # fmt: skip
    assert refused.status_code == 409
    assert "nobody on duty in range" in refused.json()["detail"]
    officer = scene.officer(100)
    scene.clock.advance(seconds=QUIET_INTERVAL_S + 10)
    scene.read()  # the car seen again with an officer near: the first push rings
    scene.work()
    assert len(scene.messages(officer)) == 1
    assert scene.client.get("/v1/dispatch/queue", headers=scene.dispatcher).json()["count"] == 0


def test_a_grown_bulletin_area_tells_newcomers_once_as_the_bulletin(scene: Scene) -> None:
    inside, later = scene.officer(100), scene.officer(3_000)  # 3 km: outside at first
    posted = scene.client.post("/v1/bulletins", headers=scene.dispatcher, json={
        "kind": "robbery", "narrative": "Armed robbery at the corner store",
        "vehicle": {"plate_pattern": "7AB*", "make": "Honda", "model": "Civic"},
        "area": {"center": {"lat": CAMERA[0], "lon": CAMERA[1]}, "radius_m": 500},
    })  # fmt: skip
    assert posted.status_code == 201, posted.text
    bulletin_id, alert_id = posted.json()["id"], posted.json()["alert_id"]
    scene.work()
    assert [m["data"]["action"] for m in scene.messages(inside)] == ["new"]
    assert scene.messages(later) == []

    scene.clock.advance(minutes=4)  # at 15 m/s the area has grown 3.6 km all round
    for officer in (inside, later):  # fresh fixes where they were
        lat, lon = north_of(100 if officer is inside else 3_000)
        scene.client.put("/v1/me/location", json={"lat": lat, "lon": lon, "accuracy_m": 10},
                         headers=officer.headers)  # fmt: skip
    changed = scene.client.patch(f"/v1/bulletins/{bulletin_id}", headers=scene.dispatcher,
                                 json={"case_number": "24-009999"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    scene.work()
    first, update = scene.messages(inside)
    assert update["data"]["action"] == "update" and _is_quiet(update)  # nothing new to do
    [told] = scene.messages(later)
    assert told["data"]["action"] == "new" and "notification" in told  # the bulletin, ringing
    assert told["android"]["collapse_key"] == first["android"]["collapse_key"]
    [why] = _pushes(scene, alert_id, later)
    assert why["why_officer"].startswith("inside the search area (grown to")
    assert why["why_sound"] == "new to this officer: told once, as the bulletin"

    changed = scene.client.patch(f"/v1/bulletins/{bulletin_id}", headers=scene.dispatcher,
                                 json={"narrative": "Robbery; suspect has a knife"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    scene.work()
    assert [m["data"]["action"] for m in scene.messages(later)] == ["new", "update"]
    assert not _is_quiet(scene.messages(later)[-1])  # a new fact to know: it rings
    assert [m["data"]["action"] for m in scene.messages(inside)] == ["new", "update", "update"]
