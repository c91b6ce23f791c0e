"""The life of a hit from the officer's phone page: signed in through /signin, the officer
requests the record's confirmation, answers responding and closes the alert with its outcome
through the page's forms (CSRF included), and the API shows each change as if made there. Over
HTTP with the test client, on both databases."""

import re
from urllib.parse import unquote

from fastapi.testclient import TestClient

from app.models import Role
from tests.app.helpers import bearer, hotlist_with_plate
from tests.app.lifecycle.support import PLATE, Scene, north_of
from tests.app.pages.support import PASSWORD, Person, make_person


def _csrf(phone: TestClient, path: str) -> tuple[str, str]:
    """The page at `path` and its form token."""
    page = phone.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return page.text, found.group(1)


def _officer_near_the_camera(scene: Scene, phone: str) -> Person:
    """An officer on duty 300 m from the camera, with a phone: the hit's nearest unit."""
    officer = make_person(scene.engine, role=Role.OFFICER, now=scene.clock())
    api = bearer(officer.token)
    lat, lon = north_of(300)
    for method, path, body in (
        ("POST", "/v1/devices", {"token": phone, "platform": "android"}),
        ("PUT", "/v1/me/duty", {"on_duty": True}),
        ("PUT", "/v1/me/location", {"lat": lat, "lon": lon, "accuracy_m": 10}),
    ):
        done = scene.client.request(method, path, json=body, headers=api)
        assert done.status_code in (200, 201), done.text
    return officer


def test_an_officer_asks_answers_and_closes_a_hit_from_the_phone_page(scene: Scene) -> None:
    officer = _officer_near_the_camera(scene, "phone-page-officer")
    alert_id = scene.hit(priority=1)
    scene.work()

    phone = TestClient(scene.client.app)  # a browser of its own: its own session cookie
    _, token = _csrf(phone, "/signin")
    signed_in = phone.post(
        "/signin", data={"username": officer.username, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )  # fmt: skip
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/m/"
    path = f"/m/alerts/{alert_id}"
    page, token = _csrf(phone, path)
    assert "Request confirmation" in page and "Close the alert" in page

    def submit(action: str, **fields: str) -> str:
        """Post a form of the alert page; the note the page comes back with."""
        posted = phone.post(f"{path}/{action}", data={"csrf": token, **fields},
                            follow_redirects=False)  # fmt: skip
        assert posted.status_code == 303, posted.text
        location = posted.headers["location"]
        assert location.startswith(f"{path}?note=")
        return unquote(location.split("?note=", 1)[1])

    assert submit("confirmation") == "Confirmation requested from the originating agency."
    asked = scene.alert(alert_id)["details"]["confirmation"]
    assert (asked["state"], asked["requested_by"]["id"]) == ("requested", officer.user_id)

    submit("response", status="responding")
    shown = scene.alert(alert_id)
    [answer] = shown["details"]["responses"]
    assert (answer["user_id"], answer["status"], answer["eta_source"]) == (
        officer.user_id, "responding", "computed",
    )  # fmt: skip
    assert shown["details"]["escalation"]["due_at"] is None  # a unit on it: the ladder waits

    assert submit("outcome", disposition="located", result="stopped", note="driver cited") == (
        "Closed: located."
    )
    closed = scene.alert(alert_id)
    assert (closed["status"], closed["disposition"]) == ("closed", "located")
    outcome = closed["details"]["outcome"]
    assert (outcome["result"], outcome["note"], outcome["closed_by"]["id"]) == (
        "stopped", "driver cited", officer.user_id,
    )  # fmt: skip
    # A refusal comes back to the page as its note, and changes nothing.
    assert "already closed" in submit("outcome", disposition="not_located")
    assert scene.alert(alert_id)["disposition"] == "located"
    forged = phone.post(f"{path}/response", data={"csrf": "x", "status": "seen"})
    assert forged.status_code == 403


def test_the_hit_page_says_where_the_car_is_heading_once(scene: Scene) -> None:
    officer = _officer_near_the_camera(scene, "phone-page-heading")
    hotlist_with_plate(scene.client, scene.world, PLATE, priority=2)
    read = {"plate": PLATE, "heading": 90}
    answer = scene.client.post("/v1/reads", json=read, headers=scene.world.camera)
    assert answer.status_code == 202, answer.text
    [alert] = scene.client.get("/v1/alerts", headers=scene.world.admin).json()["data"]

    phone = TestClient(scene.client.app)
    _, token = _csrf(phone, "/signin")
    phone.post("/signin", data={"username": officer.username, "password": PASSWORD, "csrf": token})
    page, _ = _csrf(phone, f"/m/alerts/{alert['id']}")
    facts = re.sub(r"\s+", " ", page.split('class="facts"', 1)[1].split("</dl>", 1)[0])
    assert "<dt>Moving</dt><dd>heading east" in facts
    assert "<dt>Direction</dt>" not in facts and facts.count("east") == 1
