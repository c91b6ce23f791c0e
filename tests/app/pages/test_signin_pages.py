"""The pages' sign-in: the same checks as the token endpoint (second factor, lockout, audit),
a session cookie that is HttpOnly and SameSite=Strict, CSRF on every form, the role's own page,
and sign-out revoking the session. Through HTTP, on both databases."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.clock import ManualClock
from app.db import transaction
from app.models import AuditLog, OfficerStatus, Role
from tests import factories
from tests.app.helpers import make_world
from tests.app.pages.support import PASSWORD, make_person


def _form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, username: str, **extra: str) -> object:
    token = _form_token(client, "/signin")
    return client.post(
        "/signin",
        data={"username": username, "password": PASSWORD, "csrf": token, **extra},
        follow_redirects=False,
    )


def test_people_sign_in_to_their_roles_page_and_out_again(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    officer = make_person(engine, role=Role.OFFICER, now=clock())
    supervisor = make_person(engine, role=Role.SUPERVISOR, now=clock(), second_factor=True)

    assert client.get("/console", follow_redirects=False).headers["location"] == (
        "/signin?next=/console"
    )
    forged = client.post(
        "/signin", data={"username": officer.username, "password": PASSWORD, "csrf": "x"}
    )
    assert forged.status_code == 403  # the sign-in form's own CSRF check

    answer = _sign_in(client, officer.username)
    assert answer.status_code == 303 and answer.headers["location"] == "/m/"  # type: ignore[attr-defined]
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/m/").status_code == 200
    assert client.get("/console").status_code == 403  # an officer is no dispatcher
    assert client.get("/admin").status_code == 403

    no_csrf = client.post("/signout", data={})
    assert no_csrf.status_code == 403
    token = _form_token(client, "/m/")
    out = client.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    with transaction(engine) as session:
        actions = list(session.scalars(select(AuditLog.action)))  # type: ignore[arg-type]
    assert "auth.sign_in" in actions and "auth.sign_out" in actions

    needs_code = _sign_in(client, supervisor.username)
    assert needs_code.status_code == 401 and "one-time code" in needs_code.text  # type: ignore[attr-defined]
    wrong = _sign_in(client, supervisor.username, otp="000000")
    assert wrong.status_code == 401
    right = _sign_in(client, supervisor.username, otp=supervisor.code(clock()))

    assert right.headers["location"] == "/command"  # type: ignore[attr-defined]


def test_the_shift_page_puts_an_officer_on_duty_and_takes_the_phones_position(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    officer = make_person(engine, role=Role.OFFICER, now=clock())
    assert _sign_in(client, officer.username).status_code == 303  # type: ignore[attr-defined]
    token = _form_token(client, "/m/shift")
    fix = {"lat": "37.8044", "lon": "-122.2712", "accuracy_m": "12", "heading": "null"}

    assert client.post("/m/shift/position", data=fix).status_code == 403  # no CSRF token
    on = client.post("/m/shift/duty", data={"csrf": token, "on_duty": "1"})
    assert on.status_code == 200 and "You are on duty." in on.text
    shared = client.post("/m/shift/position", data=fix, headers={"X-CSRF-Token": token})
    assert shared.status_code == 200 and shared.json() == {"applied": True}
    bad = client.post("/m/shift/position", data=fix | {"lat": "91"},
                      headers={"X-CSRF-Token": token})  # fmt: skip
    assert bad.status_code == 422 and "lat" in bad.json()["detail"]
    with transaction(engine) as session:
        status = session.get(OfficerStatus, officer.user_id)
        assert status is not None and status.on_duty and status.lat == 37.8044


def test_an_admin_imports_a_hot_list_file_and_reads_its_hygiene_report(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = make_person(engine, role=Role.ADMIN, now=clock(), second_factor=True)
    with transaction(engine) as session:
        hotlist = factories.make_hotlist(session, now=clock(), name="Stolen vehicles")
        hotlist_id = hotlist.id
    signed_in = _sign_in(client, admin.username, otp=admin.code(clock()))
    assert signed_in.headers["location"] == "/admin"  # type: ignore[attr-defined]
    token = _form_token(client, "/admin")
    csv = b"plate,state,reason\n7ABO123,CA,stolen\n7AB0123,CA,stolen\n8XYZ999,,stolen\n"

    forged = client.post(f"/admin/hotlists/{hotlist_id}/import", data={"csrf": "x"},
                         files={"file": ("list.csv", csv, "text/csv")})  # fmt: skip
    assert forged.status_code == 403
    report = client.post(f"/admin/hotlists/{hotlist_id}/import", data={"csrf": token},
                         files={"file": ("list.csv", csv, "text/csv")})  # fmt: skip
    assert report.status_code == 200, report.text
    assert "Imported list.csv into Stolen vehicles" in report.text
    assert "twins" in report.text and "no state" in report.text
    assert client.get("/admin").text.count("<td>3</td>") == 1  # the list's three entries


def test_the_admins_people_form_is_csrf_checked_and_leaves_their_own_account_alone(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    admin = make_person(engine, role=Role.ADMIN, now=clock(), second_factor=True)
    officer = make_person(engine, role=Role.OFFICER, now=clock())
    _sign_in(client, admin.username, otp=admin.code(clock()))
    token = _form_token(client, "/admin")

    forged = client.post(f"/admin/users/{officer.user_id}", data={"action": "deactivate"})
    assert forged.status_code == 403
    own = client.post(f"/admin/users/{admin.user_id}",
                      data={"csrf": token, "action": "deactivate"})  # fmt: skip
    assert own.status_code == 200 and "another admin" in own.text
    bad = client.post(f"/admin/users/{officer.user_id}",
                      data={"csrf": token, "action": "change", "role": "sheriff"})  # fmt: skip
    assert "Not done: role" in bad.text
    leaving = {"csrf": token, "action": "deactivate", "reason": "left the force"}
    done = client.post(f"/admin/users/{officer.user_id}", data=leaving)
    assert done.status_code == 200 and "deactivated" in done.text
    with transaction(engine) as session:
        row = session.scalars(
            select(AuditLog).where(AuditLog.action == "user.update")  # type: ignore[arg-type]
        ).one()
        assert (row.object_id, row.purpose) == (str(officer.user_id), "left the force")


def test_the_consoles_plate_search_asks_why_and_is_audited_as_the_apis(
    client: TestClient, engine: Engine, clock: ManualClock
) -> None:
    world = make_world(engine, clock)
    plate = factories.unique_plate()
    stored = client.post("/v1/reads", json={"plate": plate}, headers=world.camera)
    assert stored.status_code == 202, stored.text
    dispatcher = make_person(engine, role=Role.DISPATCHER, now=clock())
    assert _sign_in(client, dispatcher.username).status_code == 303  # type: ignore[attr-defined]

    no_reason = client.get("/console/search", params={"plate": plate, "purpose": ""})
    assert no_reason.status_code == 200 and "Say why you are searching" in no_reason.text
    found = client.get(
        "/console/search",
        params={"plate": plate, "purpose": "Robbery follow-up", "case_number": "24-001240"},
    )
    assert found.status_code == 200 and plate in found.text

    with transaction(engine) as session:
        searches = list(session.scalars(select(AuditLog).where(AuditLog.action == "read.search")))
    [search] = searches  # the refused search is not one
    assert (search.actor_id, search.plate, search.purpose) == (
        dispatcher.user_id, plate, "Robbery follow-up",
    )  # fmt: skip
    assert search.detail["case_number"] == "24-001240" and search.detail["results"] == 1
    assert search.detail["via"] == "console"
