"""Outcomes: an alert closed with a disposition, audited, pushed as a last update; false hits
flag their entry for review and count against the camera's misread rate."""

from sqlalchemy import select

from app.db import transaction
from app.models import AuditLog
from tests.app.lifecycle.support import PLATE, Scene, titles


def outcome(scene: Scene, alert_id: int, headers: dict[str, str], **body: object) -> dict:
    answer = scene.client.post(f"/v1/alerts/{alert_id}/outcome", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    result: dict = answer.json()
    return result


def test_an_officer_closes_a_hit_with_its_outcome_audited_and_pushed(scene: Scene) -> None:
    officer, other = scene.officer(100), scene.officer(300)
    alert_id = scene.hit(priority=2)
    scene.work()
    url = f"/v1/alerts/{alert_id}/outcome"
    missing = scene.client.post(url, json={"disposition": "located"}, headers=officer.headers)
    assert missing.status_code == 422 and "needs a result" in missing.text
    extra = scene.client.post(url, json={"disposition": "misread", "result": "cited"},
                              headers=officer.headers)  # fmt: skip
    assert extra.status_code == 422

    closed = outcome(scene, alert_id, officer.headers, disposition="located", result="arrested",
                     note="driver had a warrant; vehicle towed")  # fmt: skip
    assert (closed["status"], closed["disposition"]) == ("closed", "located")
    shown = closed["details"]["outcome"]
    assert (shown["result"], shown["closed_by"]["id"]) == ("arrested", officer.user_id)
    assert shown["note"] == "driver had a warrant; vehicle towed"
    assert closed["details"]["escalation"]["due_at"] is None
    assert closed["details"]["escalation"]["next_step"] is None  # a closed hit climbs no more
    scene.work()
    for person in (officer, other):
        last = scene.messages(person)[-1]
        assert titles([last]) == ["(quiet) CLOSED — located: arrested"]
        assert (last["data"]["action"], last["data"]["alert_id"]) == ("close", str(alert_id))
        assert last["android"]["collapse_key"] == f"alert-{alert_id}"
    with transaction(scene.engine) as session:
        [row] = session.scalars(select(AuditLog).where(AuditLog.action == "alert.outcome")).all()
        assert (row.actor_id, row.object_id, row.plate) == (officer.user_id, str(alert_id), PLATE)
        assert row.detail["disposition"] == "located" and row.detail["result"] == "arrested"

    again = scene.client.post(url, json={"disposition": "not_located"}, headers=scene.dispatcher)
    assert again.status_code == 409
    listed = scene.client.get("/v1/alerts", params={"closed": "true"},
                              headers=scene.dispatcher).json()  # fmt: skip
    assert [a["id"] for a in listed["data"]] == [alert_id]
    assert listed["data"][0]["disposition"] == "located"


def test_three_misreads_flag_the_entry_and_count_against_the_camera(scene: Scene) -> None:
    officer = scene.officer(100)
    hotlist_alerts = []
    for n in range(3):
        if n == 0:
            alert_id = scene.hit(priority=3, dispatch_first="never")  # officers close it
        else:
            scene.clock.advance(minutes=11)  # past the merge window: a new alert
            alert_id = scene.read()
        hotlist_alerts.append(alert_id)
        disposition = "misread" if n != 1 else "wrong_vehicle"
        headers = officer.headers if n == 0 else scene.dispatcher  # the officer's fix is stale
        outcome(scene, alert_id, headers, disposition=disposition, note=f"check {n}")
    assert len(set(hotlist_alerts)) == 3

    hotlist_id = scene.client.get("/v1/hotlists", headers=scene.world.admin).json()[0]["id"]
    [entry] = scene.client.get(f"/v1/hotlists/{hotlist_id}/entries", params={"purpose": "review"},
                               headers=scene.world.admin).json()  # fmt: skip
    assert entry["false_hits"] == 3
    assert entry["review_flagged_at"] is not None
    assert entry["review_reason"].startswith("3 hits ended as misread or wrong vehicle")
    flagged = scene.client.get("/v1/hotlists/entries/flagged", params={"purpose": "hygiene"},
                               headers=scene.world.admin).json()  # fmt: skip
    assert [(f["id"], f["plate"]) for f in flagged] == [(entry["id"], PLATE)]

    # One more alert, located: the camera read 2 of its 4 checked hits wrong.
    scene.clock.advance(minutes=11)
    located = scene.read()
    outcome(scene, located, scene.dispatcher, disposition="located", result="warned")
    [camera] = scene.client.get("/v1/cameras", headers=scene.dispatcher).json()
    assert (camera["health"]["checked_hits_30d"], camera["health"]["misread_rate"]) == (4, 0.5)


def test_removing_an_entry_clears_its_open_alert_on_every_phone(scene: Scene) -> None:
    officer = scene.officer(100)
    alert_id = scene.hit(priority=2)
    scene.work()
    hotlist_id = scene.client.get("/v1/hotlists", headers=scene.world.admin).json()[0]["id"]
    [entry] = scene.client.get(f"/v1/hotlists/{hotlist_id}/entries", params={"purpose": "x" * 3},
                               headers=scene.world.admin).json()  # fmt: skip
    gone = scene.client.delete(f"/v1/hotlists/{hotlist_id}/entries/{entry['id']}",
                               params={"reason": "vehicle recovered"},
                               headers=scene.world.admin)  # fmt: skip
    assert gone.status_code == 204
    scene.work()
    last = scene.messages(officer)[-1]
    assert last["notification"]["title"] == "RECORD CLEARED — do not stop on this hit"
    assert "vehicle recovered" in last["notification"]["body"]
    shown = scene.alert(alert_id)
    assert (shown["status"], shown["disposition"]) == ("closed", "record_invalid")
    assert shown["details"]["outcome"]["note"] == "record cleared: vehicle recovered"


def test_a_refresh_that_drops_an_entry_clears_its_open_alert(scene: Scene) -> None:
    officer = scene.officer(100)
    alert_id = scene.hit(priority=2)
    scene.work()  # one push at a time: FCM keeps no order within a batch
    hotlist_id = scene.client.get("/v1/hotlists", headers=scene.world.admin).json()[0]["id"]
    refreshed = scene.client.post(
        f"/v1/hotlists/{hotlist_id}/import", params={"layout": "csv", "replace": True},
        files={"file": ("ncic.csv", b"plate,state\n8XYZ999,CA\n", "text/csv")},
        headers=scene.world.admin,
    )  # fmt: skip
    assert refreshed.status_code == 201 and refreshed.json()["removed"] == 1, refreshed.text
    scene.work()
    shown = scene.alert(alert_id)
    assert (shown["status"], shown["disposition"]) == ("closed", "record_invalid")
    assert shown["details"]["outcome"]["note"] == "record cleared: no longer in csv:ncic.csv"
    assert titles(scene.messages(officer))[-1] == "RECORD CLEARED — do not stop on this hit"


def test_a_bulletins_alert_takes_responses_but_ends_with_its_bulletin(scene: Scene) -> None:
    near, other, looking = scene.officer(100), scene.officer(300), scene.officer(500)
    posted = scene.client.post(
        "/v1/bulletins",
        json={"kind": "robbery", "narrative": "Armed robbery", "case_number": "24-001240",
              "area": {"center": {"lat": 37.8044, "lon": -122.2712}, "radius_m": 1000}},
        headers=scene.dispatcher,
    )  # fmt: skip
    assert posted.status_code == 201, posted.text
    alert_id, bulletin_id = posted.json()["alert_id"], posted.json()["id"]
    scene.work()
    first = scene.client.post(f"/v1/alerts/{alert_id}/response",
                              json={"status": "responding", "eta_s": 300},
                              headers=other.headers)  # fmt: skip
    assert first.status_code == 200, first.text
    responded = scene.client.post(f"/v1/alerts/{alert_id}/response",
                                  json={"status": "responding", "eta_s": 90},
                                  headers=near.headers)  # fmt: skip
    assert responded.status_code == 200, responded.text
    assert [r["status"] for r in responded.json()["details"]["responses"]] == ["responding"] * 2
    assert responded.json()["confirmation"] is None
    scene.work()
    # The units on a bulletin are the dispatcher's to coordinate (their answers are on the
    # alert, live on its pages); no phone is sent each unit's answer.
    for person in (near, other, looking):
        [told] = scene.messages(person)
        assert told["data"]["action"] == "new"
        assert told["android"]["collapse_key"] == f"bulletin-{bulletin_id}"
        assert (told["data"]["alert_id"], told["data"]["bulletin_id"]) == (
            str(alert_id), str(bulletin_id)
        )  # fmt: skip
    shown = scene.client.get(f"/v1/alerts/{alert_id}", headers=scene.dispatcher).json()
    etas = {r["user_id"]: r["eta_s"] for r in shown["details"]["responses"]}
    assert etas == {other.user_id: 300, near.user_id: 90}
    refused = scene.client.post(f"/v1/alerts/{alert_id}/outcome",
                                json={"disposition": "located", "result": "arrested"},
                                headers=scene.dispatcher)  # fmt: skip
    assert refused.status_code == 409 and "cancel" in refused.json()["detail"]
    asked = scene.client.post(f"/v1/alerts/{alert_id}/confirmation",
                              json={"state": "requested"}, headers=scene.dispatcher)  # fmt: skip
    assert asked.status_code == 409


def test_openapi_documents_the_life_of_a_hit(scene: Scene) -> None:
    spec = scene.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("response", "confirmation", "outcome"):
        assert "post" in paths[f"/v1/alerts/{{alert_id}}/{path}"]
    assert "get" in paths["/v1/confirmations"]
    schemas = spec["components"]["schemas"]
    details = schemas["HotListHitDetails"]["properties"]
    assert {"confirmation", "responses", "escalation", "outcome"} <= set(details)
    assert set(schemas["ResponseIn"]["properties"]["status"]["$ref"].split("/")[-1:]) == {
        "Response"
    }
    assert schemas["Response"]["enum"] == ["seen", "responding", "on_scene", "unable"]
    assert "eta_s" in schemas["ResponseIn"]["properties"]
    assert schemas["Disposition"]["enum"] == [
        "located", "not_located", "misread", "wrong_vehicle", "record_invalid", "duplicate",
        "cancelled",
    ]  # fmt: skip
    assert {"state", "note"} <= set(schemas["ConfirmationIn"]["properties"])
    assert {"disposition", "result", "note"} <= set(schemas["OutcomeIn"]["properties"])
