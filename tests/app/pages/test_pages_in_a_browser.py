"""The three faces in a real Chromium, end to end on both databases: a dispatcher signs in
with the second factor, draws a bulletin's area on the console's map and posts it; the officer
inside it sees the alert on the phone-sized page without reloading and answers "responding";
the console shows that without reloading; a hot-list hit (a possible misread) appears on the
console live and its officer page shows the trail map and the warning; the supervisor's
dashboard counts it; an officer can open neither the console nor another officer's alert.
Screenshots of each page go to build/screenshots/."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from app.clock import system_clock
from app.main import create_app
from app.models import Role
from app.settings import Settings
from tests import factories
from tests.app.helpers import bearer
from tests.app.pages.support import DESKTOP, PHONE, Person, make_person, sign_in
from tests.servers import serve_in_thread
from tests.shared_data import OAKLAND, missing

BEATS = OAKLAND / "oakland-police-beats-2009.geojson"
STREETS = OAKLAND / "oakland-main-streets-osm.geojson"
OFFICER_AT = (37.8044, -122.2712)  # downtown Oakland, 14th St & Broadway
CAMERA_AT = (37.8060, -122.2700)
LIVE_MS = (
    20_000  # a generous deadline for a live update (a loaded machine); the test asserts it comes
)


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    if not BEATS.is_file():
        missing("Oakland's beats")
    changed = settings.changed(
        mfa_roles="admin,supervisor,dispatcher", beats_file=BEATS, map_layers=str(STREETS)
    )
    with serve_in_thread(create_app(changed, clock=system_clock)) as base:
        yield base


@pytest.fixture
def contexts(browser: Any) -> Iterator[Callable[[dict[str, int]], Any]]:
    """New browser contexts (one person each), closed before the server stops: an open
    event stream would hold its shutdown."""
    opened: list[Any] = []

    def open_page(viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport)
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def _on_duty(api: httpx.Client, person: Person, lat: float, lon: float) -> None:
    headers = bearer(person.token)
    token = factories.unique("phone")
    assert api.post("/v1/devices", json={"token": token, "platform": "android"},
                    headers=headers).status_code == 201  # fmt: skip
    assert api.put("/v1/me/duty", json={"on_duty": True}, headers=headers).status_code == 200
    assert api.put("/v1/me/location", json={"lat": lat, "lon": lon, "accuracy_m": 8},
                   headers=headers).status_code == 200  # fmt: skip


def _mark_no_reload(page: Any) -> None:
    page.evaluate("window.__sameDocument = true")


def _same_document(page: Any) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def _click_map_at(page: Any, lat: float, lon: float) -> None:
    point = page.evaluate(
        "([lat, lon]) => { const p = window.lookoutMap.map().latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )
    page.locator("#map").click(position=point)


def test_the_three_faces_live_end_to_end(
    server: str,
    engine: Engine,
    contexts: Callable[[dict[str, int]], Any],
    screenshot: Callable[..., Path],
    database_url: str,
) -> None:
    backend = "pg" if database_url.startswith("postgresql") else "sqlite"
    now = system_clock()
    dispatcher = make_person(engine, role=Role.DISPATCHER, now=now, name="Disp. Reyes",
                             second_factor=True)  # fmt: skip
    supervisor = make_person(engine, role=Role.SUPERVISOR, now=now, name="Sgt. Okafor",
                             second_factor=True)  # fmt: skip
    officer = make_person(engine, role=Role.OFFICER, now=now, name="Officer Diaz")
    other = make_person(engine, role=Role.OFFICER, now=now, name="Officer Chen")
    admin = make_person(engine, role=Role.ADMIN, now=now, name="Admin", second_factor=True)
    with httpx.Client(base_url=server, timeout=10) as api:
        _on_duty(api, officer, *OFFICER_AT)

        phone = contexts(PHONE)
        sign_in(phone, server, officer)
        assert phone.url.endswith("/m/")
        phone.wait_for_function("document.body.dataset.live === 'open'", timeout=LIVE_MS)
        _mark_no_reload(phone)

        desk = contexts(DESKTOP)
        desk.goto(server + "/signin")
        screenshot(desk, f"signin-desktop-{backend}")
        sign_in(desk, server, dispatcher, code=dispatcher.code(system_clock()))
        assert desk.url.endswith("/console")
        desk.wait_for_load_state("networkidle")

        # The bulletin: a circle drawn around the officer's corner.
        desk.locator("#kind").select_option("robbery")
        desk.get_by_label("Narrative").fill("Armed robbery at 14th & Broadway, two suspects")
        desk.get_by_label("Plate (partial: 7AB*)").fill("6XY*")
        desk.get_by_label("Make").fill("Toyota")
        desk.get_by_label("Colour").fill("black")
        desk.get_by_label("Direction").fill("east")
        desk.get_by_role("button", name="Draw circle").click()
        _click_map_at(desk, *OFFICER_AT)
        assert "Circle of 1500 m" in desk.locator("#area-text").inner_text()
        desk.get_by_role("button", name="Post bulletin").click()
        desk.wait_for_load_state()
        assert "posted" in desk.locator(".note").inner_text()

        # The officer's list gets it without reloading; the officer answers.
        link = phone.locator("ul.alerts a.alert-link").first
        link.wait_for(timeout=LIVE_MS)
        assert _same_document(phone)
        screenshot(phone, f"officer-list-phone-{backend}")
        bulletin_alert = int(link.get_attribute("href").rsplit("/", 1)[1])
        link.click()
        phone.wait_for_load_state("networkidle")
        assert "BULLETIN" in phone.locator(".match").inner_text()
        desk.wait_for_load_state("networkidle")
        _mark_no_reload(desk)
        phone.get_by_role("button", name="Responding").click()
        phone.wait_for_load_state()
        assert "responding" in phone.locator(".note").inner_text().lower()
        screenshot(phone, f"officer-bulletin-phone-{backend}", full_page=True)

        # ...and the console shows it, without reloading.
        units = desk.locator(f"#alert-{bulletin_alert} td.units")
        units.filter(has_text="(responding)").wait_for(timeout=LIVE_MS)
        assert _same_document(desk)

        # A hot-list hit on a possible misread (the camera read 8 for B), near the officer.
        listed = api.post("/v1/hotlists", headers=bearer(admin.token),
                          json={"name": "Stolen vehicles", "kind": "stolen_vehicle",
                                # P1: the officer is responding to the bulletin, and busy
                                # officers are spared P2 and P3 hits (the push policy)
                                "priority": 1,
                                # a possible misread goes to officers at once, not the desk
                                "dispatch_first": "never"})  # fmt: skip
        assert listed.status_code == 201, listed.text
        entries = api.post(
            f"/v1/hotlists/{listed.json()['id']}/entries", headers=bearer(admin.token),
            json=[{"plate": "7ABC123", "state": "CA", "reason": "Stolen vehicle",
                   "case_number": "24-001234",
                   "vehicle": {"make": "Honda", "model": "Civic", "color": "silver"}}],
        )  # fmt: skip
        assert entries.status_code == 201, entries.text
        camera = api.post("/v1/cameras", headers=bearer(admin.token),
                          json={"name": "Broadway & 17th", "lat": CAMERA_AT[0],
                                "lon": CAMERA_AT[1]})  # fmt: skip
        assert camera.status_code == 201, camera.text
        key = {"X-API-Key": camera.json()["api_key"]}
        for plate, offset in (("7A8C123", 0.0), ("7A8C123", 0.002)):
            read = api.post("/v1/reads", headers=key,
                            json={"plate": plate, "state": "CA", "heading": 90,
                                  "lat": CAMERA_AT[0], "lon": CAMERA_AT[1] + offset})  # fmt: skip
            assert read.status_code == 202, read.text
        hit_row = desk.locator("#alerts tbody tr", has_text="7A8C123")
        hit_row.wait_for(timeout=LIVE_MS)
        assert "POSSIBLE MISREAD" in hit_row.inner_text()
        assert _same_document(desk)
        screenshot(desk, f"console-desktop-{backend}")
        hit_alert = int(hit_row.get_attribute("id").removeprefix("alert-"))

        phone.goto(f"{server}/m/alerts/{hit_alert}")
        phone.wait_for_load_state("networkidle")
        assert "POSSIBLE MISREAD" in phone.locator(".match").inner_text()
        assert phone.locator(".plate-big .differs").inner_text() == "8"
        assert phone.locator("#map .leaflet-interactive").count() >= 3  # trail, its reads, you
        screenshot(phone, f"officer-hit-phone-{backend}", full_page=True)

        # Role and scope: the officer can open neither the console nor another's alert.
        assert phone.goto(server + "/console").status == 403
        other_phone = contexts(PHONE)
        sign_in(other_phone, server, other)
        assert other_phone.goto(f"{server}/m/alerts/{bulletin_alert}").status == 404
        assert other_phone.goto(f"{server}/m/alerts/{hit_alert}").status == 404

        # The sergeant's dashboard counts the squad's alerts, and only the squad's.
        squad = api.post("/v1/squads", headers=bearer(admin.token),
                         json={"name": "Squad 4A", "sergeant_id": supervisor.user_id})  # fmt: skip
        assert squad.status_code == 201, squad.text
        assigned = api.put(f"/v1/officers/{officer.user_id}/squad", headers=bearer(admin.token),
                           json={"squad_id": squad.json()["id"]})  # fmt: skip
        assert assigned.status_code == 200, assigned.text
        command = contexts(DESKTOP)
        sign_in(command, server, supervisor, code=supervisor.code(system_clock()))
        assert command.url.endswith("/command")
        numbers = dict(
            zip(command.locator(".number span").all_inner_texts(),
                command.locator(".number b").all_inner_texts(), strict=True)
        )  # fmt: skip
        assert numbers["Alerts"] == "2" and numbers["Hot-list hits"] == "1"
        screenshot(command, f"command-desktop-{backend}", full_page=True)
        command.get_by_role("link", name="Officer Diaz").first.click()
        command.wait_for_load_state()
        assert command.locator("table", has_text="7A8C123").count() == 1  # the timeline
        screenshot(command, f"command-officer-desktop-{backend}", full_page=True)
        outside = command.goto(f"{server}/command?level=officer&id={other.user_id}")
        assert outside.status == 403  # Officer Chen is in no squad of this sergeant's
        command.goto(server + "/console")
        command.wait_for_load_state("networkidle")

        admin_page = contexts(DESKTOP)
        sign_in(admin_page, server, admin, code=admin.code(system_clock()))
        assert admin_page.url.endswith("/admin")
        screenshot(admin_page, f"admin-desktop-{backend}", full_page=True)
