"""The numbers of the chain of command, through the public API on both databases: reads raise
alerts, officers answer, dispatch confirms, outcomes close them, and the figures of the area,
the squad and the officer follow; the drill goes area → squad → officer → alerts."""

from sqlalchemy import select

from app.db import transaction
from app.models import AuditLog, Role
from tests.app.lifecycle.support import Scene
from tests.app.stats.support import fresh_position, person, squad, stats, window

OTHER_PLATE = "8XYZ987"


def test_figures_follow_the_life_of_each_hit_and_drill_down_to_the_alerts(
    scene: Scene,
) -> None:
    admin = scene.world.admin
    near, far = scene.officer(100), scene.officer(300)
    sergeant_id, _ = person(scene, Role.SUPERVISOR)
    alpha = squad(scene, "Alpha", sergeant_id, "1", near.user_id, far.user_id)
    span = window(scene.clock())
    before = stats(scene, "/areas/1", admin, span)
    assert (before["figures"]["alerts"], before["figures"]["time_to_seen"]["count"]) == (0, 0)

    first = scene.hit(priority=2)  # Broadway & 14th: beat 04X, Area 1
    scene.work()
    area = stats(scene, "/areas/1", admin, span)
    assert (area["scope"], area["basis"], area["name"]) == ("area", "raised", "Area 1")
    assert area["figures"]["alerts"] == area["figures"]["hits"] == 1
    assert area["figures"]["alerts_pushed"] == 1 and area["figures"]["officers_pushed"] == 2
    assert area["figures"]["pushes"] == 2 and area["figures"]["pushes_per_officer_hour"] > 0

    scene.clock.advance(seconds=30)
    assert scene.client.post(f"/v1/alerts/{first}/ack", headers=near.headers).status_code == 200
    scene.clock.advance(seconds=30)
    respond = {"status": "responding", "eta_s": 120}
    answered = scene.client.post(f"/v1/alerts/{first}/response", json=respond,
                                 headers=near.headers)  # fmt: skip
    assert answered.status_code == 200, answered.text
    asked = scene.client.post(f"/v1/alerts/{first}/confirmation", json={"state": "requested"},
                              headers=near.headers)  # fmt: skip
    assert asked.status_code == 200, asked.text
    scene.clock.advance(seconds=60)
    confirmed = scene.client.post(f"/v1/alerts/{first}/confirmation",
                                  json={"state": "confirmed", "note": "ORI by teletype"},
                                  headers=scene.dispatcher)  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    scene.clock.advance(seconds=30)
    closed = scene.client.post(f"/v1/alerts/{first}/outcome",
                               json={"disposition": "located", "result": "arrested"},
                               headers=near.headers)  # fmt: skip
    assert closed.status_code == 200, closed.text

    scene.clock.advance(minutes=11)
    fresh_position(scene, near, 100)
    fresh_position(scene, far, 300)
    second = scene.hit(priority=1, plate=OTHER_PLATE)
    scene.work()
    scene.clock.advance(seconds=10)
    assert scene.client.post(f"/v1/alerts/{second}/ack", headers=far.headers).status_code == 200
    scene.clock.advance(seconds=30)  # nobody responding to a P1 within 30 s: it escalates
    scene.work()
    scene.clock.advance(seconds=10)
    misread = scene.client.post(f"/v1/alerts/{second}/outcome", json={"disposition": "misread"},
                                headers=scene.dispatcher)  # fmt: skip
    assert misread.status_code == 200, misread.text

    figures = stats(scene, "/areas/1", admin, span)["figures"]
    assert (figures["alerts"], figures["hits"], figures["alerts_pushed"]) == (2, 2, 2)
    assert figures["time_to_seen"] == {"count": 2, "median_s": 20.0, "p90_s": 28.0}
    assert figures["time_to_responding"] == {"count": 1, "median_s": 60.0, "p90_s": 60.0}
    assert figures["escalations"]["escalated"] == 1
    steps = figures["escalations"]
    assert steps["next_ring"] + steps["dispatcher"] + steps["supervisor"] >= 1
    confirmations = figures["confirmations"]
    assert (confirmations["requested"], confirmations["confirmed"]) == (1, 1)
    assert confirmations["answer_time"] == {"count": 1, "median_s": 60.0, "p90_s": 60.0}
    outcomes = figures["outcomes"]
    assert outcomes["closed"] == 2
    assert (outcomes["by_disposition"]["located"], outcomes["by_disposition"]["misread"]) == (1, 1)
    assert outcomes["by_disposition"]["wrong_vehicle"] == 0
    assert outcomes["by_result"] == {"arrested": 1}
    assert (outcomes["misread_rate"], outcomes["wrong_vehicle_rate"]) == (0.5, 0.0)
    elsewhere = stats(scene, "/areas/5", admin, span)["figures"]
    assert (elsewhere["alerts"], elsewhere["outcomes"]["misread_rate"]) == (0, None)
    beat = stats(scene, "/beats/04X", admin, span)
    assert beat["figures"]["alerts"] == 2 and beat["up"] == "/v1/stats/areas/1"

    # The drill: agency → Area 1 → squad Alpha → the officer → the alerts.
    agency = stats(scene, "", admin, span)
    assert agency["scope"] == "agency" and agency["figures"]["alerts"] == 2
    by_area = {child["id"]: child for child in agency["children"]}
    assert sorted(by_area) == ["1", "2", "3", "4", "5"]
    assert by_area["1"]["figures"]["alerts"] == 2 and by_area["5"]["figures"]["alerts"] == 0
    area = stats(scene, "/areas/1", admin, span)
    [alpha_child] = area["children"]
    assert (alpha_child["name"], alpha_child["href"]) == ("Alpha", f"/v1/stats/squads/{alpha}")
    squad_level = stats(scene, f"/squads/{alpha}", admin, span)
    assert squad_level["basis"] == "received" and squad_level["up"] == "/v1/stats/areas/1"
    assert squad_level["figures"]["time_to_seen"]["count"] == 2
    officers = {int(child["id"]): child for child in squad_level["children"]}
    assert set(officers) == {near.user_id, far.user_id}
    mine = officers[near.user_id]
    assert mine["href"] == f"/v1/stats/officers/{near.user_id}"
    assert mine["figures"]["time_to_seen"] == {"count": 1, "median_s": 30.0, "p90_s": 30.0}
    assert mine["figures"]["time_to_responding"]["median_s"] == 60.0
    assert officers[far.user_id]["figures"]["time_to_seen"]["median_s"] == 10.0

    officer_level = stats(scene, f"/officers/{near.user_id}", admin, span)
    assert officer_level["up"] == f"/v1/stats/squads/{alpha}"
    lines = {line["id"]: line for line in officer_level["alerts"]}
    assert list(lines) == [second, first]  # newest first
    line = lines[first]
    assert (line["seen_after_s"], line["responding_after_s"]) == (30.0, 60.0)
    assert (line["response"], line["confirmation"], line["disposition"], line["result"]) == (
        "responding", "confirmed", "located", "arrested",
    )  # fmt: skip
    assert line["href"] == f"/v1/alerts/{first}" and line["plate"] == "7ABC123"
    assert lines[second]["seen_after_s"] is None and lines[second]["disposition"] == "misread"
    # An officer's and a list's hits ending as misreads are visible in their figures.
    assert officer_level["figures"]["outcomes"]["misread_rate"] == 0.5
    with transaction(scene.engine) as session:
        [audited] = session.scalars(select(AuditLog).where(AuditLog.action == "stats.alerts"))
        assert audited.object_id == str(near.user_id)
        assert audited.detail["alert_ids"] == [second, first]

    by_list = scene.client.get("/v1/hotlists", headers=admin).json()
    list_ids = sorted(h["id"] for h in by_list)
    assert stats(scene, f"/hotlists/{list_ids[0]}", admin, span)["figures"]["alerts"] == 1
    misread_list = stats(scene, f"/hotlists/{list_ids[1]}", admin, span)["figures"]
    assert (misread_list["alerts"], misread_list["outcomes"]["misread_rate"]) == (1, 1.0)
    camera = stats(scene, f"/cameras/{scene.world.camera_id}", admin, span)
    assert camera["figures"]["alerts"] == 2 and camera["figures"]["outcomes"]["closed"] == 2


def test_the_window_selects_the_alerts(scene: Scene) -> None:
    scene.officer(100)
    start = scene.clock()
    scene.hit(priority=3)
    scene.clock.advance(hours=3)
    later = window(scene.clock())
    assert stats(scene, "", scene.world.admin, later)["figures"]["alerts"] == 0
    assert stats(scene, "", scene.world.admin, window(start))["figures"]["alerts"] == 1
    backwards = {"since": later["until"], "until": later["since"]}
    refused = scene.client.get("/v1/stats", params=backwards, headers=scene.world.admin)
    assert refused.status_code == 422 and "since" in refused.text
    naive = scene.client.get("/v1/stats", params={"since": "2026-01-01T00:00:00"},
                             headers=scene.world.admin)  # fmt: skip
    assert naive.status_code == 422
